// The tool service's parts in this process, over real sessions and real MCP servers: asking the
// client for permission with a call already cancelled, and a daemon stopping while a reload starts
// new tool plugins.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelSignal } from '../daemon/cancelSignal.js';
import { PluginCallError } from '../daemon/errors.js';
import { createLogger } from '../daemon/log.js';
import { Session } from '../daemon/rpc/session.js';
import { askClient } from '../daemon/tools/askClient.js';
import { ToolService } from '../daemon/tools/toolService.js';
import { parseConfig } from '../daemon/config/load.js';
import { eventually } from './helpers/serve.js';
import { alive } from './helpers/workerProcesses.js';

const quiet = createLogger(0, () => undefined);

test('a tools/call cancelled before its permission prompt is Cancelled (not an internal error), and nothing is asked', async () => {
  const toDaemon = new PassThrough();
  const toClient = new PassThrough();
  let written = '';
  toClient.on('data', (d: Buffer) => (written += d.toString()));
  using session = new Session(toDaemon, toClient, quiet, () => undefined);
  session.connection.listen();
  const signal = new CancelSignal();
  signal.abort();
  const error = await askClient(session, { tool: 'exec', arguments: {}, plugin: 'p', signature: 'exec {}', timeoutMs: 5000 }, signal).then(
    () => assert.unreachable('resolved'),
    (e: unknown) => e,
  );
  assert.instance(error, PluginCallError, String(error));
  assert.is((error as PluginCallError).code, 'CANCELLED');
  assert.match((error as Error).message, 'tools/call "exec" was cancelled while waiting for permission');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.not.match(written, 'permissions/request', 'a cancelled call asks nobody');
});

const dynamicServer = fileURLToPath(new URL('./fixtures/mcp/dynamicServer.js', import.meta.url));

/** This process's children running the dynamic MCP server. */
function serverPids(): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((line) => line.includes('dynamicServer.js'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

test('stopping the tool service while a reload starts a new MCP server stops that server too', async () => {
  const service = new ToolService(quiet, () => undefined);
  await service.load(parseConfig('', join(tmpdir(), 'plugins.toml')));
  const reloading = service.reload(parseConfig(`[[mcp]]\nname = "dyn"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(dynamicServer)}]\nexpose = true\n`, join(tmpdir(), 'plugins.toml')));
  // The reload is starting the server (its process exists, the MCP handshake is under way).
  await eventually('the reload spawned the server', () => serverPids().length === 1);
  const [pid] = serverPids();
  await service.dispose();
  await reloading;
  assert.equal(service.available().plugins.map((p) => [p.name, p.state]).filter(([, state]) => state !== 'stopped'), [], 'nothing serves after dispose');
  await eventually('the server the reload started was stopped', () => !alive(pid!), 10_000);
});

test.run();
