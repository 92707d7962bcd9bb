// Every documented error, as a client sees it: the typed error class, the wire code, the message
// and the `data` members clients rely on. One real daemon process on a private socket.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseError } from 'vscode-jsonrpc';
import type { PlugdClient } from '../clients/client.js';
import {
  InvalidParamsError,
  InvalidProviderConfigError,
  PluginError,
  PluginFailedError,
  UnknownHandleError,
  UnknownProviderError,
  UnsupportedError,
  type PlugdError,
} from '../clients/errors.js';
import { ErrorCodes } from '../protocol/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { connectionOver, RawSocket } from './helpers/rawRpc.js';
import { rejection, waitSettled, within } from './helpers/serve.js';
import { connect } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';

const user = (content: string) => ({ role: 'user' as const, content });

const s = suite('errors');
let daemon: DaemonProcess | undefined;
let client: PlugdClient;
let echo: string;
let missingPath: string;

s.before(async () => {
  missingPath = join('/nonexistent-plugd-test', 'missing.wasm');
  daemon = await DaemonProcess.start({
    config: [
      { name: 'echo', path: samplePlugin('echo'), config: { prefix: 'P:' } },
      { name: 'counter', path: fixturePlugin('counter') },
      { name: 'trap', path: fixturePlugin('trap') },
      { name: 'broken', path: missingPath },
    ],
  });
  client = await daemon.connect();
  await waitSettled(client);
  echo = (await client.build({ provider: 'echo' })).handle;
});
s.after(async () => {
  await client?.close();
  await daemon?.stop();
});

/** Rejection of `promise`, checked to be an instance of `type`. */
async function failsWith<T extends PlugdError>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T, code: number): Promise<T> {
  const error = await rejection(promise);
  if (!(error instanceof type)) assert.unreachable(`expected ${type.name}, got ${error.name}: ${error.message}`);
  const e = error as T;
  assert.is(e.code, code, `wire code of ${type.name}`);
  return e;
}

s('an unknown method is answered with MethodNotFound (-32601) and the connection stays usable', async () => {
  const socket = connect(daemon!.socketPath);
  await once(socket, 'connect');
  const connection = connectionOver(socket, socket);
  try {
    const error = await rejection(within(5000, 'unknown method', connection.sendRequest('providers/teleport', { handle: 'x' })));
    assert.instance(error, ResponseError);
    assert.is((error as ResponseError<unknown>).code, ErrorCodes.MethodNotFound);
    assert.match(error.message, 'providers/teleport');
    const status = await within(5000, 'status after unknown method', connection.sendRequest<{ version: string }>('daemon/status', {}));
    assert.type(status.version, 'string');
  } finally {
    connection.dispose();
    socket.destroy();
  }
});

s('an unknown method on a raw socket: error -32601 echoes the id; an unknown notification is ignored', async () => {
  const raw = await RawSocket.connect(daemon!.socketPath);
  try {
    raw.send({ method: 'no/such/notification', params: {} });
    raw.send({ id: 7, method: 'no/such/method', params: {} });
    const answer = await raw.response(7);
    const error = answer.error as { code: number; message: string };
    assert.is(error.code, -32601);
    assert.match(error.message, 'no/such/method');
    raw.send({ id: 8, method: 'daemon/status', params: {} });
    const status = await raw.response(8);
    assert.type((status.result as { pid: number }).pid, 'number');
    assert.equal(
      raw.messages.map((m) => m.id),
      [7, 8],
      'exactly one answer per request, none for the notification',
    );
    assert.not.ok(raw.isClosed);
  } finally {
    raw.destroy();
  }
});

s('params may be omitted or null where they are optional; without required params, or by position, a request is InvalidParams', async () => {
  const raw = await RawSocket.connect(daemon!.socketPath);
  try {
    // JSON-RPC 2.0 lets a request leave out `params`.
    raw.send({ id: 1, method: 'daemon/status' });
    raw.send({ id: 2, method: 'factories/list' });
    raw.send({ id: 3, method: 'daemon/status', params: null });
    raw.send({ id: 4, method: 'factories/list', params: null });
    for (const id of [1, 3]) {
      const status = await raw.response(id);
      assert.equal(status.error, undefined, `daemon/status #${id}: ${JSON.stringify(status.error)}`);
      assert.type((status.result as { pid: number }).pid, 'number');
    }
    for (const id of [2, 4]) {
      const list = await raw.response(id);
      assert.equal(list.error, undefined, `factories/list #${id}: ${JSON.stringify(list.error)}`);
      assert.ok(Array.isArray((list.result as { factories: unknown[] }).factories));
    }
    raw.send({ id: 5, method: 'providers/build' });
    raw.send({ id: 6, method: 'providers/build', params: null });
    for (const id of [5, 6]) {
      const build = (await raw.response(id)).error as { code: number; message: string; data?: { path?: string } };
      assert.is(build.code, -32602, `providers/build #${id}`);
      assert.match(build.message, /^providers\/build: params/);
      assert.is(build.data?.path, 'params');
    }
    // Params are passed by name (docs/protocol.md): by position is InvalidParams, even where
    // every param is optional.
    raw.send({ id: 7, method: 'daemon/status', params: [{}] });
    raw.send({ id: 8, method: 'providers/build', params: [{ provider: 'echo' }] });
    for (const id of [7, 8]) {
      const refused = (await raw.response(id)).error as { code: number; message: string; data?: { path?: string } };
      assert.is(refused?.code, -32602, `by-position params #${id}: ${JSON.stringify(refused)}`);
      assert.match(refused.message, /: params: /);
      assert.is(refused.data?.path, 'params');
    }
  } finally {
    raw.destroy();
  }
});

s('invalid params: a missing field names the method, params.<field> and data.path', async () => {
  const build = await failsWith(client.build({} as never), InvalidParamsError, -32602);
  assert.match(build.message, /^providers\/build: /);
  assert.match(build.message, 'params.provider');
  assert.is(build.data?.path, 'provider');

  const chat = await failsWith(client.chat(echo, undefined as never), InvalidParamsError, -32602);
  assert.match(chat.message, /^providers\/chat: /);
  assert.match(chat.message, 'params.messages');
  assert.is(chat.path, 'messages');
});

s('invalid params: a wrong type names the field, nested fields by their JSON path', async () => {
  const build = await failsWith(client.build({ provider: 'echo', model: 5 as never }), InvalidParamsError, -32602);
  assert.match(build.message, 'providers/build');
  assert.match(build.message, 'params.model');
  assert.is(build.data?.path, 'model');

  const role = await failsWith(client.chat(echo, [{ role: 'robot' as never, content: 'x' }]), InvalidParamsError, -32602);
  assert.match(role.message, 'providers/chat');
  assert.match(role.message, 'params.messages[0].role');
  assert.is(role.data?.path, 'messages[0].role');

  const empty = await failsWith(client.chat(echo, []), InvalidParamsError, -32602);
  assert.is(empty.data?.path, 'messages', 'at least one message');

  const tokens = await failsWith(client.build({ provider: 'echo', maxTokens: 0 }), InvalidParamsError, -32602);
  assert.is(tokens.data?.path, 'maxTokens', 'maxTokens must be positive');
});

s('invalid params: an unknown field is named in the message and in data.path', async () => {
  const build = await failsWith(client.build({ provider: 'echo', bogus: 1 } as never), InvalidParamsError, -32602);
  assert.match(build.message, 'providers/build');
  assert.match(build.message, 'bogus');
  assert.match(build.message, 'params.bogus');
  assert.is(build.data?.path, 'bogus');

  const part = await failsWith(client.chat(echo, [{ role: 'user', content: 'x', name: 'me' } as never]), InvalidParamsError, -32602);
  assert.match(part.message, 'params.messages[0].name');
  assert.is(part.data?.path, 'messages[0].name');
});

s('UnknownProvider names the provider and the configured ones', async () => {
  const build = await failsWith(client.build({ provider: 'nope' }), UnknownProviderError, ErrorCodes.UnknownProvider);
  assert.match(build.message, '"nope"');
  assert.match(build.message, '"echo"');
  await failsWith(client.configSchema('nope'), UnknownProviderError, ErrorCodes.UnknownProvider);
  await failsWith(client.listModels('nope'), UnknownProviderError, ErrorCodes.UnknownProvider);
});

s('UnknownHandle for a handle never built, on every handle method', async () => {
  const bogus = 'h_never_built';
  // All sent at once; each checked as its answer comes (none left without a handler meanwhile).
  const checks = [
    client.chat(bogus, [user('hi')]),
    client.chatStream(bogus, [user('hi')]).result,
    client.embed(bogus, ['x']),
    client.complete({ handle: bogus, prompt: 'x' }),
    client.dispose(bogus),
  ].map((call) => failsWith(call, UnknownHandleError, ErrorCodes.UnknownHandle));
  for (const e of await Promise.all(checks)) assert.match(e.message, bogus);
});

s('UnknownHandle for a handle built on another connection; the owner keeps using it', async () => {
  const other = await daemon!.connect();
  try {
    const { handle } = await other.build({ provider: 'echo' });
    await failsWith(client.chat(handle, [user('hi')]), UnknownHandleError, ErrorCodes.UnknownHandle);
    await failsWith(client.dispose(handle), UnknownHandleError, ErrorCodes.UnknownHandle);
    assert.is((await other.chat(handle, [user('mine')])).text, 'P:mine', 'a foreign dispose attempt does not release it');
  } finally {
    await other.close();
  }
});

s('Unsupported for capabilities a plugin does not export', async () => {
  const counter = (await client.build({ provider: 'counter' })).handle;
  const trap = (await client.build({ provider: 'trap' })).handle;
  const embed = await failsWith(client.embed(counter, ['x']), UnsupportedError, ErrorCodes.Unsupported);
  assert.match(embed.message, 'embed');
  assert.is(embed.data?.plugin, 'counter');
  const stream = await failsWith(client.chatStream(counter, [user('hi')]).result, UnsupportedError, ErrorCodes.Unsupported);
  assert.match(stream.message, 'chat_stream');
  const complete = await failsWith(client.complete({ handle: trap, prompt: 'x' }), UnsupportedError, ErrorCodes.Unsupported);
  assert.match(complete.message, 'complete');
  assert.is(complete.data?.plugin, 'trap');
  // counter's schema has no `system` key, so a system message cannot be delivered.
  const system = await failsWith(client.chat(counter, [{ role: 'system', content: 'be nice' }, user('hi')]), UnsupportedError, ErrorCodes.Unsupported);
  assert.is(system.data?.path, 'messages');
  // The handles still work for what the plugins do support.
  assert.type((await client.chat(counter, [user('hi')])).text, 'string');
});

s('PluginError carries the plugin\'s typed payload', async () => {
  const chat = await failsWith(client.chat(echo, [user('/fail')]), PluginError, ErrorCodes.PluginError);
  assert.is(chat.data?.plugin, 'echo');
  assert.equal(chat.data?.payload, { type: 'provider_error', message: 'echo was asked to fail' });
  assert.match(chat.message, 'echo was asked to fail');
  const complete = await failsWith(client.complete({ handle: echo, prompt: '/fail' }), PluginError, ErrorCodes.PluginError);
  assert.is(complete.data?.payload?.type, 'provider_error');
  const count = await failsWith(client.chat(echo, [user('/count lots')]), PluginError, ErrorCodes.PluginError);
  assert.is(count.data?.payload?.type, 'invalid_request');
  assert.is((await client.chat(echo, [user('still fine')])).text, 'P:still fine', 'a plugin error does not break the handle');
});

s('PluginFailed for a plugin that failed to load, with the reason', async () => {
  const build = await failsWith(client.build({ provider: 'broken' }), PluginFailedError, ErrorCodes.PluginFailed);
  assert.is(build.data?.plugin, 'broken');
  assert.match(build.message, missingPath);
  assert.match(String(build.data?.reason), missingPath);
  assert.match(String(build.data?.reason), 'not found');
  await failsWith(client.configSchema('broken'), PluginFailedError, ErrorCodes.PluginFailed);
  await failsWith(client.listModels('broken'), PluginFailedError, ErrorCodes.PluginFailed);
});

s('InvalidProviderConfig names the offending config key in data.path', async () => {
  const model = await failsWith(client.build({ provider: 'echo', model: 'gpt-4' }), InvalidProviderConfigError, ErrorCodes.InvalidProviderConfig);
  assert.is(model.data?.path, 'config.model');
  assert.match(model.message, 'echo-1');
  const temperature = await failsWith(
    client.build({ provider: 'echo', parameters: { temperature: 'hot' } }),
    InvalidProviderConfigError,
    ErrorCodes.InvalidProviderConfig,
  );
  assert.is(temperature.data?.path, 'config.temperature');
  assert.is(temperature.data?.plugin, 'echo');
});

s.run();
