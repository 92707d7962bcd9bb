// The openai sample plugin through a real daemon against the local OpenAI-compatible server:
// plain and streamed chat, tool calls (whole and streamed as argument deltas), embeddings,
// completions and models, all over QueryMT's HTTP-adapter interface.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelledError } from '../clients/errors.js';
import type { StreamChunk } from '../protocol/chat.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { openaiToml } from './helpers/openaiConfig.js';
import { OpenAIServer } from './helpers/openaiServer.js';
import { fixturePlugin } from './helpers/paths.js';

const user = (content: string) => [{ role: 'user' as const, content }];
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
};

test('factories/list sees an HTTP-adapter plugin with all its capabilities', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  await client.configSchema('openai'); // waits until the plugin has loaded
  const [factory] = (await client.listFactories()).factories;
  assert.equal(factory?.capabilities, { chat: true, stream: true, embed: true, complete: true, listModels: true });
  assert.is(factory?.apiKeyName, 'OPENAI_API_KEY');
});

test('plain chat: the request is OpenAI chat completions, the answer comes back as a ChatResult', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai', temperature: 0.5, maxTokens: 64 });
  const result = await client.chat(handle, [{ role: 'system', content: 'be brief' }, ...user('hello there')]);
  assert.is(result.text, 'echo: hello there');
  assert.equal(result.toolCalls, []);
  assert.equal(result.usage, { inputTokens: 5, outputTokens: 7 });
  assert.is(result.finishReason, 'stop');

  const sent = server.requests.at(-1)!;
  assert.is(sent.method, 'POST');
  assert.is(sent.path, '/v1/chat/completions');
  assert.is(sent.headers['content-type'], 'application/json');
  assert.equal(sent.body, {
    model: 'gpt-test',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there' },
    ],
    temperature: 0.5,
    max_tokens: 64,
  });
});

test('streamed chat: text deltas arrive in order, then usage and done; the request asks for SSE with usage', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const chunks: StreamChunk[] = [];
  const stream = client.chatStream(handle, user('one two three'));
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(
    chunks.filter((c) => c.type === 'text').map((c) => (c as { text: string }).text),
    ['echo: ', 'one ', 'two ', 'three'],
  );
  assert.equal(chunks.at(-2), { type: 'usage', usage: { inputTokens: 5, outputTokens: 7 } });
  assert.equal(chunks.at(-1), { type: 'done', finishReason: 'stop' });
  const result = await stream.result;
  assert.is(result.text, 'echo: one two three');
  const sent = server.requests.at(-1)!.body as Record<string, unknown>;
  assert.is(sent.stream, true);
  assert.equal(sent.stream_options, { include_usage: true });
  assert.is(server.requests.at(-1)!.headers.accept, 'text/event-stream');
});

test('tool calls: tools are sent as OpenAI functions; a tool call comes back whole and, streamed, as argument deltas', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });

  const plain = await client.chat(handle, user('tool'), { tools: [weatherTool] });
  assert.equal(plain.toolCalls, [{ id: 'call_abc123', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }]);
  assert.is(plain.finishReason, 'toolCalls');
  assert.equal((server.requests.at(-1)!.body as { tools: unknown }).tools, [{ type: 'function', function: { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.inputSchema } }]);

  const chunks: StreamChunk[] = [];
  const stream = client.chatStream(handle, user('tool'), { tools: [weatherTool] });
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(chunks[0], { type: 'toolUseStart', index: 0, id: 'call_abc123', name: 'get_weather' });
  const deltas = chunks.filter((c) => c.type === 'toolUseInputDelta').map((c) => (c as { partialJson: string }).partialJson);
  assert.equal(deltas, ['{"ci', 'ty":"Par', 'is","unit', '":"celsius"}']);
  assert.equal(chunks.find((c) => c.type === 'toolUseComplete'), {
    type: 'toolUseComplete',
    index: 0,
    toolCall: { id: 'call_abc123', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
  });
  assert.equal(chunks.at(-1), { type: 'done', finishReason: 'toolCalls' });

  // The tool's result goes back as a `tool` message after the assistant's tool_calls.
  const followUp = await client.chat(handle, [
    ...user('weather?'),
    { role: 'assistant', content: [{ type: 'toolUse', id: 'call_abc123', name: 'get_weather', arguments: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'toolResult', toolUseId: 'call_abc123', content: '21 C' }] },
  ]);
  assert.ok(followUp.text);
  const messages = (server.requests.at(-1)!.body as { messages: unknown[] }).messages;
  assert.equal(messages.slice(1), [
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_abc123', content: '21 C' },
  ]);
});

test('embeddings (in input order), completions and model listing', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const { embeddings } = await client.embed(handle, ['a', 'bcd']);
  assert.equal(embeddings, [
    [1, 97 % 97, 0.5],
    [3, (98 + 99 + 100) % 97, 0.5],
  ]);
  assert.equal(server.requests.at(-1)!.body, { model: 'gpt-test', input: ['a', 'bcd'] });
  const completion = await client.complete({ handle, prompt: 'fn main(' });
  assert.is(completion.text, 'completed: fn main(');
  assert.equal((await client.listModels('openai')).models, ['gpt-test', 'gpt-test-mini', 'text-embedding-test']);
});

test('list_models_static answers the model list without a request; null falls back to the request', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl, path: fixturePlugin('staticmodels') }) });
  await using client = await daemon.connect();
  assert.equal((await client.listModels('openai')).models, ['static-1', 'static-2']);
  assert.is(server.requests.length, 0);
  assert.equal((await client.listModels('openai', { model: 'ask-server' })).models, ['gpt-test', 'gpt-test-mini', 'text-embedding-test']);
  assert.equal(server.requests.map((r) => `${r.method} ${r.path}`), ['GET /v1/models']);
});

test('threads = 2: concurrent streams each keep their parser on one instance and get their own text', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl, threads: 2 }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const texts = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      let text = '';
      for await (const chunk of client.chatStream(handle, user(`stream ${i} a b c d e`))) if (chunk.type === 'text') text += chunk.text;
      return text;
    }),
  );
  assert.equal(texts, Array.from({ length: 8 }, (_, i) => `echo: stream ${i} a b c d e`));
  const status = await client.status();
  assert.is(status.plugins[0]?.restarts, 0);
  assert.is(status.plugins[0]?.errors, 0);
});

test('parser slots are given back: 20 finished and 20 cancelled streams on one instance, then a normal one', async () => {
  // The openai plugin holds at most 16 parsers per instance (MAX_PARSERS); threads = 1 puts every
  // stream on the same instance, so a parser not closed (at the end or on cancel) would use up
  // the slots within this test.
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl, threads: 1 }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const streamText = async (prompt: string) => {
    let text = '';
    for await (const chunk of client.chatStream(handle, user(prompt))) if (chunk.type === 'text') text += chunk.text;
    return text;
  };
  for (let i = 0; i < 20; i++) assert.is(await streamText(`run ${i}`), `echo: run ${i}`);
  for (let i = 0; i < 20; i++) {
    const abort = new AbortController();
    const texts: string[] = [];
    const ended = await (async () => {
      for await (const chunk of client.chatStream(handle, user('long'), { signal: abort.signal })) {
        if (chunk.type === 'text') texts.push(chunk.text);
        if (texts.length === 2) abort.abort();
      }
    })().catch((e: unknown) => e);
    assert.instance(ended, CancelledError, `cancelled stream ${i}`);
  }
  assert.is(await streamText('after all that'), 'echo: after all that');
  const [status] = (await client.status()).plugins;
  assert.is(status?.restarts, 0);
  assert.is(status?.errors, 0, 'cancelled streams are not counted as plugin errors');
});

test.run();
