// Every protocol method, over every transport (a real daemon process on a unix socket, a real
// daemon process on stdio, an in-process daemon on an in-memory stream pair).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PlugdClient } from '../clients/client.js';
import { InvalidProviderConfigError, PluginError, UnknownHandleError } from '../clients/errors.js';
import type { StreamChunk } from '../protocol/chat.js';
import type { PluginStatus } from '../protocol/daemon.js';
import { ProvidersChatChunkNotification } from '../protocol/providers.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { providersToml, type ProviderSpec } from './helpers/config.js';
import { cliMain, fixturePlugin, repoRoot, samplePlugin } from './helpers/paths.js';
import { rawConnectOver } from './helpers/rawRpc.js';
import { canConnect, cleanEnv, eventually, rejection, waitSettled, within } from './helpers/serve.js';
import { connectOver, transportKinds, type Connected } from './helpers/transports.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const providers: ProviderSpec[] = [
  { name: 'echo', path: samplePlugin('echo'), threads: 2, timeoutMs: 30_000, config: { prefix: 'P:', model: 'echo-1' } },
  { name: 'counter', path: fixturePlugin('counter') },
];

const user = (content: string) => ({ role: 'user' as const, content });

function plugin(plugins: PluginStatus[], name: string): PluginStatus {
  const found = plugins.find((p) => p.name === name);
  if (!found) throw new Error(`no plugin "${name}" in status: ${JSON.stringify(plugins)}`);
  return found;
}

async function collect(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function textOf(chunks: StreamChunk[]): string {
  return chunks.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

for (const kind of transportKinds) {
  const s = suite(`protocol over ${kind}`);
  let conn: Connected | undefined;
  let client: PlugdClient;

  s.before(async () => {
    conn = await connectOver(kind, providers);
    client = conn.client;
    await waitSettled(client);
  });
  s.after(async () => {
    await conn?.[Symbol.asyncDispose]();
  });

  s('initialize reports the server, its version, the protocol version and capabilities', async () => {
    const init = await client.initialize({ clientName: 'protocol-test', clientVersion: '0.0.1' });
    assert.is(init.serverName, 'plugd');
    assert.is(init.serverVersion, packageVersion);
    assert.is(init.protocolVersion, PROTOCOL_VERSION);
    assert.is(init.capabilities.chatStreaming, true);
    assert.is(init.capabilities.cancellation, true);
    assert.ok(init.capabilities.pluginTypes.includes('wasm'), `pluginTypes: ${JSON.stringify(init.capabilities.pluginTypes)}`);
  });

  s('daemon/status reports identity, config path, socket and every plugin', async () => {
    const status = await client.status();
    assert.is(status.version, packageVersion);
    assert.ok(Number.isInteger(status.pid) && status.pid > 0);
    if (kind === 'memory') assert.is(status.pid, process.pid);
    else {
      assert.is.not(status.pid, process.pid, 'a daemon process has its own pid');
      process.kill(status.pid, 0); // throws when no such process
    }
    assert.ok(isAbsolute(status.configPath), status.configPath);
    assert.ok(status.configPath.endsWith('plugins.toml'), status.configPath);
    assert.ok(readFileSync(status.configPath, 'utf8').includes(samplePlugin('echo')), 'configPath is the file the daemon loaded');
    if (kind === 'socket') {
      assert.type(status.socketPath, 'string');
      assert.ok(existsSync(status.socketPath!), `socket ${status.socketPath} exists`);
    } else {
      assert.is(status.socketPath, null);
    }
    assert.ok(status.clients >= 1, `clients: ${status.clients}`);
    assert.ok(status.uptimeMs >= 0);
    const started = Date.parse(status.startedAt);
    assert.ok(Number.isFinite(started) && started <= Date.now(), status.startedAt);

    assert.equal(status.plugins.map((p) => p.name), ['echo', 'counter'], 'config order');
    const echo = plugin(status.plugins, 'echo');
    assert.is(echo.kind, 'provider');
    assert.is(echo.type, 'wasm');
    assert.is(echo.source, samplePlugin('echo'));
    assert.is(echo.state, 'ready');
    assert.is(echo.error, null);
    assert.is(echo.pluginName, 'echo');
    assert.ok(typeof echo.loadTimeMs === 'number' && echo.loadTimeMs >= 0, `loadTimeMs ${echo.loadTimeMs}`);
    assert.ok(echo.readyAt !== null && Number.isFinite(Date.parse(echo.readyAt)), `readyAt ${echo.readyAt}`);
    assert.ok(Date.parse(echo.readyAt!) >= started - 1, 'ready after start');
    assert.is(echo.threads, 2);
    assert.is(echo.timeoutMs, 30_000);
    const counter = plugin(status.plugins, 'counter');
    assert.is(counter.source, fixturePlugin('counter'));
    assert.is(counter.state, 'ready');
    assert.is(counter.pluginName, 'counter');
    assert.is(counter.threads, 1, 'default threads');
    assert.is(counter.timeoutMs, 120_000, 'default timeout_ms');
    for (const p of status.plugins) {
      for (const field of ['calls', 'errors', 'restarts'] as const) assert.ok(Number.isInteger(p[field]) && p[field] >= 0, `${p.name}.${field}`);
    }
  });

  s('daemon/status counters count calls and failed calls per plugin', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const before = await client.status();
    await client.chat(handle, [user('count me')]);
    const afterOk = await client.status();
    assert.is(plugin(afterOk.plugins, 'echo').calls, plugin(before.plugins, 'echo').calls + 1, 'one chat is one plugin call');
    assert.is(plugin(afterOk.plugins, 'echo').errors, plugin(before.plugins, 'echo').errors);
    await rejection(client.chat(handle, [user('/fail')]));
    const afterFail = await client.status();
    assert.is(plugin(afterFail.plugins, 'echo').calls, plugin(afterOk.plugins, 'echo').calls + 1);
    assert.is(plugin(afterFail.plugins, 'echo').errors, plugin(afterOk.plugins, 'echo').errors + 1, 'a plugin error counts as an error');
    assert.is(plugin(afterFail.plugins, 'counter').calls, plugin(before.plugins, 'counter').calls, 'other plugins unaffected');
    await client.dispose(handle);
  });

  s('factories/list reports state and capabilities derived from exports', async () => {
    const { factories } = await client.listFactories();
    assert.equal(factories.map((f) => f.name), ['echo', 'counter']);
    const [echo, counter] = factories;
    assert.is(echo?.state, 'ready');
    assert.is(echo?.error, null);
    assert.equal(echo?.capabilities, { chat: true, stream: true, embed: true, complete: true, listModels: true });
    assert.is(echo?.apiKeyName, null, 'echo names no API key variable');
    assert.is(echo?.baseUrl, 'http://localhost/echo');
    assert.is(counter?.state, 'ready');
    assert.equal(counter?.capabilities, { chat: true, stream: false, embed: false, complete: true, listModels: true });
    assert.is(counter?.baseUrl, null);
  });

  s('factories/configSchema returns the plugin\'s JSON Schema', async () => {
    const { schema } = await client.configSchema('echo');
    assert.is(schema.type, 'object');
    assert.is(schema.title, 'EchoConfig');
    const props = schema.properties as Record<string, { type?: string; enum?: string[] }>;
    assert.equal(Object.keys(props).sort(), ['max_tokens', 'model', 'prefix', 'stream', 'system', 'temperature']);
    assert.equal(props.model?.enum, ['echo-1', 'echo-2']);
    const counter = await client.configSchema('counter');
    assert.equal(counter.schema, { type: 'object', properties: {} });
  });

  s('factories/listModels with and without a config overlay', async () => {
    assert.equal(await client.listModels('echo'), { models: ['echo-1', 'echo-2'] });
    assert.equal(await client.listModels('echo', { prefix: 'Z:', model: 'echo-2', not_in_schema: true }), { models: ['echo-1', 'echo-2'] });
    assert.equal(await client.listModels('counter'), { models: ['counter-1'] });
  });

  s('providers/build applies [providers.config] defaults and overlays builder fields', async () => {
    const plain = await client.build({ provider: 'echo' });
    assert.match(plain.handle, /\S/);
    assert.is((await client.chat(plain.handle, [user('hi')])).text, 'P:hi', 'configured prefix applied');
    assert.is((await client.complete({ handle: plain.handle, prompt: 'a' })).text, 'P:a');

    const overlaid = await client.build({ provider: 'echo', model: 'echo-2', system: 'SYS', parameters: { prefix: 'Q:' } });
    assert.is.not(overlaid.handle, plain.handle, 'every build gets its own handle');
    assert.is((await client.chat(overlaid.handle, [user('hi')])).text, 'Q:hi', 'parameters overlay the defaults');
    assert.is((await client.chat(overlaid.handle, [user('/system')])).text, 'SYS', 'the system builder field reaches the plugin');
    assert.is((await client.chat(plain.handle, [user('hi')])).text, 'P:hi', 'the first handle keeps its config');

    // echo's from_config rejects unknown keys (like serde's deny_unknown_fields): this build
    // succeeds only if keys outside the plugin's schema are pruned before from_config.
    const pruned = await client.build({ provider: 'echo', parameters: { bogus: 1, nested: { x: 1 }, prefix: 'R:' } });
    assert.is((await client.chat(pruned.handle, [user('hi')])).text, 'R:hi');
    for (const h of [plain, overlaid, pruned]) await client.dispose(h.handle);
  });

  s('providers/build rejects a model outside the schema with data.path config.model', async () => {
    const error = await rejection(client.build({ provider: 'echo', model: 'gpt-4' }));
    assert.instance(error, InvalidProviderConfigError);
    const e = error as InvalidProviderConfigError;
    assert.is(e.data?.path, 'config.model');
    assert.is(e.data?.plugin, 'echo');
    assert.match(e.message, 'config.model');
  });

  s('providers/build turns a from_config typed error into InvalidProviderConfigError', async () => {
    // The schema only says max_tokens >= 1; echo's from_config also caps it at 2^32-1.
    const error = await rejection(client.build({ provider: 'echo', maxTokens: 5_000_000_000 }));
    assert.instance(error, InvalidProviderConfigError);
    const e = error as InvalidProviderConfigError;
    assert.match(e.message, 'max_tokens');
    assert.is(e.data?.plugin, 'echo');
    assert.is(e.data?.payload?.type, 'invalid_request');
    assert.match(String(e.data?.payload?.message), 'max_tokens');
  });

  s('providers/dispose releases a handle; later use gives UnknownHandleError', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    assert.equal(await client.dispose(handle), undefined);
    const chat = await rejection(client.chat(handle, [user('hi')]));
    assert.instance(chat, UnknownHandleError);
    assert.match(chat.message, handle);
    assert.instance(await rejection(client.dispose(handle)), UnknownHandleError, 'disposing twice');
    assert.instance(await rejection(client.complete({ handle, prompt: 'x' })), UnknownHandleError);
  });

  s('providers/chat returns text, usage and finishReason', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const result = await client.chat(handle, [user('hello brave world')]);
    assert.equal(result, {
      text: 'P:hello brave world',
      toolCalls: [],
      thinking: null,
      usage: { inputTokens: 3, outputTokens: 3 },
      finishReason: 'stop',
    });
    // Multi-turn, with typed content parts: the reply echoes the last user message; input tokens
    // count the words of every user message.
    const turns = await client.chat(handle, [
      user('first question'),
      { role: 'assistant', content: 'an answer' },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ]);
    assert.is(turns.text, 'P:second');
    assert.equal(turns.usage, { inputTokens: 3, outputTokens: 1 });
    await client.dispose(handle);
  });

  s('providers/chat passes system messages to the plugin as its system prompt', async () => {
    const plain = await client.build({ provider: 'echo' });
    const one = await client.chat(plain.handle, [{ role: 'system', content: 'be brief' }, user('/system')]);
    assert.is(one.text, 'be brief');
    const two = await client.chat(plain.handle, [
      { role: 'system', content: 'rule one' },
      { role: 'system', content: [{ type: 'text', text: 'rule two' }] },
      user('/system'),
    ]);
    assert.is(two.text, 'rule one\n\nrule two', 'several system messages are joined');
    const withBase = await client.build({ provider: 'echo', system: 'BASE' });
    const merged = await client.chat(withBase.handle, [{ role: 'system', content: 'extra' }, user('/system')]);
    assert.is(merged.text, 'BASE\n\nextra', 'system messages are appended to the configured system prompt');
    await client.dispose(plain.handle);
    await client.dispose(withBase.handle);
  });

  s('providers/chat returns tool calls when tools are given', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const tools = [
      { name: 'lookup', description: 'Looks something up', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'other', inputSchema: { type: 'object' } },
    ];
    const result = await client.chat(handle, [user('/tool')], { tools });
    assert.is(result.text, null);
    assert.equal(result.toolCalls, [{ id: 'call_1', name: 'lookup', arguments: { echo: true } }]);
    assert.is(result.finishReason, 'toolCalls');
    assert.equal(result.usage, { inputTokens: 1, outputTokens: 0 });
    const noTools = await client.chat(handle, [user('/tool')]);
    assert.is(noTools.text, 'P:/tool', 'without tools /tool is plain text');
    assert.equal(noTools.toolCalls, []);
    await client.dispose(handle);
  });

  s('providers/chatStream streams chunks in order; text, usage, done, and the result agree', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, [user('one two  three four')]);
    const chunks = await within(15_000, 'chatStream', collect(stream));
    const result = await stream.result;
    const texts = chunks.filter((c) => c.type === 'text');
    assert.ok(texts.length >= 2, `several text chunks: ${JSON.stringify(chunks)}`);
    assert.is(textOf(chunks), 'P:one two  three four');
    assert.is(result.text, textOf(chunks), 'concatenated chunks equal the final text');
    const last = chunks[chunks.length - 1];
    const beforeLast = chunks[chunks.length - 2];
    assert.equal(last, { type: 'done', finishReason: 'stop' }, 'done is the last chunk');
    assert.equal(beforeLast, { type: 'usage', usage: { inputTokens: 4, outputTokens: 4 } }, 'usage comes right before done');
    assert.equal(result.usage, { inputTokens: 4, outputTokens: 4 });
    assert.is(result.finishReason, 'stop');
    assert.equal(result.toolCalls, []);
    await client.dispose(handle);
  });

  s('providers/chatStream /count 500 delivers all 500 text chunks in order before the result', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, [user('/count 500')]);
    const chunks: StreamChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const result = await within(15_000, 'chatStream /count 500', stream.result);
    const texts = chunks.filter((c): c is Extract<StreamChunk, { type: 'text' }> => c.type === 'text');
    assert.is(texts.length, 500);
    texts.forEach((c, i) => {
      if (c.text !== `w${i} `) assert.unreachable(`chunk ${i} is ${JSON.stringify(c.text)}`);
    });
    assert.is(chunks.length, 502, 'text chunks, usage, done');
    assert.is(chunks[500]?.type, 'usage');
    assert.is(chunks[501]?.type, 'done');
    assert.is(result.text, texts.map((c) => c.text).join(''));
    assert.equal(result.usage, { inputTokens: 2, outputTokens: 500 });
    await client.dispose(handle);
  });

  s('providers/chatStream streams a tool call as start, input deltas and complete', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, [user('/tool')], { tools: [{ name: 'lookup', inputSchema: { type: 'object' } }] });
    const chunks = await within(15_000, 'chatStream /tool', collect(stream));
    const result = await stream.result;
    assert.equal(chunks.map((c) => c.type), ['toolUseStart', 'toolUseInputDelta', 'toolUseInputDelta', 'toolUseInputDelta', 'toolUseComplete', 'usage', 'done']);
    assert.equal(chunks[0], { type: 'toolUseStart', index: 0, id: 'call_1', name: 'lookup' });
    const json = chunks.map((c) => (c.type === 'toolUseInputDelta' ? c.partialJson : '')).join('');
    assert.equal(JSON.parse(json), { echo: true });
    assert.equal(chunks[4], { type: 'toolUseComplete', index: 0, toolCall: { id: 'call_1', name: 'lookup', arguments: { echo: true } } });
    assert.equal(chunks[6], { type: 'done', finishReason: 'toolCalls' });
    assert.equal(result.toolCalls, [{ id: 'call_1', name: 'lookup', arguments: { echo: true } }]);
    assert.is(result.text, null);
    assert.is(result.finishReason, 'toolCalls');
    await client.dispose(handle);
  });

  s('providers/embed returns one unit vector per input, deterministically', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    const { embeddings } = await client.embed(handle, ['abc', 'abc', 'something else', '']);
    assert.is(embeddings.length, 4);
    for (const v of embeddings) {
      assert.is(v.length, 8, 'echo embeds into 8 dimensions');
      const norm = Math.sqrt(v.reduce((n, x) => n + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-5, `unit length, got ${norm}`);
    }
    assert.equal(embeddings[0], embeddings[1], 'equal texts, equal vectors');
    assert.not.equal(embeddings[0], embeddings[2], 'different texts, different vectors');
    const again = await client.embed(handle, ['something else']);
    assert.equal(again.embeddings[0], embeddings[2], 'the same text embeds the same way on a later call');
    await client.dispose(handle);
  });

  s('providers/complete completes, with and without suffix', async () => {
    const { handle } = await client.build({ provider: 'echo' });
    assert.equal(await client.complete({ handle, prompt: 'fn main() {' }), { text: 'P:fn main() {' });
    assert.equal(await client.complete({ handle, prompt: 'a', suffix: 'z', maxTokens: 5, temperature: 0.2 }), { text: 'P:az' });
    const counter = await client.build({ provider: 'counter' });
    const first = Number((await client.complete({ handle: counter.handle, prompt: '' })).text);
    const second = Number((await client.complete({ handle: counter.handle, prompt: '' })).text);
    assert.ok(Number.isInteger(first) && first >= 1, `counter answered ${first}`);
    assert.is(second, first + 1, 'calls reach the same plugin instance in order');
    await client.dispose(handle);
    await client.dispose(counter.handle);
  });

  // Last: it stops the daemon.
  s('daemon/shutdown answers {drained: 0} when idle, then the connection closes', async () => {
    const { socketPath } = await client.status();
    const answer = await within(10_000, 'daemon/shutdown answer', client.shutdown());
    assert.equal(answer, { drained: 0 });
    await within(5000, 'the connection closes after shutdown', client.closed);
    if (socketPath) assert.not.ok(await canConnect(socketPath), 'nothing listens on the socket any more');
  });

  s.run();
}

// The wire itself: chunk notifications carry the streamId and a gap-free seq, in order, and all
// of them arrive before the request's answer.
for (const kind of transportKinds) {
  const s = suite(`chatChunk notifications over ${kind}`);
  s('seq counts from 0 without gaps, tagged with the streamId, all before the result', async () => {
    await using raw = await rawConnectOver(kind, providers);
    const { connection } = raw;
    const seen: Array<{ streamId: string | number; seq: number; chunk: StreamChunk }> = [];
    connection.onNotification(ProvidersChatChunkNotification.type, (params) => void seen.push(params));
    const { handle } = await within(15_000, 'build', connection.sendRequest<{ handle: string }>('providers/build', { provider: 'echo' }));

    const result = await within(
      15_000,
      'chatStream',
      connection.sendRequest<{ text: string }>('providers/chatStream', { handle, streamId: 'S-1', messages: [user('/count 500')] }),
    );
    const countAtResult = seen.length;
    assert.is(countAtResult, 502, 'every chunk arrived before the answer');
    seen.forEach((n, i) => {
      if (n.seq !== i || n.streamId !== 'S-1') assert.unreachable(`notification ${i}: ${JSON.stringify(n)}`);
    });
    assert.is(seen.map((n) => (n.chunk.type === 'text' ? n.chunk.text : '')).join(''), result.text);
    assert.equal(seen[501]?.chunk, { type: 'done', finishReason: 'stop' });

    // A numeric streamId is echoed as a number, and seq restarts at 0 for a new stream.
    seen.length = 0;
    await within(15_000, 'chatStream 2', connection.sendRequest('providers/chatStream', { handle, streamId: 42, messages: [user('a b')] }));
    assert.equal(
      seen.map((n) => [n.streamId, n.seq, n.chunk.type]),
      [
        [42, 0, 'text'],
        [42, 1, 'text'],
        [42, 2, 'usage'],
        [42, 3, 'done'],
      ],
    );
  });
  s.run();
}

// Plugin errors inside a stream end the request with the plugin's error, over the typed client.
const streamErrors = suite('chatStream plugin error');
streamErrors('a plugin error during chatStream rejects the stream with PluginError', async () => {
  await using conn = await connectOver('memory', providers);
  const { handle } = await conn.client.build({ provider: 'echo' });
  const stream = conn.client.chatStream(handle, [user('/fail')]);
  const error = await rejection(collect(stream));
  assert.instance(error, PluginError);
  assert.is((error as PluginError).data?.payload?.type, 'provider_error');
  assert.instance(await rejection(stream.result), PluginError);
});
streamErrors.run();

// stdio and the socket in one daemon.
const mixed = suite('stdio and socket together');

mixed('serve --stdio --socket serves the stdio client and socket clients at once; stdin EOF exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-test-'));
  const socketPath = join(dir, 'plugd.sock');
  const configPath = join(dir, 'plugins.toml');
  writeFileSync(configPath, providersToml(providers));
  const child = spawn(process.execPath, [cliMain, 'serve', '--stdio', '--config', configPath, '--socket', socketPath], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: cleanEnv(),
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const viaStdio = PlugdClient.fromStreams(child.stdout, child.stdin);
  let viaSocket: PlugdClient | undefined;
  try {
    await eventually('socket listening', () => canConnect(socketPath), 15_000);
    viaSocket = await PlugdClient.connect({ socketPath });
    const status = await viaSocket.status();
    assert.is(status.socketPath, socketPath);
    assert.is(status.clients, 2, 'the stdio client and the socket client');
    assert.is((await viaStdio.status()).pid, status.pid, 'one daemon');
    for (const [name, client] of [['stdio', viaStdio], ['socket', viaSocket]] as const) {
      const { handle } = await client.build({ provider: 'echo' });
      assert.is((await client.chat(handle, [user(name)])).text, `P:${name}`);
    }
    await viaSocket.close();
    child.stdin.end();
    assert.is(await within(10_000, 'exit after stdin EOF', exited), 0);
  } finally {
    await viaSocket?.close();
    await viaStdio.close();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

mixed('$PLUGD_SOCKET alone does not make a stdio daemon listen on a socket', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-test-'));
  const socketPath = join(dir, 'env.sock');
  const configPath = join(dir, 'plugins.toml');
  writeFileSync(configPath, providersToml(providers));
  const client = await PlugdClient.spawnStdio({ args: ['--config', configPath], env: cleanEnv({ PLUGD_SOCKET: socketPath }), stderr: 'ignore' });
  try {
    const status = await client.status();
    assert.is(status.socketPath, null);
    assert.not.ok(existsSync(socketPath));
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

mixed.run();
