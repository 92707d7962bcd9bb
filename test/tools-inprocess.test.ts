// The tool service's parts in this process, over real sessions and real MCP servers: asking the
// client for permission with a call already cancelled, a daemon stopping while a reload starts
// new tool plugins (one of them a server that never answers), and a name an MCP tool waited for.
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

/** This process's children whose command line contains `marker` (the dynamic MCP server by default). */
function serverPids(marker = 'dynamicServer.js'): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

const configOf = (toml: string) => parseConfig(toml, join(tmpdir(), 'plugins.toml'));
const dynEntry = (name: string) => `[[mcp]]\nname = "${name}"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(dynamicServer)}]\nexpose = true\n`;

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

test('stopping the tool service while a reload waits for an MCP server that never answers does not wait for its timeout_ms', async () => {
  const service = new ToolService(quiet, () => undefined);
  await service.load(configOf(''));
  const reloading = service.reload(configOf('[[mcp]]\nname = "mute"\ncommand = "sleep"\nargs = ["41.5"]\ntimeout_ms = 30000\n'));
  await eventually('the reload spawned the server', () => serverPids('sleep 41.5').length === 1);
  const [pid] = serverPids('sleep 41.5');
  const t0 = Date.now();
  await service.dispose();
  await reloading;
  assert.ok(Date.now() - t0 < 5000, `dispose took ${Date.now() - t0} ms (the server's timeout_ms is 30000)`);
  await eventually('the server the reload started was stopped', () => !alive(pid!), 10_000);
});

test('an MCP tool left out because another server held its name takes the name once that server is unexposed', async () => {
  const announced: string[][] = [];
  await using service = new ToolService(quiet, (params) => void announced.push(params.tools));
  // Tool names are prefixed with the server's: "a" + "b__x" and "a__b" + "x" are both "a__b__x".
  await service.load(configOf(`[permissions]\ndefault = "allow"\n${dynEntry('a')}${dynEntry('a__b')}`));
  const caller = { id: 1, ask: () => Promise.reject(new Error('not asked')) };
  await service.call('a__add_tool', { name: 'b__x' }, caller, new CancelSignal());
  await eventually('a lists a__b__x', () => service.list().some((t) => t.name === 'a__b__x'));
  await service.call('a__b__add_tool', { name: 'x' }, caller, new CancelSignal());
  await eventually('the clash is reported', () => service.available().collisions.length === 1);
  assert.equal(service.available().collisions, [{ tool: 'a__b__x', owner: 'a', plugin: 'a__b' }]);
  await service.unexpose('a');
  assert.equal(service.list().filter((t) => t.name === 'a__b__x').map((t) => t.plugin), ['a__b'], 'the name went to the server that waited for it');
  assert.equal(service.available().collisions, []);
  assert.ok(announced.at(-1)?.includes('a__b__x'), 'and tools/didChange said so');
  assert.equal((await service.call('a__b__x', {}, caller, new CancelSignal())).content, [{ type: 'text', text: 'x ran' }]);
});

test.run();
