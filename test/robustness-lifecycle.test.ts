// Stopping the daemon: daemon/shutdown drains work in flight, SIGTERM exits cleanly, and the
// daemon never removes files that are not its own.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlugdClient } from '../clients/client.js';
import { PluginTimeoutError, ShuttingDownError } from '../clients/errors.js';
import { providersToml } from './helpers/config.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { canConnect, rejection, serveToExit, spawnServe, waitForSocket, waitSettled, within } from './helpers/serve.js';

const user = (content: string) => ({ role: 'user' as const, content });

test('daemon/shutdown lets an in-flight stream finish: every chunk and the result arrive, then the process exits 0', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  const streamer = await daemon.connect();
  const stopper = await daemon.connect();
  try {
    const { handle } = await streamer.build({ provider: 'echo' });
    const stream = streamer.chatStream(handle, [user('/count 30000')]);
    const iterator = stream[Symbol.asyncIterator]();
    const first = await within(10_000, 'first chunk', iterator.next());
    assert.equal(first.value, { type: 'text', text: 'w0 ' });
    const shutdown = stopper.shutdown();
    let texts = 1;
    let last = '';
    let streamError: Error | undefined;
    const drained = (async () => {
      try {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
          if (r.value.type === 'text') texts++;
          last = r.value.type;
        }
      } catch (error) {
        streamError = error as Error;
      }
    })();
    await within(20_000, 'the in-flight stream completes', drained);
    assert.is(streamError, undefined, `the stream failed after ${texts} of 30000 text chunks: ${streamError?.name}: ${streamError?.message}`);
    assert.is(texts, 30_000, 'every chunk of the in-flight stream arrived');
    assert.is(last, 'done');
    assert.is((await stream.result).usage?.outputTokens, 30_000);
    const answer = await within(20_000, 'shutdown answer', shutdown);
    // The plugin may already have produced every chunk (0) or still be running (1) when the
    // shutdown arrives; either way the client must get the whole stream.
    assert.ok(answer.drained === 0 || answer.drained === 1, `drained: ${answer.drained}`);
    assert.is(await within(10_000, 'exit', daemon.exited()), 0);
  } finally {
    await streamer.close();
    await stopper.close();
  }
});

test('daemon/shutdown waits for a plugin call in flight and delivers its answer before exiting', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'loop', path: fixturePlugin('loop'), timeoutMs: 1500 }] });
  const caller = await daemon.connect();
  const stopper = await daemon.connect();
  try {
    const { handle } = await caller.build({ provider: 'loop' });
    const stream = caller.chatStream(handle, [user('loop')]);
    const iterator = stream[Symbol.asyncIterator]();
    await within(10_000, 'first chunk', iterator.next());
    // The call spins until its timeout_ms ends it: it is certainly in flight now.
    const answer = await within(15_000, 'shutdown answer', stopper.shutdown({ drainTimeoutMs: 10_000 }));
    assert.equal(answer, { drained: 1 });
    const error = await within(5000, 'the drained call\'s own answer', rejection(stream.result));
    assert.instance(error, PluginTimeoutError, `the call got its answer (not a closed connection): ${error.name}: ${error.message}`);
    assert.is(await within(10_000, 'exit', daemon.exited()), 0);
  } finally {
    await caller.close();
    await stopper.close();
  }
});

test('daemon/shutdown sent right after start (plugins still loading) is answered, then the process exits 0', async () => {
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'echo', path: samplePlugin('echo') },
      { name: 'counter', path: fixturePlugin('counter') },
      { name: 'trap', path: fixturePlugin('trap') },
    ],
  });
  const client = await daemon.connect();
  try {
    let outcome: unknown;
    try {
      outcome = await within(10_000, 'shutdown answer', client.shutdown());
    } catch (error) {
      outcome = error;
    }
    assert.not.instance(outcome, Error, `daemon/shutdown was not answered: ${(outcome as Error).name}: ${(outcome as Error).message}`);
    assert.equal(outcome, { drained: 0 });
    assert.is(await within(10_000, 'exit', daemon.exited()), 0);
  } finally {
    await client.close();
  }
});

test('daemon/shutdown refuses new work while draining, abandons a stuck call after drainTimeoutMs, exits 0', async () => {
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'echo', path: samplePlugin('echo') },
      { name: 'loop', path: fixturePlugin('loop'), timeoutMs: 60_000 },
    ],
  });
  const stuck = await daemon.connect();
  const stopper = await daemon.connect();
  const late = await daemon.connect();
  try {
    await waitSettled(late);
    const { handle } = await stuck.build({ provider: 'loop' });
    const { handle: echo } = await late.build({ provider: 'echo' });
    const stream = stuck.chatStream(handle, [user('loop')]);
    const iterator = stream[Symbol.asyncIterator]();
    await within(10_000, 'first chunk', iterator.next());
    const started = Date.now();
    const shutdown = stopper.shutdown({ drainTimeoutMs: 1500 });
    // While draining: status still answers, new work is refused.
    await new Promise((r) => setTimeout(r, 300));
    const status = await within(5000, 'status while draining', late.status());
    assert.ok(status.plugins.some((p) => p.name === 'loop'));
    const refused = await within(5000, 'chat while draining', rejection(late.chat(echo, [user('too late')])));
    assert.instance(refused, ShuttingDownError);
    assert.instance(await rejection(late.build({ provider: 'echo' })), ShuttingDownError);

    const answer = await within(10_000, 'shutdown answer', shutdown);
    assert.is(answer.drained, 1, 'the stuck stream was in flight');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1400 && elapsed < 8000, `answered after ${elapsed} ms`);
    assert.is(await within(10_000, 'exit', daemon.exited()), 0);
    await within(5000, 'the abandoned stream settles', rejection(stream.result));
  } finally {
    await Promise.all([stuck.close(), stopper.close(), late.close()]);
  }
});

test('SIGTERM exits 0 and removes nothing that is not the daemon\'s', async () => {
  const daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  try {
    const runDir = dirname(daemon.socketPath);
    const neighbour = join(runDir, 'neighbour.txt');
    writeFileSync(neighbour, 'not plugd\'s');
    const client = await daemon.connect();
    const { handle } = await client.build({ provider: 'echo' });
    assert.is((await client.chat(handle, [user('hi')])).text, 'hi');
    daemon.child.kill('SIGTERM');
    assert.is(await within(10_000, 'exit after SIGTERM', daemon.exited()), 0);
    await within(5000, 'client sees the close', client.closed);
    assert.ok(existsSync(neighbour), 'a file beside the socket survives');
    assert.is(readFileSync(neighbour, 'utf8'), 'not plugd\'s');
    assert.ok(existsSync(daemon.configPath), 'the config file survives');
    assert.ok(existsSync(samplePlugin('echo')), 'the plugin file survives');
    assert.not.ok(await canConnect(daemon.socketPath), 'nothing listens any more');
    assert.not.ok(existsSync(daemon.socketPath), 'a clean stop removes the daemon\'s own socket file');

    // The same socket path is usable again by a new daemon.
    const again = spawnServe(['--config', daemon.configPath, '--socket', daemon.socketPath]);
    try {
      await waitForSocket(daemon.socketPath, again);
      const c2 = await PlugdClient.connect({ socketPath: daemon.socketPath });
      const { handle: h2 } = await c2.build({ provider: 'echo' });
      assert.is((await c2.chat(h2, [user('again')])).text, 'again');
      await c2.close();
    } finally {
      await again.stop();
    }
    assert.ok(existsSync(neighbour));
  } finally {
    await daemon.stop();
  }
});

test('a stale socket left by a killed daemon is replaced by the next daemon', async () => {
  const daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  try {
    daemon.child.kill('SIGKILL');
    await daemon.exited();
    assert.ok(existsSync(daemon.socketPath), 'SIGKILL leaves the socket file behind');
    assert.not.ok(await canConnect(daemon.socketPath));
    const next = spawnServe(['--config', daemon.configPath, '--socket', daemon.socketPath]);
    try {
      await waitForSocket(daemon.socketPath, next);
      const client = await PlugdClient.connect({ socketPath: daemon.socketPath });
      try {
        const { handle } = await client.build({ provider: 'echo' });
        assert.is((await client.chat(handle, [user('revived')])).text, 'revived');
      } finally {
        await client.close();
      }
    } finally {
      await next.stop();
    }
    assert.is(await next.exited(), 0);
  } finally {
    await daemon.stop();
  }
});

test('a second daemon on a live socket refuses to start and leaves the first one alone', async () => {
  await using first = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  const { code, stderr } = await serveToExit(['--config', first.configPath, '--socket', first.socketPath]);
  assert.is.not(code, 0);
  assert.match(stderr, first.socketPath);
  assert.match(stderr, /already/);
  assert.ok(existsSync(first.socketPath), 'the live socket was not removed');
  const client = await first.connect();
  try {
    const { handle } = await client.build({ provider: 'echo' });
    assert.is((await client.chat(handle, [user('still mine')])).text, 'still mine');
  } finally {
    await client.close();
  }
});

test('a regular file at the socket path is not replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-test-'));
  try {
    const config = join(dir, 'plugins.toml');
    writeFileSync(config, providersToml([{ name: 'echo', path: samplePlugin('echo') }]));
    mkdirSync(join(dir, 'run'));
    const socketPath = join(dir, 'run', 'plugd.sock');
    writeFileSync(socketPath, 'precious data');
    const { code, stderr } = await serveToExit(['--config', config, '--socket', socketPath]);
    assert.is.not(code, 0);
    assert.match(stderr, socketPath);
    assert.match(stderr, /not a socket/);
    assert.is(readFileSync(socketPath, 'utf8'), 'precious data');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
