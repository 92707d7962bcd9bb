// The daemon survives bad clients and bad plugins: malformed frames, clients vanishing
// mid-stream, cancellation, many concurrent clients, plugin traps and infinite loops.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc';
import type { PlugdClient } from '../clients/client.js';
import { CancelledError, PluginCrashedError, PluginTimeoutError } from '../clients/errors.js';
import { ErrorCodes } from '../protocol/errors.js';
import type { PluginStatus } from '../protocol/daemon.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { connectionOver, frame, RawSocket } from './helpers/rawRpc.js';
import { eventually, rejection, sleep, waitSettled, within } from './helpers/serve.js';
import { connect } from 'node:net';
import { once } from 'node:events';

const user = (content: string) => ({ role: 'user' as const, content });

function plugin(plugins: PluginStatus[], name: string): PluginStatus {
  const found = plugins.find((p) => p.name === name);
  if (!found) throw new Error(`no plugin "${name}"`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Malformed input on a raw socket closes that connection only.

const frames = suite('malformed frames');
let fd: DaemonProcess | undefined;
let observer: PlugdClient;
let observerHandle: string;

frames.before(async () => {
  fd = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  observer = await fd.connect();
  await waitSettled(observer);
  observerHandle = (await observer.build({ provider: 'echo' })).handle;
});
frames.after(async () => {
  await observer?.close();
  await fd?.stop();
});

/** Sends `bytes` on a fresh raw connection; checks it gets closed and nothing else is disturbed. */
async function expectOnlyThisConnectionClosed(bytes: Buffer, what: string): Promise<void> {
  const raw = await RawSocket.connect(fd!.socketPath);
  try {
    raw.write(bytes);
    await within(3000, `${what}: the daemon closes the connection`, raw.closed);
  } finally {
    raw.destroy();
  }
  assert.is(fd!.child.exitCode, null, `${what}: the daemon is still running`);
  const reply = await within(5000, `${what}: another client still works`, observer.chat(observerHandle, [user(`after ${what}`)]));
  assert.is(reply.text, `after ${what}`);
  await eventually(`${what}: the closed client is gone from daemon/status`, async () => (await observer.status()).clients === 1);
}

frames('garbage bytes close only that connection', async () => {
  await expectOnlyThisConnectionClosed(Buffer.from('\x00\x01\x02GARBAGE not a header\r\n\r\n', 'latin1'), 'garbage');
});

frames('a non-numeric Content-Length closes only that connection', async () => {
  await expectOnlyThisConnectionClosed(Buffer.from('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"daemon/status","params":{}}'), 'bad length');
});

frames('a header without Content-Length closes only that connection', async () => {
  await expectOnlyThisConnectionClosed(Buffer.from('Content-Type: application/json\r\n\r\n{}'), 'no length');
});

frames('an invalid JSON body closes only that connection', async () => {
  await expectOnlyThisConnectionClosed(frame('{"jsonrpc":"2.0","id":1,"method":'), 'bad json');
});

frames('an unreadable body is answered with a JSON-RPC parse error (-32700, id null) before the connection closes', async () => {
  const raw = await RawSocket.connect(fd!.socketPath);
  try {
    raw.write(frame('{"jsonrpc":"2.0","id":7,"method":'));
    const answer = await raw.next((m) => m.id === null);
    assert.is((answer.error as { code: number }).code, ErrorCodes.ParseError);
    await within(3000, 'closed after the parse error', raw.closed);
  } finally {
    raw.destroy();
  }
});

frames('a connection that worked is closed by a later bad frame; its handles are released', async () => {
  const raw = await RawSocket.connect(fd!.socketPath);
  try {
    raw.send({ id: 1, method: 'providers/build', params: { provider: 'echo' } });
    const built = await raw.response(1);
    assert.type((built.result as { handle: string }).handle, 'string');
    raw.write(Buffer.from('Content-Length: 12\r\n\r\nnot json!!!!'));
    await within(3000, 'closed after a bad frame', raw.closed);
  } finally {
    raw.destroy();
  }
  assert.is((await observer.chat(observerHandle, [user('still here')])).text, 'still here');
});

frames('well-framed JSON that is not a request is ignored; the connection stays open and keeps working', async () => {
  const raw = await RawSocket.connect(fd!.socketPath);
  try {
    raw.write(frame('{"hello":"world"}'));
    raw.write(frame('42'));
    raw.write(frame('{"jsonrpc":"2.0","id":5,"method":17}'));
    raw.send({ id: 6, method: 'providers/build', params: { provider: 'echo' } });
    const built = await raw.response(6);
    assert.type((built.result as { handle: string }).handle, 'string', 'the same connection still answers');
    assert.equal(raw.messages.map((m) => m.id), [6], 'nothing is answered for the ignored messages');
    assert.not.ok(raw.isClosed);
  } finally {
    raw.destroy();
  }
  assert.is((await observer.chat(observerHandle, [user('fine')])).text, 'fine');
});

frames.run();

// ---------------------------------------------------------------------------------------------
// Clients that go away, and clients that cancel.

const gone = suite('disconnect and cancellation');
let gd: DaemonProcess | undefined;
let watcher: PlugdClient;

gone.before(async () => {
  gd = await DaemonProcess.start({
    config: [
      { name: 'echo', path: samplePlugin('echo') },
      // One worker and a long limit: if a cancelled call kept running, the next call would wait for it.
      { name: 'loop', path: fixturePlugin('loop'), threads: 1, timeoutMs: 60_000 },
    ],
  });
  watcher = await gd.connect();
  await waitSettled(watcher);
});
gone.after(async () => {
  await watcher?.close();
  await gd?.stop();
});

gone('a client disconnecting mid-stream (/count 100000): the daemon stays up and forgets the client', async () => {
  const before = await watcher.status();
  const raw = await RawSocket.connect(gd!.socketPath);
  raw.send({ id: 1, method: 'providers/build', params: { provider: 'echo' } });
  const handle = ((await raw.response(1)).result as { handle: string }).handle;
  raw.send({ id: 2, method: 'providers/chatStream', params: { handle, streamId: 'big', messages: [user('/count 100000')] } });
  await raw.next((m) => m.method === 'providers/chatChunk' && (m.params as { seq: number }).seq >= 100);
  assert.is((await watcher.status()).clients, before.clients + 1);
  raw.destroy();

  await eventually('the client is gone from daemon/status', async () => (await watcher.status()).clients === before.clients);
  assert.is(gd!.child.exitCode, null, 'the daemon is still running');
  const { handle: mine } = await watcher.build({ provider: 'echo' });
  const reply = await within(5000, 'next call', watcher.chat(mine, [user('next')]));
  assert.is(reply.text, 'next');
  const stream = watcher.chatStream(mine, [user('/count 50')]);
  assert.is((await within(5000, 'next stream', stream.result)).text?.split(' ').length, 51);
  await watcher.dispose(mine);
});

gone('a client disconnecting during an endless plugin call stops the plugin\'s work', async () => {
  const before = plugin((await watcher.status()).plugins, 'loop');
  const raw = await RawSocket.connect(gd!.socketPath);
  raw.send({ id: 1, method: 'providers/build', params: { provider: 'loop' } });
  const handle = ((await raw.response(1)).result as { handle: string }).handle;
  raw.send({ id: 2, method: 'providers/chatStream', params: { handle, streamId: 1, messages: [user('loop')] } });
  await raw.next((m) => m.method === 'providers/chatChunk');
  raw.destroy();
  // loop has one worker: this call can only run once the endless one was stopped.
  const { handle: mine } = await watcher.build({ provider: 'loop' });
  const started = Date.now();
  const reply = await within(10_000, 'a call after the disconnect', watcher.chat(mine, [user('hi')]));
  assert.is(reply.text, 'ok');
  assert.ok(Date.now() - started < 10_000);
  // The abandoned call was cancelled, not failed: errors stay put, and its worker was replaced.
  const after = plugin((await watcher.status()).plugins, 'loop');
  assert.is(after.errors, before.errors, 'a cancelled call is not a plugin error');
  assert.is(after.restarts, before.restarts + 1, 'restarts');
  await watcher.dispose(mine);
});

gone('cancelling a stream with an AbortSignal: CancelledError at once, the plugin stops, the next call succeeds', async () => {
  const { handle } = await watcher.build({ provider: 'loop' });
  const abort = new AbortController();
  const stream = watcher.chatStream(handle, [user('loop')], { signal: abort.signal });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await within(10_000, 'first chunk', iterator.next());
  assert.equal(first.value, { type: 'text', text: 'looping' });
  const t0 = Date.now();
  abort.abort();
  const error = await within(2000, 'cancelled result', rejection(stream.result));
  assert.instance(error, CancelledError);
  assert.ok(Date.now() - t0 < 1000, 'the client rejects promptly');
  const next = await within(10_000, 'call after cancel', watcher.chat(handle, [user('hi')]));
  assert.is(next.text, 'ok', 'loop has one worker, so the endless call must have been stopped');
  const again = watcher.chatStream(handle, [user('short')]);
  assert.is((await within(10_000, 'stream after cancel', again.result)).text, 'ok');
  await watcher.dispose(handle);
});

gone('cancelling a non-streamed chat with an AbortSignal stops the plugin too', async () => {
  const { handle } = await watcher.build({ provider: 'loop' });
  const abort = new AbortController();
  const call = watcher.chat(handle, [user('loop')], { signal: abort.signal });
  await sleep(200);
  abort.abort();
  assert.instance(await within(2000, 'cancelled chat', rejection(call)), CancelledError);
  assert.is((await within(10_000, 'next chat', watcher.chat(handle, [user('hi')]))).text, 'ok');
  await watcher.dispose(handle);
});

gone('$/cancelRequest is answered with RequestCancelled (-32800) by the daemon; late or unknown cancels change nothing', async () => {
  const socket = connect(gd!.socketPath);
  await once(socket, 'connect');
  const connection = connectionOver(socket, socket);
  try {
    const { handle } = await connection.sendRequest<{ handle: string }>('providers/build', { provider: 'loop' });
    let chunks = 0;
    connection.onNotification('providers/chatChunk', () => void chunks++);
    const source = new CancellationTokenSource();
    const pending = connection.sendRequest('providers/chatStream', { handle, streamId: 'c', messages: [user('loop')] }, source.token);
    await eventually('first chunk', () => chunks > 0, 10_000);
    source.cancel();
    const error = await within(5000, 'the daemon answers the cancelled request', rejection(pending));
    assert.instance(error, ResponseError);
    assert.is((error as ResponseError<unknown>).code, ErrorCodes.RequestCancelled);
    // Cancels that come late (the build above was answered long ago) or name an id never sent
    // change nothing; nor does a cancel of an answered id affect a request sent after it.
    await connection.sendNotification('$/cancelRequest', { id: 0 });
    await connection.sendNotification('$/cancelRequest', { id: 'never-sent' });
    await connection.sendNotification('$/cancelRequest', {});
    const reply = await within(10_000, 'next call', connection.sendRequest<{ text: string }>('providers/chat', { handle, messages: [user('hi')] }));
    assert.is(reply.text, 'ok');
  } finally {
    connection.dispose();
    socket.destroy();
  }
});

gone.run();

// ---------------------------------------------------------------------------------------------
// Many clients at once.

const many = suite('concurrent clients');
many('20 clients x 20 concurrent calls each: every answer correct and on its own connection', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo'), threads: 2 }] });
  const clients = await Promise.all(Array.from({ length: 20 }, () => daemon.connect()));
  try {
    const handles = await Promise.all(clients.map((c, i) => c.build({ provider: 'echo', parameters: { prefix: `c${i}:` } })));
    assert.is(new Set(handles.map((h) => h.handle)).size, 20, 'distinct handles');
    const results = await within(
      45_000,
      '400 calls',
      Promise.all(
        clients.flatMap((c, i) =>
          Array.from({ length: 20 }, async (_, j) => {
            const handle = handles[i]!.handle;
            if (j % 4 === 3) {
              const { text } = await c.complete({ handle, prompt: `p${j}` });
              return [`c${i}:p${j}`, text];
            }
            if (j % 4 === 2) {
              const stream = c.chatStream(handle, [user(`s${j} x`)]);
              return [`c${i}:s${j} x`, (await stream.result).text];
            }
            const { text } = await c.chat(handle, [user(`m${j}`)]);
            return [`c${i}:m${j}`, text];
          }),
        ),
      ),
    );
    assert.is(results.length, 400);
    const wrong = results.filter(([want, got]) => want !== got);
    assert.equal(wrong, [], 'every answer matches its own request');
    const status = await clients[0]!.status();
    assert.is(status.clients, 20);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
});
many.run();

// ---------------------------------------------------------------------------------------------
// Plugins that trap or never return.

const bad = suite('trapping and looping plugins');
let bd: DaemonProcess | undefined;
let bc: PlugdClient;

bad.before(async () => {
  bd = await DaemonProcess.start({
    config: [
      { name: 'echo', path: samplePlugin('echo') },
      { name: 'trap', path: fixturePlugin('trap') },
      { name: 'loop', path: fixturePlugin('loop'), threads: 1, timeoutMs: 500 },
    ],
  });
  bc = await bd.connect();
  await waitSettled(bc);
});
bad.after(async () => {
  await bc?.close();
  await bd?.stop();
});

bad('a trap fails that call with PluginCrashedError; the next call succeeds', async () => {
  const { handle } = await bc.build({ provider: 'trap' });
  for (let round = 0; round < 3; round++) {
    const error = await rejection(bc.chat(handle, [user('trap')]));
    assert.instance(error, PluginCrashedError, `round ${round}: ${error.message}`);
    assert.is((error as PluginCrashedError).data?.plugin, 'trap');
    assert.match(error.message, 'the plugin trapped (unreachable)');
    const ok = await within(5000, 'call after a trap', bc.chat(handle, [user('hi')]));
    assert.is(ok.text, 'ok', `round ${round}`);
  }
  const trap = plugin((await bc.status()).plugins, 'trap');
  assert.is(trap.state, 'ready', 'a few traps do not fail the plugin');
  assert.ok(trap.errors >= 3, `errors: ${trap.errors}`);
});

bad('an endless loop hits timeout_ms: PluginTimeoutError; other plugins answer meanwhile; the next call succeeds', async () => {
  const { handle } = await bc.build({ provider: 'loop' });
  const { handle: echo } = await bc.build({ provider: 'echo' });
  const started = Date.now();
  let settled = false;
  const looping = rejection(bc.chat(handle, [user('loop')])).finally(() => (settled = true));
  await sleep(50);
  const meanwhile = await within(2000, 'echo while loop spins', bc.chat(echo, [user('meanwhile')]));
  assert.is(meanwhile.text, 'meanwhile');
  assert.not.ok(settled, 'echo answered while the loop was still running');
  const error = await within(10_000, 'timeout error', looping);
  const elapsed = Date.now() - started;
  assert.instance(error, PluginTimeoutError);
  const e = error as PluginTimeoutError;
  assert.is(e.data?.timeoutMs, 500);
  assert.is(e.data?.plugin, 'loop');
  assert.ok(elapsed >= 450 && elapsed < 5000, `timed out after ${elapsed} ms`);
  const next = await within(5000, 'call after timeout', bc.chat(handle, [user('hi')]));
  assert.is(next.text, 'ok');
  const loop = plugin((await bc.status()).plugins, 'loop');
  assert.is(loop.state, 'ready');
  assert.ok(loop.restarts >= 1, 'the stuck worker was replaced');
});

bad('a stream that never ends times out after its first chunk; the next stream succeeds', async () => {
  const { handle } = await bc.build({ provider: 'loop' });
  const stream = bc.chatStream(handle, [user('loop')]);
  const chunks: unknown[] = [];
  const error = await within(
    10_000,
    'stream timeout',
    rejection(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })(),
    ),
  );
  assert.instance(error, PluginTimeoutError);
  assert.equal(chunks, [{ type: 'text', text: 'looping' }], 'the chunk sent before the loop was delivered');
  const next = bc.chatStream(handle, [user('again')]);
  assert.is((await within(5000, 'next stream', next.result)).text, 'ok');
});

bad.run();
