// The CLI's human-readable output (pure formatting functions).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  describeError,
  ensureNewline,
  formatCapabilities,
  formatChatResult,
  formatDuration,
  formatEmbeddings,
  formatFactories,
  formatJson,
  formatJsonLine,
  formatModels,
  formatShutdown,
  formatStatus,
  formatUptime,
} from '../clients/cli/format.js';
import { renderTable } from '../clients/cli/table.js';
import {
  ConnectionClosedError,
  DaemonNotRunningError,
  InvalidParamsError,
  PluginError,
  PluginFailedError,
  PluginTimeoutError,
  UnknownProviderError,
} from '../clients/errors.js';
import { daemonStatus, factoryInfo } from './clientFakeDaemon.js';

test('renderTable pads columns, right-aligns numbers, and leaves no trailing spaces', () => {
  const lines = renderTable(
    [{ header: 'NAME' }, { header: 'N', right: true }, { header: 'NOTE' }],
    [
      ['a', '1', ''],
      ['longer', '100', 'x'],
    ],
  );
  assert.equal(lines, ['NAME      N  NOTE', 'a         1', 'longer  100  x']);
});

test('formatStatus: daemon header, plugin table, and the error under a failed plugin', () => {
  assert.fixture(
    formatStatus(daemonStatus()),
    [
      'plugd 0.1.0  pid 4242  up 3m 12s  1 client',
      'config: /home/me/.config/plugd/plugins.toml',
      'socket: /run/user/1000/plugd/plugd.sock',
      '',
      'PLUGIN  STATE   TYPE  CALLS  ERRORS  RESTARTS  LOAD TIME',
      'echo    ready   wasm     12       1         0      92 ms',
      'broken  failed  -         0       0         0          -',
      '  error: PluginLoadError: cannot read /opt/plugd/missing.wasm (ENOENT)',
      '',
    ].join('\n'),
  );
});

test('formatStatus: stdio-only daemon, several clients, no plugins', () => {
  const text = formatStatus(daemonStatus({ socketPath: null, clients: 3, plugins: [] }));
  assert.match(text, 'socket: none (stdio only)');
  assert.match(text, '3 clients');
  assert.match(text, 'no plugins configured');
});

test('formatFactories: capabilities by name, API key variable, errors for failed plugins', () => {
  const text = formatFactories({
    factories: [
      factoryInfo({ apiKeyName: 'OPENAI_API_KEY', name: 'openai' }),
      factoryInfo({
        name: 'broken',
        state: 'failed',
        error: { name: 'PluginLoadError', message: 'bad magic\nnumber', code: -32004 },
        capabilities: { chat: false, stream: false, embed: false, complete: false, listModels: false },
      }),
    ],
  });
  assert.fixture(
    text,
    [
      'PROVIDER  STATE   CAPABILITIES                     API KEY',
      'openai    ready   chat, stream, embed, listModels  OPENAI_API_KEY',
      'broken    failed  -                                -',
      '  error: PluginLoadError: bad magic number',
      '',
    ].join('\n'),
  );
  assert.is(formatFactories({ factories: [] }), 'no providers configured\n');
});

test('formatCapabilities lists the true ones, or -', () => {
  assert.is(formatCapabilities({ chat: true, stream: false, embed: false, complete: true, listModels: false }), 'chat, complete');
  assert.is(formatCapabilities({ chat: false, stream: false, embed: false, complete: false, listModels: false }), '-');
});

test('formatModels: one per line', () => {
  assert.is(formatModels({ models: ['a', 'b'] }), 'a\nb\n');
  assert.is(formatModels({ models: [] }), '');
});

test('formatEmbeddings: dimensions, a preview of the vector, the input', () => {
  const text = formatEmbeddings({ embeddings: [[0.5, -0.25], [1, 2, 3, 4, 5, 6, 7, 8]] }, ['hi', 'x'.repeat(50)]);
  const [first, second] = text.split('\n');
  assert.is(first, '2 dims  [0.5000, -0.2500]  "hi"');
  assert.is(second, `8 dims  [1.0000, 2.0000, 3.0000, ..., 7.0000, 8.0000]  "${'x'.repeat(39)}…"`);
});

test('formatChatResult: text with one trailing newline, then tool calls', () => {
  assert.is(
    formatChatResult({ text: 'hi', toolCalls: [], thinking: null, usage: null, finishReason: 'stop' }),
    'hi\n',
  );
  assert.is(
    formatChatResult({
      text: null,
      toolCalls: [{ id: 't1', name: 'lookup', arguments: { q: 'x' } }],
      thinking: null,
      usage: null,
      finishReason: 'toolCalls',
    }),
    '\n[tool call t1] lookup {"q":"x"}\n',
  );
  assert.is(ensureNewline('a\n'), 'a\n');
});

test('formatShutdown and JSON output', () => {
  assert.is(formatShutdown({ drained: 1 }), 'daemon stopped (drained 1 in-flight call)\n');
  assert.is(formatShutdown({ drained: 2 }), 'daemon stopped (drained 2 in-flight calls)\n');
  assert.is(formatJson({ a: 1 }), '{\n  "a": 1\n}\n');
  assert.is(formatJsonLine({ a: [1, 2] }), '{"a":[1,2]}\n');
});

test('durations', () => {
  assert.is(formatDuration(85.4), '85 ms');
  assert.is(formatDuration(1234), '1.2 s');
  assert.is(formatDuration(125_000), '2m 5s');
  assert.is(formatUptime(0), '0s');
  assert.is(formatUptime(45_000), '45s');
  assert.is(formatUptime(3_600_000 * 2 + 5 * 60_000 + 7000), '2h 5m');
  assert.is(formatUptime(86_400_000 + 3 * 3_600_000), '1d 3h');
});

test('describeError: one line, with the details the message leaves out', () => {
  assert.is(describeError(new InvalidParamsError('invalid params', { path: 'messages[0].role' })), 'invalid params (at messages[0].role)');
  assert.is(
    describeError(new InvalidParamsError('messages[0].role: expected a role', { path: 'messages[0].role' })),
    'messages[0].role: expected a role',
  );
  assert.is(
    describeError(new PluginError('openai: plugin error', { payload: { type: 'Auth', message: 'bad key' } })),
    'openai: plugin error: Auth: bad key',
  );
  assert.is(describeError(new PluginFailedError('plugin x is failed', { reason: 'no file' })), 'plugin x is failed: no file');
  assert.is(describeError(new PluginTimeoutError('call timed out', { timeoutMs: 500 })), 'call timed out (limit 500 ms)');
  assert.is(describeError(new UnknownProviderError('no provider named "x"')), 'no provider named "x" (see \'plugd factories\')');
  assert.is(describeError(new ConnectionClosedError()), 'the connection to the plugd daemon closed');
  assert.match(describeError(new DaemonNotRunningError('/s.sock')), 'no plugd daemon is running at /s.sock');
  assert.is(describeError(new Error('two\n  lines')), 'two lines');
  assert.is(describeError('str'), 'str');
});

test.run();
