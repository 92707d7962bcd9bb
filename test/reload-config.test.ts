// Hot reload, the config file: in-place and rename-over edits are each seen; a config written in
// chunks is never loaded half-way; a broken config (TOML error, invalid entry) changes nothing
// that was working and is reported in daemon/status and plugins/didChange until fixed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { providersToml, type ProviderSpec } from './helpers/config.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { echoEntry, pluginOf, ReloadDaemon, sorted, untilPrefix, writeInChunks, type WriteMode } from './helpers/reload.js';
import { within } from './helpers/serve.js';

const files = { 'echo.wasm': samplePlugin('echo'), 'counter.wasm': fixturePlugin('counter') };
const counterEntry: ProviderSpec = { name: 'counter', path: 'counter.wasm' };
const config = (prefix: string): ProviderSpec[] => [echoEntry('echo', 'echo.wasm', prefix), counterEntry];

test('in-place writes and rename-over edits of plugins.toml are each seen, every time', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: config('v0 ') });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'echo' });
  const counterReadyAt = pluginOf(await client.status(), 'counter').readyAt;
  for (let i = 1; i <= 12; i++) {
    const mode: WriteMode = i % 2 ? 'inplace' : 'rename';
    const mark = log.events.length;
    daemon.writeConfig(config(`v${i} `), mode);
    const event = await log.next((e) => e.updated.length > 0 || e.failed.length > 0 || e.configError !== null, mark);
    assert.equal([event.updated, event.unchanged, event.failed, event.configError, event.trigger], [['echo'], ['counter'], [], null, 'watch'], `edit ${i} (${mode})`);
    assert.is((await client.complete({ handle, prompt: 'x' })).text, `v${i} x`, `edit ${i} (${mode}) serves`);
  }
  const status = await client.status();
  assert.is(pluginOf(status, 'counter').readyAt, counterReadyAt, 'counter was never reloaded');
  assert.is(status.configError, null);
  assert.ok(status.watching);
});

test('a config written in place in two chunks 20 ms apart is never loaded half-way (valid and TOML-invalid halves)', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: config('v0 ') });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle: echo } = await client.build({ provider: 'echo' });
  const { handle: counter } = await client.build({ provider: 'counter' });
  assert.is((await client.complete({ handle: counter, prompt: '' })).text, '1');
  const counterReadyAt = pluginOf(await client.status(), 'counter').readyAt;
  const mark = log.events.length;
  let counted = 1;
  for (let round = 1; round <= 8; round++) {
    const text = providersToml(config(`h${round} `));
    // Odd rounds split after echo's entry: the half is valid TOML that drops counter. Even rounds
    // split inside echo's prefix string: the half is not TOML at all. Either way the file is
    // first truncated to nothing (a valid config with no plugins).
    const cut = round % 2 ? text.indexOf('[[providers]]', 1) : text.indexOf(`"h${round} "`) + 2;
    await writeInChunks(daemon.configPath, text.slice(0, cut), text.slice(cut), 20);
    await untilPrefix(client, echo, `h${round} `);
    await daemon.quiet(client, 300);
    assert.is((await client.complete({ handle: counter, prompt: '' })).text, String(++counted), `round ${round}: counter kept its instance`);
  }
  const events = log.since(mark);
  const halves = events.filter((e) => e.removed.length || e.added.length || e.configError || e.failed.length);
  assert.equal(halves, [], `a half-written config was loaded: ${JSON.stringify(halves)}`);
  const status = await client.status();
  assert.is(status.configError, null, 'no config error once the file is complete');
  assert.equal(status.plugins.map((p) => [p.name, p.state]), [['echo', 'ready'], ['counter', 'ready']]);
  assert.is(pluginOf(status, 'counter').readyAt, counterReadyAt);
  assert.is((await client.complete({ handle: echo, prompt: 'x' })).text, 'h8 x');
});

for (const broken of [
  {
    kind: 'a TOML syntax error',
    // Line 3 opens a string that never ends; echo's prefix also "changes" in the same edit.
    text: '[[providers]]\nname = "echo"\npath = "echo.wasm\n[providers.config]\nprefix = "bad "\n\n[[providers]]\nname = "counter"\npath = "counter.wasm"\n',
    line: ':3:',
    code: 'CONFIG_SYNTAX',
  },
  {
    kind: 'an invalid entry',
    text: '[[providers]]\nname = "echo"\npath = "echo.wasm"\n[providers.config]\nprefix = "bad "\n\n[[providers]]\nname = "counter"\npath = "counter.wasm"\nthreads = "two"\n',
    line: ':10:',
    code: 'CONFIG_INVALID',
  },
]) {
  test(`a config with ${broken.kind}: the last good config keeps serving, configError names file and line; fixing it recovers`, async () => {
    await using daemon = await ReloadDaemon.start({ files, config: config('v1 ') });
    await using client = await daemon.connect();
    await using log = await daemon.didChangeLog();
    await using other = await daemon.didChangeLog();
    const { handle } = await client.build({ provider: 'echo' });
    assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');
    const before = await client.status();

    for (const mode of ['rename', 'inplace'] as const) {
      const mark = log.events.length;
      daemon.writeConfig(broken.text, mode);
      const event = await log.next((e) => e.configError !== null || e.updated.length > 0, mark);
      assert.ok(event.configError, `${mode}: didChange carries the config error: ${JSON.stringify(event)}`);
      assert.is(event.trigger, 'watch');
      assert.is(event.configError!.code, broken.code);
      assert.match(event.configError!.message, daemon.configPath + broken.line, `${mode}: names the file and line: ${event.configError!.message}`);
      assert.equal([event.added, event.removed, event.updated, event.failed], [[], [], [], []]);
      assert.equal(sorted(event.unchanged), ['counter', 'echo']);
      const otherEvent = await other.next((e) => e.configError !== null, mark);
      assert.equal(otherEvent, event, 'every client gets the same notification');

      const status = await client.status();
      assert.equal(status.configError, event.configError, 'daemon/status reports the same config error');
      assert.equal(status.plugins.map((p) => [p.name, p.state, p.readyAt]), before.plugins.map((p) => [p.name, p.state, p.readyAt]), 'nothing was touched');
      assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x', 'the last good version keeps serving');
      const { handle: fresh } = await client.build({ provider: 'echo' });
      assert.is((await client.complete({ handle: fresh, prompt: 'y' })).text, 'v1 y', 'new handles are built from the last good config');
    }

    const mark = log.events.length;
    daemon.writeConfig(config('v2 '));
    const fixed = await log.next((e) => e.configError === null, mark);
    assert.equal([fixed.updated, fixed.unchanged, fixed.failed, fixed.configError], [['echo'], ['counter'], [], null]);
    const status = await client.status();
    assert.is(status.configError, null, 'configError clears once the file is fixed');
    assert.is(pluginOf(status, 'counter').readyAt, pluginOf(before, 'counter').readyAt);
    assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');
  });
}

/** Rewrites `path` every few ms until disposed (a log, an editor's swap file, a build writing on). */
function keepWriting(path: string): Disposable {
  let n = 0;
  writeFileSync(path, 'first\n');
  const timer = setInterval(() => writeFileSync(path, `write ${n++}\n`), 3);
  return { [Symbol.dispose]: () => clearInterval(timer) };
}

test('a file in plugins_dir that keeps changing: a non-plugin file is ignored; a plugin file fails the reload by name after 10 reads, not never', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: config('v0 '), watch: false });
  const dir = daemon.path('plugins');
  mkdirSync(dir);
  const toml = (prefix: string) => `plugins_dir = ${JSON.stringify(dir)}\n${providersToml(config(prefix))}`;
  daemon.writeConfig(toml('v1 '));
  await using client = await daemon.connect();
  assert.is((await client.reload()).configError, null);
  {
    using _writing = keepWriting(join(dir, 'notes.txt.swp'));
    const summary = await within(10_000, 'a reload while a non-plugin file keeps changing', client.reload());
    assert.is(summary.configError, null);
  }
  daemon.writeConfig(toml('v2 '));
  {
    using _writing = keepWriting(join(dir, 'busy.wasm'));
    const summary = await within(20_000, 'a reload while a plugin file keeps changing', client.reload());
    assert.equal([summary.configError?.code, summary.configError?.message], ['CONFIG_INVALID', `reload: ${join(dir, 'busy.wasm')} kept changing while it was read (10 attempts); nothing was reloaded`]);
    assert.equal(summary.updated, []);
    const status = await client.status();
    assert.is(status.configError?.message, summary.configError?.message);
  }
  // Once it keeps still, the next reload goes through.
  const summary = await within(10_000, 'the reload after the writes stopped', client.reload());
  assert.is(summary.configError, null);
  assert.equal(summary.updated, ['echo']);
  const { handle } = await client.build({ provider: 'echo' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');
});

test.run();
