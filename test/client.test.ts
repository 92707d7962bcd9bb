// PlugdClient's own behaviour against a scripted in-memory peer: wire shapes, typed errors,
// cancellation, chat stream routing/ordering, and hang-ups from either side.
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseError } from 'vscode-jsonrpc';
import { PlugdClient } from '../clients/client.js';
import {
  CancelledError,
  ConnectionClosedError,
  DaemonNotRunningError,
  PluginError,
  UnknownHandleError,
} from '../clients/errors.js';
import type { ChatResult, StreamChunk } from '../protocol/chat.js';
import { ErrorCodes } from '../protocol/errors.js';
import { cancelled, daemonStatus, fakeDaemon } from './clientFakeDaemon.js';

const user = (content: string) => [{ role: 'user' as const, content }];
const result = (text: string): ChatResult => ({ text, toolCalls: [], thinking: null, usage: null, finishReason: 'stop' });
const text = (t: string): StreamChunk => ({ type: 'text', text: t });
const done: StreamChunk = { type: 'done', finishReason: 'stop' };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Iterates a stream to its end; `chunks` (the caller's, to watch progress) receives what arrives. */
async function collect(stream: AsyncIterable<StreamChunk>, chunks: StreamChunk[] = []): Promise<{ chunks: StreamChunk[]; error?: unknown }> {
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

test('parameterless methods send {} (not [null]); results come back as sent', async () => {
  const fake = fakeDaemon({
    'daemon/status': () => daemonStatus(),
    'factories/list': () => ({ factories: [] }),
    'daemon/shutdown': () => ({ drained: 0 }),
  });
  await using client = fake.client;
  assert.equal(await client.status(), daemonStatus());
  assert.equal(await client.listFactories(), { factories: [] });
  assert.equal(await client.shutdown(), { drained: 0 });
  assert.equal(fake.requests.map((r) => r.params), [{}, {}, {}]);
});

test('each method sends its protocol method and params', async () => {
  const fake = fakeDaemon({
    initialize: () => ({ serverName: 'plugd', serverVersion: '0', protocolVersion: '1.0', capabilities: {} }),
    'factories/configSchema': () => ({ schema: { type: 'object' } }),
    'factories/listModels': () => ({ models: ['m'] }),
    'providers/build': () => ({ handle: 'h1' }),
    'providers/chat': () => result('hi'),
    'providers/embed': () => ({ embeddings: [[1]] }),
    'providers/complete': () => ({ text: 'done' }),
    'providers/dispose': () => ({}),
    'daemon/shutdown': () => ({ drained: 0 }),
  });
  await using client = fake.client;
  await client.initialize({ clientName: 'test' });
  assert.equal(await client.configSchema('echo'), { schema: { type: 'object' } });
  assert.equal(await client.listModels('echo'), { models: ['m'] });
  await client.listModels('echo', { api_key: 'k' });
  assert.equal(await client.build({ provider: 'echo', model: 'm' }), { handle: 'h1' });
  assert.equal(await client.chat('h1', user('hi')), result('hi'));
  const tools = [{ name: 'lookup', inputSchema: { type: 'object' } }];
  await client.chat('h1', user('hi'), { tools });
  assert.equal(await client.embed('h1', ['a']), { embeddings: [[1]] });
  assert.equal(await client.complete({ handle: 'h1', prompt: 'p', suffix: 's' }), { text: 'done' });
  assert.is(await client.dispose('h1'), undefined);
  await client.shutdown({ drainTimeoutMs: 5 });
  assert.equal(fake.requests, [
    { method: 'initialize', params: { clientName: 'test', protocolVersion: '1.0' } },
    { method: 'factories/configSchema', params: { name: 'echo' } },
    { method: 'factories/listModels', params: { name: 'echo' } },
    { method: 'factories/listModels', params: { name: 'echo', config: { api_key: 'k' } } },
    { method: 'providers/build', params: { provider: 'echo', model: 'm' } },
    { method: 'providers/chat', params: { handle: 'h1', messages: user('hi') } },
    { method: 'providers/chat', params: { handle: 'h1', messages: user('hi'), tools } },
    { method: 'providers/embed', params: { handle: 'h1', inputs: ['a'] } },
    { method: 'providers/complete', params: { handle: 'h1', prompt: 'p', suffix: 's' } },
    { method: 'providers/dispose', params: { handle: 'h1' } },
    { method: 'daemon/shutdown', params: { drainTimeoutMs: 5 } },
  ]);
});

test('error answers reject with the typed class', async () => {
  const fake = fakeDaemon({
    'providers/chat': () => {
      throw new ResponseError(ErrorCodes.UnknownHandle, 'unknown handle h9', { path: 'handle' });
    },
  });
  await using client = fake.client;
  const error = await rejection(client.chat('h9', user('x')));
  assert.instance(error, UnknownHandleError);
  assert.is((error as UnknownHandleError).message, 'unknown handle h9');
  assert.equal((error as UnknownHandleError).data, { path: 'handle' });
});

test('aborting a call sends $/cancelRequest and rejects with CancelledError at once', async () => {
  let serverSawCancel = false;
  const fake = fakeDaemon({
    'providers/chat': async (_params, token) => {
      await cancelled(token);
      serverSawCancel = true;
      // A daemon that takes its time to acknowledge must not hold the caller up.
      await sleep(200);
      throw new ResponseError(ErrorCodes.RequestCancelled, 'cancelled');
    },
  });
  await using client = fake.client;
  const abort = new AbortController();
  const call = client.chat('h', user('x'), { signal: abort.signal });
  await sleep(20);
  const reason = new Error('user gave up');
  abort.abort(reason);
  const started = Date.now();
  const error = await rejection(call);
  assert.ok(Date.now() - started < 100);
  assert.instance(error, CancelledError);
  assert.is((error as CancelledError).cause, reason);
  await sleep(20);
  assert.ok(serverSawCancel);
});

test('an already aborted signal rejects without sending anything', async () => {
  const fake = fakeDaemon({ 'providers/chat': () => result('x') });
  await using client = fake.client;
  const error = await rejection(client.chat('h', user('x'), { signal: AbortSignal.abort() }));
  assert.instance(error, CancelledError);
  await sleep(10);
  assert.is(fake.requests.length, 0);
});

test('chatStream yields chunks in seq order, then ends; result resolves', async () => {
  const fake = fakeDaemon({
    'providers/chatStream': async (params: { streamId: string }, _token, f) => {
      // Deliberately out of order: the client must reorder by seq.
      await f.chunk(params.streamId, 1, text(' world'));
      await f.chunk(params.streamId, 0, text('hello'));
      await f.chunk(params.streamId, 2, done);
      return result('hello world');
    },
  });
  await using client = fake.client;
  const stream = client.chatStream('h', user('hi'));
  assert.type(stream.streamId, 'string');
  const { chunks, error } = await collect(stream);
  assert.is(error, undefined);
  assert.equal(chunks, [text('hello'), text(' world'), done]);
  assert.equal(await stream.result, result('hello world'));
  const sent = fake.requests[0]!.params as { streamId: string; handle: string };
  assert.is(sent.streamId, stream.streamId);
  assert.is(sent.handle, 'h');
});

test('chunks of concurrent streams are routed by streamId; foreign and duplicate chunks are ignored', async () => {
  const fake = fakeDaemon({
    'providers/chatStream': async (params: { streamId: string; messages: Array<{ content: string }> }, _token, f) => {
      const word = params.messages[0]!.content;
      await f.chunk('someone-else', 0, text('stray'));
      await f.chunk(params.streamId, 0, text(word));
      await f.chunk(params.streamId, 0, text('duplicate'));
      await sleep(10);
      await f.chunk(params.streamId, 1, done);
      return result(word);
    },
  });
  await using client = fake.client;
  const [a, b] = [client.chatStream('h', user('a')), client.chatStream('h', user('b'))];
  assert.is.not(a.streamId, b.streamId);
  const [ra, rb] = await Promise.all([collect(a), collect(b)]);
  assert.equal(ra.chunks, [text('a'), done]);
  assert.equal(rb.chunks, [text('b'), done]);
});

test('when the request settles, chunks received across a gap are still yielded in order', async () => {
  const fake = fakeDaemon({
    'providers/chatStream': async (params: { streamId: string }, _token, f) => {
      await f.chunk(params.streamId, 0, text('a'));
      await f.chunk(params.streamId, 3, text('d'));
      await f.chunk(params.streamId, 2, text('c'));
      return result('acd');
    },
  });
  await using client = fake.client;
  const { chunks } = await collect(client.chatStream('h', user('x')));
  assert.equal(chunks, [text('a'), text('c'), text('d')]);
});

test('a failing stream yields what arrived, then throws the typed error; result rejects the same', async () => {
  const fake = fakeDaemon({
    'providers/chatStream': async (params: { streamId: string }, _token, f) => {
      await f.chunk(params.streamId, 0, text('partial'));
      throw new ResponseError(ErrorCodes.PluginError, 'plugin error', { payload: { type: 'Auth', message: 'bad key' } });
    },
  });
  await using client = fake.client;
  const stream = client.chatStream('h', user('x'));
  const { chunks, error } = await collect(stream);
  assert.equal(chunks, [text('partial')]);
  assert.instance(error, PluginError);
  assert.equal((error as PluginError).payload, { type: 'Auth', message: 'bad key' });
  assert.is(await rejection(stream.result), error);
});

test('breaking out of the loop cancels the request; later chunks are dropped; result rejects CancelledError', async () => {
  let serverSawCancel = false;
  let lateChunksSent = false;
  const fake = fakeDaemon({
    'providers/chatStream': async (params: { streamId: string }, token, f) => {
      await f.chunk(params.streamId, 0, text('first'));
      await cancelled(token);
      serverSawCancel = true;
      await f.chunk(params.streamId, 1, text('too late'));
      lateChunksSent = true;
      throw new ResponseError(ErrorCodes.RequestCancelled, 'cancelled');
    },
  });
  await using client = fake.client;
  const stream = client.chatStream('h', user('x'));
  const seen: StreamChunk[] = [];
  for await (const chunk of stream) {
    seen.push(chunk);
    break;
  }
  assert.equal(seen, [text('first')]);
  assert.instance(await rejection(stream.result), CancelledError);
  while (!lateChunksSent) await sleep(5);
  assert.ok(serverSawCancel);
  // The stream is finished: a second iteration is refused rather than replaying anything.
  assert.throws(() => stream[Symbol.asyncIterator](), /only once/);
  // The connection is still usable.
  assert.ok(!client.isClosed);
});

test('ignoring a cancelled stream result does not produce an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const fake = fakeDaemon({
      'providers/chatStream': async (params: { streamId: string }, token, f) => {
        await f.chunk(params.streamId, 0, text('x'));
        await cancelled(token);
        throw new ResponseError(ErrorCodes.RequestCancelled, 'cancelled');
      },
    });
    await using client = fake.client;
    for await (const _chunk of client.chatStream('h', user('x'))) break;
    const stream = client.chatStream('h', user('y'));
    stream.cancel();
    await sleep(50);
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test("aborting a stream's signal ends the iteration with CancelledError after the chunks so far", async () => {
  const fake = fakeDaemon({
    'providers/chatStream': async (params: { streamId: string }, token, f) => {
      await f.chunk(params.streamId, 0, text('one'));
      await cancelled(token);
      throw new ResponseError(ErrorCodes.RequestCancelled, 'cancelled');
    },
  });
  await using client = fake.client;
  const abort = new AbortController();
  const stream = client.chatStream('h', user('x'), { signal: abort.signal });
  const iterator = stream[Symbol.asyncIterator]();
  assert.equal(await iterator.next(), { done: false, value: text('one') });
  abort.abort();
  const error = await rejection(iterator.next());
  assert.instance(error, CancelledError);
  assert.equal(await iterator.next(), { done: true, value: undefined });
});

test('the daemon hanging up rejects pending calls and streams with ConnectionClosedError', async () => {
  const fake = fakeDaemon({
    'providers/chat': () => new Promise(() => {}),
    'providers/chatStream': async (params: { streamId: string }, _token, f) => {
      await f.chunk(params.streamId, 0, text('before'));
      return new Promise(() => {});
    },
  });
  const client = fake.client;
  const call = client.chat('h', user('x'));
  const stream = client.chatStream('h', user('y'));
  const seen: StreamChunk[] = [];
  const iterated = collect(stream, seen);
  // Hang up once the chunk has arrived (a fixed wait can be too short on a busy machine).
  for (let i = 0; seen.length === 0 && i < 1000; i++) await sleep(5);
  fake.hangUp();
  assert.instance(await rejection(call), ConnectionClosedError);
  const { chunks, error } = await iterated;
  assert.equal(chunks, [text('before')]);
  assert.instance(error, ConnectionClosedError);
  await client.closed;
  assert.ok(client.isClosed);
  const after = await rejection(client.status());
  assert.instance(after, ConnectionClosedError);
  await client.close();
});

test('close() rejects pending calls, tells the daemon, and is idempotent; await using closes too', async () => {
  const fake = fakeDaemon({ 'providers/chat': () => new Promise(() => {}) });
  const call = fake.client.chat('h', user('x'));
  await sleep(10);
  await Promise.all([fake.client.close(), fake.client.close()]);
  const error = await rejection(call);
  assert.instance(error, ConnectionClosedError);
  assert.is((error as ConnectionClosedError).message, 'the client was closed');
  await fake.clientGone;

  const second = fakeDaemon({});
  {
    await using scoped = second.client;
    assert.ok(!scoped.isClosed);
  }
  assert.ok(second.client.isClosed);
  await second.clientGone;
});

test('connect() to a socket nobody listens on rejects with DaemonNotRunningError', async () => {
  const socketPath = `/tmp/plugd-client-test-${process.pid}-missing.sock`;
  const error = await rejection(PlugdClient.connect({ socketPath }));
  assert.instance(error, DaemonNotRunningError);
  assert.is((error as DaemonNotRunningError).socketPath, socketPath);
  assert.is((error as DaemonNotRunningError).code, 'ENODAEMON');
});

test('connect() honours $PLUGD_SOCKET', async () => {
  const saved = process.env.PLUGD_SOCKET;
  process.env.PLUGD_SOCKET = `/tmp/plugd-client-test-${process.pid}-env.sock`;
  try {
    const error = await rejection(PlugdClient.connect());
    assert.is((error as DaemonNotRunningError).socketPath, process.env.PLUGD_SOCKET);
  } finally {
    if (saved === undefined) delete process.env.PLUGD_SOCKET;
    else process.env.PLUGD_SOCKET = saved;
  }
});

test('spawnStdio with a command that exits at once: calls reject with ConnectionClosedError naming the exit', async () => {
  const client = await PlugdClient.spawnStdio({ command: [process.execPath, '-e', 'process.exit(3)'], stderr: 'ignore' });
  const error = await rejection(client.status());
  assert.instance(error, ConnectionClosedError);
  assert.is((error as ConnectionClosedError).message, 'the plugd daemon process exited with code 3');
  await client.close();
});

test.run();
