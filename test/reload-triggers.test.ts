// What starts a reload: `plugd reload` (method plugins/reload), SIGHUP and the file watcher all
// take the same path and tell every connected client with plugins/didChange; `--no-watch` leaves
// file edits alone until asked. Also what a client can do right after the daemon starts.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReloadSummary } from '../protocol/plugins.js';
import type { ProviderSpec } from './helpers/config.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { echoEntry, pluginOf, ReloadDaemon, runCli, sorted, untilPrefix, type DidChange } from './helpers/reload.js';
import { eventually, sleep, within } from './helpers/serve.js';

const files = { 'echo.wasm': samplePlugin('echo'), 'counter.wasm': fixturePlugin('counter') };
const counterEntry: ProviderSpec = { name: 'counter', path: 'counter.wasm' };

/** The summary part of a didChange notification. */
const summaryOf = ({ trigger: _trigger, ...summary }: DidChange): ReloadSummary => summary;

test('--no-watch: file edits do nothing until `plugd reload`, whose summary lists added, removed, updated and unchanged', async () => {
  await using daemon = await ReloadDaemon.start({
    files,
    config: [echoEntry('echo', 'echo.wasm', 'v1 '), counterEntry, echoEntry('gone', 'echo.wasm', 'G ')],
    watch: false,
  });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'echo' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');
  const before = await client.status();
  assert.is(before.watching, false);
  assert.is(before.reloads, 0);

  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry, echoEntry('fresh', 'echo.wasm', 'F ')], 'rename');
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry, echoEntry('fresh', 'echo.wasm', 'F ')], 'inplace');
  // Nothing to wait for: give a watcher (its event, 10 ms coalescing, a load) ample time
  // to have acted if there were one.
  await sleep(1000);
  let status = await client.status();
  assert.is(status.reloads, 0, 'no reload happened');
  assert.equal(log.events, [], 'no plugins/didChange');
  assert.equal(status.plugins.map((p) => [p.name, p.readyAt]), before.plugins.map((p) => [p.name, p.readyAt]));
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v1 x');

  const run = await runCli(['reload', '--socket', daemon.socketPath]);
  assert.is(run.code, 0, `plugd reload: ${run.stderr}`);
  assert.is(run.stderr, '');
  assert.is(
    run.stdout,
    ['reloaded: 1 added, 1 updated, 1 removed, 1 unchanged', '  added:     fresh', '  updated:   echo', '  removed:   gone', '  unchanged: counter', ''].join('\n'),
  );
  const event = await log.next(() => true);
  assert.is(event.trigger, 'request');
  assert.equal(summaryOf(event), { added: ['fresh'], removed: ['gone'], updated: ['echo'], unchanged: ['counter'], failed: [], configError: null });
  status = await client.status();
  assert.is(status.reloads, 1);
  assert.equal(status.plugins.map((p) => [p.name, p.state]), [['echo', 'ready'], ['counter', 'ready'], ['fresh', 'ready']]);
  assert.is(pluginOf(status, 'counter').readyAt, pluginOf(before, 'counter').readyAt);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');

  // PlugdClient.reload: the same summary as the notification, trigger `request`.
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v3 '), counterEntry, echoEntry('fresh', 'echo.wasm', 'F ')]);
  const mark = log.events.length;
  const summary = await client.reload();
  assert.equal(summary, { added: [], removed: [], updated: ['echo'], unchanged: ['counter', 'fresh'], failed: [], configError: null });
  const again = await log.next(() => true, mark);
  assert.equal([again.trigger, summaryOf(again)], ['request', summary]);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v3 x');
});

test('with the watcher on, an edit followed at once by plugins/reload: the answer lists the edit, whichever reload applied it', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: [echoEntry('echo', 'echo.wasm', 'v0 '), counterEntry] });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'echo' });
  for (let round = 1; round <= 8; round++) {
    daemon.writeConfig([echoEntry('echo', 'echo.wasm', `v${round} `), counterEntry], round % 2 ? 'rename' : 'inplace');
    // Rounds 3 and up wait a little first, so the watcher's reload is more often already running.
    if (round > 2) await sleep(round * 3);
    const summary = await client.reload();
    assert.equal([summary.updated, summary.unchanged, summary.failed], [['echo'], ['counter'], []], `round ${round}`);
    assert.is((await client.complete({ handle, prompt: 'x' })).text, `v${round} x`, `round ${round}: the edit serves once the answer came`);
    await daemon.quiet(client, 150);
  }
});

test('the watcher keeps seeing saves: after two saves 1 ms apart, and after a file (plugins.toml, a plugin in a subdirectory) is deleted and created again', async () => {
  await using daemon = await ReloadDaemon.start({ files: { 'echo.wasm': samplePlugin('echo') }, config: [echoEntry('echo', 'echo.wasm', 'v0 ')] });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'echo' });
  // Two rename-over saves back to back, then one more: the last is still seen.
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'a ')], 'rename');
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'b ')], 'rename');
  await untilPrefix(client, handle, 'b ');
  await daemon.quiet(client, 150);
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'c ')], 'rename');
  await untilPrefix(client, handle, 'c ');

  // plugins.toml deleted, then written anew.
  await daemon.quiet(client, 150);
  rmSync(daemon.configPath);
  await sleep(200);
  writeFileSync(daemon.configPath, `[[providers]]\nname = "echo"\npath = "echo.wasm"\n[providers.config]\nprefix = "d "\n`);
  await untilPrefix(client, handle, 'd ');

  // A plugin in a subdirectory, deleted by a clean build and written again, twice.
  mkdirSync(daemon.path('plugins'));
  copyFileSync(samplePlugin('echo'), daemon.path('plugins/echo.wasm'));
  daemon.writeConfig([echoEntry('echo', 'plugins/echo.wasm', 'e ')], 'rename');
  await untilPrefix(client, handle, 'e ');
  for (const fixture of ['counter', 'echo'] as const) {
    await daemon.quiet(client, 150);
    rmSync(daemon.path('plugins/echo.wasm'));
    await sleep(200);
    copyFileSync(fixture === 'counter' ? fixturePlugin('counter') : samplePlugin('echo'), daemon.path('plugins/echo.wasm'));
    await eventually(`the re-created ${fixture} build serves`, async () => pluginOf(await client.status(), 'echo').pluginName === fixture, 10_000);
  }
});

test('a burst of saves is coalesced: five writes in a row make one reload (two at most, when the first already started), with the last content', async () => {
  await using daemon = await ReloadDaemon.start({ files: { 'echo.wasm': samplePlugin('echo') }, config: [echoEntry('echo', 'echo.wasm', 'v0 ')] });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'echo' });
  for (let round = 1; round <= 3; round++) {
    await daemon.quiet(client, 150);
    const before = (await client.status()).reloads;
    const mark = log.events.length;
    for (let i = 1; i <= 5; i++) daemon.writeConfig([echoEntry('echo', 'echo.wasm', `r${round}w${i} `)], i % 2 ? 'rename' : 'inplace');
    await untilPrefix(client, handle, `r${round}w5 `);
    await daemon.quiet(client, 300);
    const reloads = (await client.status()).reloads - before;
    assert.ok(reloads >= 1 && reloads <= 2, `round ${round}: ${reloads} reloads for 5 writes`);
    assert.is(log.since(mark).length, reloads, 'one plugins/didChange per reload');
  }
});

test('`plugd reload --json` prints the summary; a rejected config or a failed plugin exits 1 and says why', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: [echoEntry('echo', 'echo.wasm', 'v1 '), counterEntry], watch: false });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'echo' });

  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry]);
  let run = await runCli(['reload', '--json', '--socket', daemon.socketPath]);
  assert.is(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout), { added: [], removed: [], updated: ['echo'], unchanged: ['counter'], failed: [], configError: null });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');

  // Nothing changed: everything unchanged.
  run = await runCli(['reload', '--socket', daemon.socketPath]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, 'reloaded: 0 added, 0 updated, 0 removed, 2 unchanged\n  unchanged: echo, counter\n');

  // A TOML error.
  daemon.writeConfig('[[providers]]\nname = "echo"\npath = "echo.wasm\n');
  run = await runCli(['reload', '--socket', daemon.socketPath]);
  assert.is(run.code, 1);
  assert.match(run.stdout, /^config rejected; nothing changed \(the last good config keeps serving\)\n  error: ConfigError: /);
  assert.match(run.stdout, `${daemon.configPath}:3:`);
  assert.match(run.stderr, /^plugd: reload: the config was rejected/);
  run = await runCli(['reload', '--json', '--socket', daemon.socketPath]);
  assert.is(run.code, 1);
  const rejected = JSON.parse(run.stdout) as ReloadSummary;
  assert.is(rejected.configError?.code, 'CONFIG_SYNTAX');
  assert.equal(sorted(rejected.unchanged), ['counter', 'echo']);
  assert.is((await client.status()).configError?.code, 'CONFIG_SYNTAX');
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');

  // A plugin that fails to load.
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry, { name: 'broken', path: 'nope.wasm' }]);
  run = await runCli(['reload', '--socket', daemon.socketPath]);
  assert.is(run.code, 1);
  assert.match(run.stdout, /^reloaded: 1 added, 0 updated, 0 removed, 2 unchanged\n/);
  assert.match(run.stdout, /failed to load[^\n]*\n  broken: PluginLoadError: [^\n]*nope\.wasm/);
  assert.match(run.stderr, /^plugd: reload: a plugin failed to load \("broken"\)/);
  assert.is((await client.status()).configError, null, 'the config itself was accepted');
});

test('SIGHUP reloads (trigger `signal`) without stopping the daemon', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: [echoEntry('echo', 'echo.wasm', 'v1 '), counterEntry], watch: false });
  await using client = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle } = await client.build({ provider: 'echo' });
  daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 ')]);
  process.kill(daemon.pid, 'SIGHUP');
  const event = await log.next(() => true);
  assert.equal([event.trigger, summaryOf(event)], ['signal', { added: [], removed: ['counter'], updated: ['echo'], unchanged: [], failed: [], configError: null }]);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'v2 x');
  process.kill(daemon.pid, 'SIGHUP');
  const second = await log.next(() => true, 1);
  assert.equal([second.trigger, summaryOf(second)], ['signal', { added: [], removed: [], updated: [], unchanged: ['echo'], failed: [], configError: null }]);
  const status = await client.status();
  assert.is(status.reloads, 2);
  assert.equal(status.plugins.map((p) => p.name), ['echo']);
  assert.is(daemon.run.child.exitCode, null, 'the daemon is still running');
});

test('plugins/didChange reaches every connected client, with the trigger: request, watch, signal', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: [echoEntry('echo', 'echo.wasm', 'v1 '), counterEntry] });
  await using requester = await daemon.connect();
  const logs = await Promise.all([daemon.didChangeLog(), daemon.didChangeLog(), daemon.didChangeLog()]);
  try {
    const { handle } = await requester.build({ provider: 'echo' });
    assert.is((await requester.status()).clients >= 4, true);
    const all = { added: [], removed: [], updated: [], failed: [], configError: null };

    const summary = await requester.reload();
    for (const [i, log] of logs.entries()) {
      const event = await log.next(() => true, 0);
      assert.equal(event, { ...summary, trigger: 'request' }, `client ${i}: request`);
    }
    assert.equal(summary, { ...all, unchanged: ['echo', 'counter'] });

    daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 '), counterEntry]);
    for (const [i, log] of logs.entries()) {
      const event = await log.next((e) => e.updated.length > 0, 1);
      assert.equal(event, { ...all, updated: ['echo'], unchanged: ['counter'], trigger: 'watch' }, `client ${i}: watch`);
    }
    assert.is((await requester.complete({ handle, prompt: 'x' })).text, 'v2 x');

    const mark = logs.map((log) => log.events.length);
    process.kill(daemon.pid, 'SIGHUP');
    for (const [i, log] of logs.entries()) {
      const event = await log.next((e) => e.trigger === 'signal', mark[i]);
      assert.equal(event, { ...all, unchanged: ['echo', 'counter'], trigger: 'signal' }, `client ${i}: signal`);
    }
    // Each client got one notification per reload, the same ones, in the same order.
    await eventually('every client has every notification', () => logs.every((log) => log.events.length === logs[0]!.events.length), 5000);
    assert.equal(logs[1]!.events, logs[0]!.events);
    assert.equal(logs[2]!.events, logs[0]!.events);
    assert.equal(logs[0]!.events.map((e) => e.trigger), ['request', 'watch', 'signal']);
  } finally {
    await Promise.all(logs.map((log) => log.close()));
  }
});

test('SIGHUP sent as soon as the daemon accepts connections reloads it (does not kill it)', async () => {
  const killed: string[] = [];
  for (const watch of [false, true]) {
    await using daemon = await ReloadDaemon.start({ files, config: [echoEntry('echo', 'echo.wasm', 'v1 ')], watch, early: true });
    process.kill(daemon.pid, 'SIGHUP');
    await sleep(300);
    if (daemon.run.child.signalCode !== null) {
      killed.push(`${watch ? 'watching' : '--no-watch'}: killed by ${daemon.run.child.signalCode}; its log:\n${daemon.stderr}`);
      continue;
    }
    await using client = await daemon.connect();
    await eventually('the SIGHUP reload is counted', async () => (await client.status()).reloads === 1, 10_000);
  }
  assert.equal(killed, [], `a SIGHUP sent once the socket accepts connections killed the daemon (its handler is installed only later):\n${killed.join('\n')}`);
});

test('an edit made as soon as the daemon accepts connections is seen by the watcher (3 starts)', async () => {
  const missed: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await using daemon = await ReloadDaemon.start({ files, config: [echoEntry('echo', 'echo.wasm', 'v1 ')], early: true });
    daemon.writeConfig([echoEntry('echo', 'echo.wasm', 'v2 ')]);
    await using client = await daemon.connect();
    const { handle } = await within(15_000, 'build', client.build({ provider: 'echo' }));
    try {
      await untilPrefix(client, handle, 'v2 ', 5000);
    } catch {
      const status = await client.status();
      missed.push(`start ${attempt}: still v1 after 5 s (reloads ${status.reloads}, watching ${status.watching})`);
    }
  }
  assert.equal(missed, [], `the watcher missed an edit made right after start (status.watching was already true):\n${missed.join('\n')}`);
});

test.run();
