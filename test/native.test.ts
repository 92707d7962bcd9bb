// Native plugins (plugins/include/plugd.h) through a real daemon: the C native-echo plugin
// answers every function exactly as the Wasm echo plugin does, streams through the host
// callback, and runs in its own child process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlugdClient } from '../clients/client.js';
import { InvalidProviderConfigError, PluginError } from '../clients/errors.js';
import type { ChatMessage } from '../protocol/chat.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { nativePlugin, samplePlugin } from './helpers/paths.js';
import { rejection, waitSettled } from './helpers/serve.js';
import { workerPids } from './helpers/workerProcesses.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const tools = [{ name: 'get_weather', description: 'weather', inputSchema: { type: 'object' } }];

async function both<T>(client: PlugdClient, run: (provider: 'echo' | 'necho') => Promise<T>): Promise<{ wasm: T; native: T }> {
  return { wasm: await run('echo'), native: await run('necho') };
}

let daemon: DaemonProcess;
let client: PlugdClient;

test.before(async () => {
  daemon = await DaemonProcess.start({
    config: [
      { name: 'echo', path: samplePlugin('echo'), config: { prefix: 'p: ' } },
      { name: 'necho', path: nativePlugin('native-echo'), config: { prefix: 'p: ' } },
    ],
  });
  client = await daemon.connect();
  await waitSettled(client);
});

test.after(async () => {
  await client?.close();
  await daemon?.stop();
});

test('a native plugin loads in its own child process; status and initialize say it is native', async () => {
  const status = await client.status();
  const native = status.plugins.find((p) => p.name === 'necho');
  assert.ok(native, 'necho is listed');
  assert.is(native.state, 'ready', JSON.stringify(native.error));
  assert.is(native.type, 'native');
  assert.is(native.isolation, 'process');
  assert.is(native.pluginName, 'echo');
  assert.is(status.plugins.find((p) => p.name === 'echo')?.isolation ?? null, null);
  const init = await client.initialize();
  assert.equal(init.capabilities.pluginTypes, ['wasm', 'native']);
  assert.is(workerPids(daemon.pid).length, 1, 'one child process running the native worker');
});

test('factories, config schema and models are the same as the Wasm echo plugin', async () => {
  const { factories } = await client.listFactories();
  const wasm = factories.find((f) => f.name === 'echo');
  const native = factories.find((f) => f.name === 'necho');
  assert.equal(native?.capabilities, wasm?.capabilities);
  assert.equal(native?.capabilities, { chat: true, stream: true, embed: true, complete: true, listModels: true });
  assert.is(native?.baseUrl, 'http://localhost/echo');
  const schemas = await both(client, (p) => client.configSchema(p));
  assert.equal(schemas.native, schemas.wasm);
  const models = await both(client, (p) => client.listModels(p));
  assert.equal(models.native, { models: ['echo-1', 'echo-2'] });
});

test('chat answers exactly as the Wasm echo: plain text, /system, /tool, /count, usage', async () => {
  const handles = await both(client, (p) => client.build({ provider: p, system: 'be brief' }).then((r) => r.handle));
  const cases: Array<{ messages: ChatMessage[]; tools?: typeof tools }> = [
    { messages: [user('hello  world'), { role: 'assistant', content: 'x' }, user('how are\nyou?')] },
    { messages: [user('/system')] },
    { messages: [user('/tool')], tools },
    { messages: [user('/count 5')] },
    { messages: [user('   ')] },
    { messages: [user('ünïcödé ✓ text')] },
  ];
  for (const c of cases) {
    const results = await both(client, (p) => client.chat(p === 'echo' ? handles.wasm : handles.native, c.messages, c.tools ? { tools: c.tools } : {}));
    assert.equal(results.native, results.wasm, JSON.stringify(c.messages));
  }
  const plain = await client.chat(handles.native, [user('hi there')]);
  assert.is(plain.text, 'p: hi there');
});

test('chat_stream streams through the host callback: the same chunks, in order, as the Wasm echo', async () => {
  const handles = await both(client, (p) => client.build({ provider: p }).then((r) => r.handle));
  for (const messages of [[user('one two  three')], [user('/tool')], [user('/count 2000')]]) {
    const collect = async (handle: string) => {
      const stream = client.chatStream(handle, messages, { tools });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return { chunks, result: await stream.result };
    };
    const wasm = await collect(handles.wasm);
    const native = await collect(handles.native);
    assert.ok(native.chunks.length >= 3, `${native.chunks.length} chunks`);
    assert.equal(native.chunks, wasm.chunks, JSON.stringify(messages));
    assert.equal(native.result, wasm.result);
  }
});

test('embed and complete answer as the Wasm echo', async () => {
  const handles = await both(client, (p) => client.build({ provider: p }).then((r) => r.handle));
  const inputs = ['', 'abc', 'hello world', 'ünï 😀'];
  const embeddings = await both(client, (p) => client.embed(p === 'echo' ? handles.wasm : handles.native, inputs));
  assert.equal(embeddings.native, embeddings.wasm);
  assert.is(embeddings.native.embeddings.length, 4);
  const completions = await both(client, (p) => client.complete({ handle: p === 'echo' ? handles.wasm : handles.native, prompt: 'fn main(', suffix: ') {}' }));
  assert.equal(completions.native, { text: 'p: fn main() {}' });
  assert.equal(completions.native, completions.wasm);
});

test('typed errors (return 1) keep their payload; config errors name the field, as with the Wasm echo', async () => {
  const { handle } = await client.build({ provider: 'necho' });
  const failed = await rejection(client.chat(handle, [user('/fail')]));
  assert.instance(failed, PluginError);
  assert.equal((failed as PluginError).payload, { type: 'provider_error', message: 'echo was asked to fail' });
  const badCount = await rejection(client.complete({ handle, prompt: '/fail' }));
  assert.instance(badCount, PluginError);
  const bad = await both(client, (p) => rejection(client.build({ provider: p, parameters: { model: 'gpt' } })));
  assert.instance(bad.native, InvalidProviderConfigError);
  assert.is(bad.native.message.replace('necho', 'echo'), bad.wasm.message);
  // The plugin keeps serving after its errors.
  assert.is((await client.chat(handle, [user('still here')])).text, 'p: still here');
});

test('plugin log records reach the daemon log under the plugin name', async () => {
  assert.match(daemon.stderr, /plugin:necho:echo: echo plugin: logging initialised at level 4/);
});

test.run();
