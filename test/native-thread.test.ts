// isolation = "thread": a trusted native plugin runs in a worker thread of the daemon's process
// (no child process) and answers as it does in its own process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PluginTimeoutError } from '../clients/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { nativeFixture, nativePlugin } from './helpers/paths.js';
import { rejection, serveToExit, waitSettled, within } from './helpers/serve.js';
import { workerPids } from './helpers/workerProcesses.js';

const user = (content: string) => ({ role: 'user' as const, content });

test('a thread-isolated native plugin serves every function from a worker thread, with no child process', async () => {
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'necho', path: nativePlugin('native-echo'), isolation: 'thread', config: { prefix: 't: ' } },
      { name: 'pecho', path: nativePlugin('native-echo'), config: { prefix: 't: ' } },
    ],
  });
  const client = await daemon.connect();
  try {
    const status = await waitSettled(client);
    const thread = status.plugins.find((p) => p.name === 'necho');
    assert.is(thread?.state, 'ready', JSON.stringify(thread?.error));
    assert.is(thread?.isolation, 'thread');
    assert.is(status.plugins.find((p) => p.name === 'pecho')?.isolation, 'process');
    assert.is(workerPids(daemon.pid).length, 1, 'only the process-isolated plugin has a child process');
    const threaded = await client.build({ provider: 'necho' });
    const isolated = await client.build({ provider: 'pecho' });
    assert.is((await client.chat(threaded.handle, [user('hello')])).text, 't: hello');
    assert.equal(await client.embed(threaded.handle, ['a', 'b']), await client.embed(isolated.handle, ['a', 'b']));
    assert.equal(await client.complete({ handle: threaded.handle, prompt: 'x' }), { text: 't: x' });
    const collect = async (handle: string) => {
      const stream = client.chatStream(handle, [user('/count 300')]);
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const chunks = await collect(threaded.handle);
    assert.is(chunks.length, 302, 'text chunks, usage, done');
    assert.equal(chunks, await collect(isolated.handle));
  } finally {
    await client.close();
  }
});

test('a thread-isolated call past timeout_ms fails with PluginTimeout; the plugin answers again from a new thread', async () => {
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'crashy', path: nativeFixture('crashy'), isolation: 'thread', timeoutMs: 1000 },
      { name: 'necho', path: nativePlugin('native-echo'), isolation: 'thread' },
    ],
  });
  const client = await daemon.connect();
  try {
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'crashy' });
    const error = await within(10_000, 'the looping call', rejection(client.chat(handle, [user('/loop')])));
    assert.instance(error, PluginTimeoutError);
    assert.match(error.message, /ran longer than 1000 ms \(timeout_ms\); its worker thread was abandoned/);
    assert.is((await within(10_000, 'the next call', client.chat(handle, [user('hi')]))).text, 'calls=1');
    const echo = await client.build({ provider: 'necho' });
    assert.is((await client.chat(echo.handle, [user('ok')])).text, 'ok');
    assert.is((await client.status()).plugins.find((p) => p.name === 'crashy')?.restarts, 1);
  } finally {
    await client.close();
  }
  // The daemon still exits cleanly with a thread stuck in native code.
  daemon.child.kill('SIGTERM');
  assert.is(await within(15_000, 'daemon exit', daemon.exited()), 0);
});

test('an unknown isolation value stops plugd serve with the file, line, key and the accepted values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-isolation-'));
  try {
    const config = join(dir, 'plugins.toml');
    writeFileSync(config, `[[providers]]\nname = "n"\npath = ${JSON.stringify(nativePlugin('native-echo'))}\nisolation = "fork"\n`);
    const { code, stderr } = await serveToExit(['--config', config, '--socket', join(dir, 's.sock')]);
    assert.is(code, 1);
    assert.match(stderr, `${config}:4: [[providers]] #1 ("n"): isolation: expected "process" or "thread"`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
