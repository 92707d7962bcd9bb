// `plugd reload` in-process: argument parsing, help, and the human summary (pure functions).
// The command against a real daemon is in reload-triggers.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCliArgs, UsageError } from '../clients/cli/args.js';
import { formatReload } from '../clients/cli/format.js';
import { renderHelp } from '../clients/cli/usage.js';
import type { ReloadSummary } from '../protocol/plugins.js';

const empty: ReloadSummary = { added: [], removed: [], updated: [], unchanged: [], failed: [], configError: null };

test('reload parses like the other client commands: --socket and --json, no arguments', () => {
  assert.equal(parseCliArgs(['reload']), { command: 'reload', client: { socketPath: undefined, json: false }, refresh: false });
  assert.equal(parseCliArgs(['--socket', '/tmp/p.sock', 'reload', '--json']), { command: 'reload', client: { socketPath: '/tmp/p.sock', json: true }, refresh: false });
  assert.equal(parseCliArgs(['reload', '--refresh']), { command: 'reload', client: { socketPath: undefined, json: false }, refresh: true });
  assert.throws(() => parseCliArgs(['reload', 'echo']), (e: unknown) => e instanceof UsageError && e.message === "unexpected argument 'echo'" && e.command === 'reload');
  assert.throws(() => parseCliArgs(['reload', '--force']), (e: unknown) => e instanceof UsageError && e.command === 'reload');
});

test('reload is listed in the overall help and has its own', () => {
  assert.match(renderHelp(), /\n {2}reload\s+re-read plugins\.toml/);
  const help = renderHelp('reload');
  assert.match(help, /^plugd reload - /);
  assert.match(help, /--json/);
  assert.match(help, /SIGHUP/);
  assert.match(help, /Exits 1/);
});

test('formatReload: counts, then each non-empty list of names', () => {
  assert.is(formatReload({ ...empty, unchanged: ['echo'] }), 'reloaded: 0 added, 0 updated, 0 removed, 1 unchanged\n  unchanged: echo\n');
  assert.is(
    formatReload({ ...empty, added: ['a', 'b'], updated: ['c'], removed: ['d'], unchanged: ['e', 'f'] }),
    [
      'reloaded: 2 added, 1 updated, 1 removed, 2 unchanged',
      '  added:     a, b',
      '  updated:   c',
      '  removed:   d',
      '  unchanged: e, f',
      '',
    ].join('\n'),
  );
  assert.is(formatReload(empty), 'reloaded: 0 added, 0 updated, 0 removed, 0 unchanged\n');
});

test('formatReload: failures after the lists; a rejected config alone', () => {
  const failed = formatReload({
    ...empty,
    added: ['broken'],
    unchanged: ['echo'],
    failed: [
      { name: 'broken', error: { name: 'PluginLoadError', message: '/x/nope.wasm: plugin file not found', code: 'PLUGIN_NOT_FOUND' } },
      { name: 'echo', error: { name: 'PluginLoadError', message: '/x/echo.wasm: invalid\nWebAssembly module', code: 'PLUGIN_INVALID' } },
    ],
  });
  assert.is(
    failed,
    [
      'reloaded: 1 added, 0 updated, 0 removed, 1 unchanged',
      '  added:     broken',
      '  unchanged: echo',
      'failed to load (a plugin that was serving keeps its last good version):',
      '  broken: PluginLoadError: /x/nope.wasm: plugin file not found',
      '  echo: PluginLoadError: /x/echo.wasm: invalid WebAssembly module',
      '',
    ].join('\n'),
  );
  const rejected = formatReload({
    ...empty,
    unchanged: ['echo'],
    configError: { name: 'ConfigError', message: '/x/plugins.toml:3:18: TOML syntax error: unfinished string', code: 'CONFIG_SYNTAX' },
  });
  assert.is(
    rejected,
    'config rejected; nothing changed (the last good config keeps serving)\n  error: ConfigError: /x/plugins.toml:3:18: TOML syntax error: unfinished string\n',
  );
});

test.run();
