// The daemon's translation between client shapes and QueryMT's plugin wire shapes, and the
// decoding of plugin errors: what a QueryMT plugin sends must reach clients intact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toQmtMessages, toQmtTools } from '../daemon/translate/messages.js';
import { StreamAccumulator, toChatResult, toFinishReason, toStreamChunks, toUsage } from '../daemon/translate/results.js';
import { decodePluginError } from '../workers/wasm/pluginErrors.js';

test('system messages leave the conversation and come back for cfg.system; roles and parts map to QueryMT spellings', () => {
  const { messages, system } = toQmtMessages([
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: [{ type: 'toolUse', id: 'c1', name: 'f', arguments: { a: 1 } }] },
    { role: 'user', content: [{ type: 'toolResult', toolUseId: 'c1', content: 'ok' }, { type: 'image', mimeType: 'image/png', data: Buffer.from([1, 2, 255]).toString('base64') }, { type: 'imageUrl', url: 'https://x/y.png' }] },
  ]);
  assert.equal(system, ['be brief']);
  assert.equal(messages, [
    { role: 'User', content: [{ type: 'text', text: 'hi' }] },
    { role: 'Assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', arguments: { a: 1 } }] },
    {
      role: 'User',
      content: [
        { type: 'tool_result', id: 'c1', is_error: false, content: [{ type: 'text', text: 'ok' }] },
        { type: 'image', mime_type: 'image/png', data: [1, 2, 255] },
        { type: 'image_url', url: 'https://x/y.png' },
      ],
    },
  ]);
});

test('tools become QueryMT function tools with the required description; no tools is null', () => {
  assert.is(toQmtTools(undefined), null);
  assert.is(toQmtTools([]), null);
  assert.equal(toQmtTools([{ name: 'f', inputSchema: { type: 'object' } }]), [
    { type: 'function', function: { name: 'f', description: '', parameters: { type: 'object' } } },
  ]);
});

test('chat responses: tool-call arguments are parsed from their JSON string; finish reasons are camelCase', () => {
  const result = toChatResult({
    text: null,
    tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":2}' } }, { id: 'c2', function: { name: 'g', arguments: 'not json' } }],
    thinking: 'hmm',
    usage: { input_tokens: 3, output_tokens: 4 },
    finish_reason: 'ToolCalls',
  });
  assert.equal(result, {
    text: null,
    toolCalls: [{ id: 'c1', name: 'f', arguments: { x: 2 } }, { id: 'c2', name: 'g', arguments: 'not json' }],
    thinking: 'hmm',
    usage: { inputTokens: 3, outputTokens: 4 },
    finishReason: 'toolCalls',
  });
  assert.equal(
    ['Stop', 'Length', 'ContentFilter', 'Error', 'Other', 'Unknown', 'end_turn', 'tool_use', 'max_tokens', 'cancelled'].map(toFinishReason),
    ['stop', 'length', 'contentFilter', 'error', 'other', 'unknown', 'stop', 'toolCalls', 'length', 'other'],
  );
});

test('usage accepts the provider spellings QueryMT accepts', () => {
  assert.equal(toUsage({ prompt_tokens: 5, completion_tokens: 7 } as never), { inputTokens: 5, outputTokens: 7 });
  assert.equal(toUsage({ input_tokens: 1, output_tokens: 2, reasoning_tokens: 3, cache_read_input_tokens: 4, cache_write: 5 } as never), {
    inputTokens: 1,
    outputTokens: 2,
    reasoningTokens: 3,
    cacheReadTokens: 4,
    cacheWriteTokens: 5,
  });
  assert.is(toUsage(null), null);
});

test('every stream chunk kind, both done forms, and unknown kinds skipped', () => {
  const chunks = [
    { chunk: { text: 'a' } },
    { chunk: { thinking: 't' } },
    { chunk: { tool_use_start: { index: 0, id: 'c1', name: 'f' } } },
    { chunk: { tool_use_input_delta: { index: 0, partial_json: '{"a"' } } },
    { chunk: { tool_use_complete: { index: 0, tool_call: { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } } } } },
    { chunk: { usage: { input_tokens: 1, output_tokens: 2 } }, usage: { input_tokens: 1, output_tokens: 2 } },
    { chunk: { structured: { anything: true } } },
    { chunk: { done: { stop_reason: 'end_turn' } } },
    { chunk: { done: { finish_reason: 'ToolCalls' } } },
  ].flatMap(toStreamChunks);
  assert.equal(chunks, [
    { type: 'text', text: 'a' },
    { type: 'thinking', text: 't' },
    { type: 'toolUseStart', index: 0, id: 'c1', name: 'f' },
    { type: 'toolUseInputDelta', index: 0, partialJson: '{"a"' },
    { type: 'toolUseComplete', index: 0, toolCall: { id: 'c1', name: 'f', arguments: { a: 1 } } },
    { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } },
    { type: 'done', finishReason: 'stop' },
    { type: 'done', finishReason: 'toolCalls' },
  ]);
  const acc = new StreamAccumulator();
  for (const c of chunks.slice(0, 7)) acc.add(c);
  assert.equal(acc.result(), {
    text: 'a',
    toolCalls: [{ id: 'c1', name: 'f', arguments: { a: 1 } }],
    thinking: 't',
    usage: { inputTokens: 1, outputTokens: 2 },
    finishReason: 'stop',
  });
});

test('plugin errors: the payload form is typed, the legacy kind form is typed, anything else is raw', () => {
  const typed = decodePluginError('{"payload":{"type":"rate_limited","message":"slow down","retry_after_secs":3}}', 'chat');
  assert.equal(typed, { name: 'PluginError', code: 'PLUGIN_ERROR', message: 'chat: slow down', payload: { type: 'rate_limited', message: 'slow down', retry_after_secs: 3 } });
  const legacy = decodePluginError('{"kind":"RateLimited","data":{"message":"later","retry_after_secs":9}}', 'chat');
  assert.equal(legacy.payload, { message: 'later', retry_after_secs: 9, type: 'rate_limited' });
  const raw = decodePluginError('something broke', 'embed');
  assert.equal(raw, { name: 'PluginError', code: 'PLUGIN_ERROR', message: 'embed: something broke' });
});

test.run();
