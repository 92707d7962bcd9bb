// Hot reload, per plugin: adding, changing and removing plugins in plugins.toml, a rebuilt .wasm
// under the same path, and new plugin files that fail to load. Real daemon, real files: the
// watcher notices every edit (no reload is requested here).
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../daemon/config/load.js';
import { currentFingerprint } from '../daemon/plugins/fingerprint.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnknownProviderError } from '../clients/errors.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { copyFileAs, echoEntry, pluginOf, ReloadDaemon, sorted, writeInChunks } from './helpers/reload.js';
import { eventually, rejection } from './helpers/serve.js';

const counterEntry = { name: 'counter', path: 'counter.wasm' };

test('adding, changing and removing a plugin: status and factories follow; unchanged plugins are not touched', async () => {
  await using daemon = await ReloadDaemon.start({
    files: { 'echo.wasm': samplePlugin('echo'), 'counter.wasm': fixturePlugin('counter') },
    config: [echoEntry('echo', 'echo.wasm', 'v1 '), counterEntry],
  });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle: echo } = await client.build({ provider: 'echo' });
  const { handle: counter } = await client.build({ provider: 'counter' });
  // counter's `complete` answers how many times this instance was called: a plugin that was not
  // touched keeps counting, a reloaded one starts again at 1.
  for (let n = 1; n <= 3; n++) assert.is((await client.complete({ handle: counter, prompt: '' })).text, String(n));
  assert.is((await client.complete({ handle: echo, prompt: 'hi' })).text, 'v1 hi');
  const start = await client.status();
  const counterBefore = pluginOf(start, 'counter');
  const echoBefore = pluginOf(start, 'echo');

  // Add.
  let mark = log.events.length;
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v1 '), counterEntry, echoEntry('second', 'echo.wasm', 'B ')]);
  const added = await log.next((e) => e.added.length > 0, mark);
  assert.equal(added.added, ['second']);
  assert.equal(sorted(added.unchanged), ['counter', 'echo']);
  assert.equal([added.updated, added.removed, added.failed, added.configError], [[], [], [], null]);
  assert.is(added.trigger, 'watch');
  let status = await client.status();
  assert.equal(status.plugins.map((p) => [p.name, p.state]), [['echo', 'ready'], ['counter', 'ready'], ['second', 'ready']]);
  assert.equal((await client.listFactories()).factories.map((f) => f.name), ['echo', 'counter', 'second']);
  const { handle: second } = await client.build({ provider: 'second' });
  assert.is((await client.complete({ handle: second, prompt: 'hi' })).text, 'B hi');
  assert.is(pluginOf(status, 'counter').readyAt, counterBefore.readyAt, 'counter was not reloaded');
  assert.is(pluginOf(status, 'echo').readyAt, echoBefore.readyAt, 'echo was not reloaded');
  assert.is(pluginOf(status, 'counter').calls, counterBefore.calls, 'counter kept its call count');
  assert.is((await client.complete({ handle: counter, prompt: '' })).text, '4', 'the same counter instance answers');

  // Change one plugin (in place this time).
  mark = log.events.length;
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry, echoEntry('second', 'echo.wasm', 'B ')], 'inplace');
  const updated = await log.next((e) => e.updated.length > 0, mark);
  assert.equal(updated.updated, ['echo']);
  assert.equal(sorted(updated.unchanged), ['counter', 'second']);
  assert.equal([updated.added, updated.removed, updated.failed], [[], [], []]);
  assert.is((await client.complete({ handle: echo, prompt: 'hi' })).text, 'v2 hi', 'the handle built before now uses the new config');
  status = await client.status();
  assert.is.not(pluginOf(status, 'echo').readyAt, echoBefore.readyAt, 'echo is a new version');
  assert.is(pluginOf(status, 'echo').state, 'ready');
  assert.is(pluginOf(status, 'counter').readyAt, counterBefore.readyAt);
  assert.is((await client.complete({ handle: second, prompt: 'hi' })).text, 'B hi');
  assert.is((await client.complete({ handle: counter, prompt: '' })).text, '5');

  // Remove.
  mark = log.events.length;
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry]);
  const removed = await log.next((e) => e.removed.length > 0, mark);
  assert.equal(removed.removed, ['second']);
  assert.equal(sorted(removed.unchanged), ['counter', 'echo']);
  assert.equal([removed.added, removed.updated, removed.failed], [[], [], []]);
  status = await client.status();
  assert.equal(status.plugins.map((p) => p.name), ['echo', 'counter']);
  assert.equal((await client.listFactories()).factories.map((f) => f.name), ['echo', 'counter']);
  assert.instance(await rejection(client.build({ provider: 'second' })), UnknownProviderError);
  assert.instance(await rejection(client.complete({ handle: second, prompt: 'hi' }), 'a call on a removed plugin'), UnknownProviderError);
  assert.is(pluginOf(status, 'counter').readyAt, counterBefore.readyAt);
  assert.is((await client.complete({ handle: counter, prompt: '' })).text, '6', 'counter was never touched');
  assert.is(status.configError, null);
});

test('a rebuilt .wasm under the same path is swapped in, written in place or renamed over', async () => {
  await using daemon = await ReloadDaemon.start({
    files: { 'plugin.wasm': fixturePlugin('counter'), 'echo.wasm': samplePlugin('echo') },
    config: [{ name: 'p', path: 'plugin.wasm', config: { prefix: 'E ' } }, echoEntry('other', 'echo.wasm', 'O ')],
  });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  // counter's schema declares no keys, so `prefix` is pruned for it; echo's takes it.
  const { handle } = await client.build({ provider: 'p' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, '1');
  assert.is(pluginOf(await client.status(), 'p').pluginName, 'counter');
  const otherReadyAt = pluginOf(await client.status(), 'other').readyAt;

  let mark = log.events.length;
  copyFileAs(samplePlugin('echo'), daemon.path('plugin.wasm'), 'inplace');
  let event = await log.next((e) => e.updated.includes('p') || e.failed.length > 0, mark);
  assert.equal([event.updated, event.unchanged, event.failed], [['p'], ['other'], []]);
  assert.is(pluginOf(await client.status(), 'p').pluginName, 'echo');
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'E x', 'the handle follows the rebuilt plugin');

  mark = log.events.length;
  copyFileAs(fixturePlugin('counter'), daemon.path('plugin.wasm'), 'rename');
  event = await log.next((e) => e.updated.includes('p') || e.failed.length > 0, mark);
  assert.equal([event.updated, event.unchanged, event.failed], [['p'], ['other'], []]);
  const status = await client.status();
  assert.is(pluginOf(status, 'p').pluginName, 'counter');
  assert.is((await client.complete({ handle, prompt: 'x' })).text, '1', 'a fresh instance of the rebuilt plugin');
  assert.is(pluginOf(status, 'other').readyAt, otherReadyAt, 'the other plugin was not touched');

  // A second rename-over of the same file is seen too (the watcher follows the new inode).
  mark = log.events.length;
  copyFileAs(samplePlugin('echo'), daemon.path('plugin.wasm'), 'rename');
  event = await log.next((e) => e.updated.includes('p') || e.failed.length > 0, mark);
  assert.equal(event.updated, ['p']);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'E x');
});

test('a .wasm rebuilt in place in two chunks 20 ms apart is never loaded half-way', async () => {
  await using daemon = await ReloadDaemon.start({ files: { 'plugin.wasm': fixturePlugin('counter') }, config: [{ name: 'p', path: 'plugin.wasm', config: { prefix: 'E ' } }] });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'p' });
  const builds = [samplePlugin('echo'), fixturePlugin('counter')].map((path) => readFileSync(path));
  const mark = log.events.length;
  for (let round = 0; round < 6; round++) {
    const bytes = builds[round % 2]!;
    // The first half is a truncated module: loading it would fail ("failed" in plugins/didChange).
    await writeInChunks(daemon.path('plugin.wasm'), bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1), 20);
    const name = round % 2 ? 'counter' : 'echo';
    await eventually(`round ${round}: ${name} serves`, async () => pluginOf(await client.status(), 'p').pluginName === name);
    await daemon.quiet(client, 200);
  }
  const events = log.since(mark);
  assert.equal(events.filter((e) => e.failed.length), [], 'no reload saw a half-written module');
  assert.ok(events.filter((e) => e.updated.includes('p')).length >= 6, 'each rebuild was swapped in');
  assert.is(pluginOf(await client.status(), 'p').reloadError, null);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, '1', 'the last build serves the handle');
});

test('a plugin whose new file fails to load: the old version keeps serving and `failed` lists it; a good file recovers', async () => {
  await using daemon = await ReloadDaemon.start({
    files: { 'p.wasm': samplePlugin('echo'), 'counter.wasm': fixturePlugin('counter') },
    config: [echoEntry('p', 'p.wasm', 'v1 '), counterEntry],
  });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'p' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');
  const readyAt = pluginOf(await client.status(), 'p').readyAt;

  for (const [fixture, mode, expected] of [
    ['notwasm', 'inplace', /invalid WebAssembly module|not a (Wasm|WebAssembly)|magic/i],
    ['noname', 'rename', /name/],
  ] as const) {
    const mark = log.events.length;
    copyFileAs(fixturePlugin(fixture), daemon.path('p.wasm'), mode);
    const event = await log.next((e) => e.failed.length > 0 || e.updated.length > 0, mark);
    assert.equal(event.failed.map((f) => f.name), ['p'], `${fixture}: failed lists the plugin`);
    assert.match(event.failed[0]!.error.message, daemon.path('p.wasm'), `${fixture}: the error names the file`);
    assert.match(event.failed[0]!.error.message, expected);
    assert.equal(sorted(event.unchanged), ['counter', 'p'], `${fixture}: the old version is kept`);
    assert.equal([event.added, event.updated, event.removed, event.configError], [[], [], [], null]);
    const status = await client.status();
    assert.is(pluginOf(status, 'p').state, 'ready');
    assert.is(pluginOf(status, 'p').readyAt, readyAt, 'still the first version');
    assert.is(pluginOf(status, 'p').pluginName, 'echo');
    assert.equal(pluginOf(status, 'p').reloadError, event.failed[0]!.error, `${fixture}: daemon/status reports the failure as reloadError`);
    assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x', `${fixture}: the last good version keeps serving`);
  }

  // The entry now points at a file that does not exist: same outcome.
  let mark = log.events.length;
  daemon.writeConfig([echoEntry('p', 'missing.wasm', 'v1 '), counterEntry]);
  let event = await log.next((e) => e.failed.length > 0 || e.updated.length > 0, mark);
  assert.equal(event.failed.map((f) => f.name), ['p']);
  assert.match(event.failed[0]!.error.message, daemon.path('missing.wasm'));
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');

  // A good file and entry recover: the new version serves.
  mark = log.events.length;
  copyFileAs(samplePlugin('echo'), daemon.path('p.wasm'), 'rename');
  daemon.writeConfig([echoEntry('p', 'p.wasm', 'v2 '), counterEntry]);
  event = await log.next((e) => e.updated.includes('p'), mark);
  assert.equal(event.failed, []);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');
  const status = await client.status();
  assert.is(pluginOf(status, 'p').state, 'ready');
  assert.is(pluginOf(status, 'p').error, null);
  assert.is(pluginOf(status, 'p').reloadError, null);

  // A new plugin that fails to load is added as failed; the others are untouched.
  mark = log.events.length;
  daemon.writeConfig([echoEntry('p', 'p.wasm', 'v2 '), counterEntry, { name: 'broken', path: 'nope.wasm' }]);
  event = await log.next((e) => e.added.length > 0, mark);
  assert.equal([event.added, event.failed.map((f) => f.name), sorted(event.unchanged)], [['broken'], ['broken'], ['counter', 'p']]);
  const broken = pluginOf(await client.status(), 'broken');
  assert.is(broken.state, 'failed');
  assert.match(broken.error?.message ?? '', daemon.path('nope.wasm'));
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');
});

test('a plugin file deleted and re-created (a clean build) is seen each time; a plugin missing at start loads once its file appears', async () => {
  await using daemon = await ReloadDaemon.start({
    files: { 'p.wasm': samplePlugin('echo') },
    config: [echoEntry('p', 'p.wasm', 'v1 '), echoEntry('q', 'q.wasm', 'Q ')],
  });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  let status = await client.status();
  assert.is(pluginOf(status, 'q').state, 'failed', 'q.wasm does not exist yet');
  const { handle } = await client.build({ provider: 'p' });

  // Deleted: the last good version keeps serving.
  let mark = log.events.length;
  rmSync(daemon.path('p.wasm'));
  let event = await log.next((e) => e.failed.some((f) => f.name === 'p'), mark);
  assert.is(event.trigger, 'watch');
  assert.ok(event.unchanged.includes('p'));
  assert.match(event.failed.find((f) => f.name === 'p')!.error.message, `${daemon.path('p.wasm')}: plugin file not found`);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');

  // Re-created with a different build: swapped in.
  mark = log.events.length;
  copyFileAs(fixturePlugin('counter'), daemon.path('p.wasm'), 'inplace');
  event = await log.next((e) => e.updated.includes('p'), mark);
  assert.ok(!event.failed.some((f) => f.name === 'p'));
  status = await client.status();
  assert.equal([pluginOf(status, 'p').pluginName, pluginOf(status, 'p').reloadError], ['counter', null]);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, '1');

  // Deleted and at once re-created (one burst): the final file serves.
  mark = log.events.length;
  rmSync(daemon.path('p.wasm'));
  copyFileAs(samplePlugin('echo'), daemon.path('p.wasm'), 'inplace');
  await log.next((e) => e.updated.includes('p'), mark);
  await eventually('p serves the re-created echo', async () => (await client.complete({ handle, prompt: 'x' })).text === 'v1 x', 10_000);
  assert.is(pluginOf(await client.status(), 'p').reloadError, null);

  // The plugin that was missing at start loads once its file appears.
  mark = log.events.length;
  copyFileAs(samplePlugin('echo'), daemon.path('q.wasm'), 'rename');
  event = await log.next((e) => e.updated.includes('q') && !e.failed.some((f) => f.name === 'q'), mark);
  status = await client.status();
  assert.equal([pluginOf(status, 'q').state, pluginOf(status, 'q').error], ['ready', null]);
  const { handle: q } = await client.build({ provider: 'q' });
  assert.is((await client.complete({ handle: q, prompt: 'x' })).text, 'Q x');
});

test('daemon/status reports reloadError while the last good version serves, and clears it once the configured file loads or is the serving one again', async () => {
  await using daemon = await ReloadDaemon.start({ files: { 'p.wasm': samplePlugin('echo') }, config: [echoEntry('p', 'p.wasm', 'v1 ')] });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'p' });
  const broken = async (what: string) => {
    const plugin = pluginOf(await client.status(), 'p');
    assert.is(plugin.state, 'ready', `${what}: the last good version serves`);
    assert.is(plugin.error, null, `${what}: the serving version is healthy`);
    assert.ok(plugin.reloadError, `${what}: daemon/status names the reload failure: ${JSON.stringify(plugin)}`);
    assert.match(plugin.reloadError!.message, daemon.path('p.wasm'));
    assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');
  };

  // Broken, then a good new version: reloadError clears.
  let mark = log.events.length;
  copyFileAs(fixturePlugin('notwasm'), daemon.path('p.wasm'), 'rename');
  await log.next((e) => e.failed.length > 0, mark);
  await broken('notwasm');
  mark = log.events.length;
  copyFileAs(samplePlugin('echo'), daemon.path('p.wasm'), 'rename');
  daemon.writeConfig([echoEntry('p', 'p.wasm', 'v2 ')]);
  await log.next((e) => e.updated.includes('p'), mark);
  let plugin = pluginOf(await client.status(), 'p');
  assert.equal([plugin.state, plugin.error, plugin.reloadError], ['ready', null, null], 'a good new version clears reloadError');
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');

  // Broken, then the file is put back exactly as the serving version has it: nothing needs
  // loading, and the serving version is the configured one again, so reloadError clears too.
  mark = log.events.length;
  copyFileAs(fixturePlugin('noname'), daemon.path('p.wasm'), 'rename');
  await log.next((e) => e.failed.length > 0, mark);
  mark = log.events.length;
  copyFileAs(samplePlugin('echo'), daemon.path('p.wasm'), 'rename');
  const restored = await log.next(() => true, mark);
  assert.equal([restored.unchanged, restored.updated, restored.failed], [['p'], [], []]);
  plugin = pluginOf(await client.status(), 'p');
  assert.is(plugin.reloadError, null, `the file is the serving version's again, yet daemon/status still reports: ${JSON.stringify(plugin.reloadError)}`);
});

test('a plugin file is not hashed again while unchanged, but an in-place rewrite of the same size and mtime is still a new version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-fingerprint-'));
  try {
    const file = join(dir, 'p.wasm');
    const entry = parseConfig(`[[providers]]\nname = "p"\npath = "p.wasm"\n`, join(dir, 'plugins.toml')).providers[0]!;
    const old = new Date(Date.now() - 60_000);
    writeFileSync(file, 'version one');
    utimesSync(file, old, old);
    const first = await currentFingerprint(entry);
    assert.is(await currentFingerprint(entry), first);
    // Same size, same mtime (set back): only the ctime tells.
    writeFileSync(file, 'version two');
    utimesSync(file, old, old);
    assert.is.not(await currentFingerprint(entry), first);
    rmSync(file);
    assert.match(await currentFingerprint(entry), /\nunreadable$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
