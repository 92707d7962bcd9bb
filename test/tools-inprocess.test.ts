// The tool service's parts in this process, over real sessions and real MCP servers: asking the
// client for permission with a call already cancelled, and a daemon stopping while a reload starts
// new tool plugins.
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelSignal } from '../daemon/cancelSignal.js';
import { PluginCallError } from '../daemon/errors.js';
import { createLogger } from '../daemon/log.js';
import { Session } from '../daemon/rpc/session.js';
import { askClient } from '../daemon/tools/askClient.js';

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

test.run();
