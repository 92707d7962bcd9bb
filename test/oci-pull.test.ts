// Plugins from a real OCI registry (Debian's docker-registry on loopback): `plugd push`, `plugd
// pull` by tag and by digest, a daemon that loads and calls `oci://` plugins, what status says
// about them, a corrupted blob, and a tag that moves under a pinned digest.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { SourceEnv, StallingProxy, TestRegistry } from './helpers/registry.js';
import { pluginOf, waitSettledStatus } from './helpers/reload.js';
import { eventually, within } from './helpers/serve.js';
import { createHash } from 'node:crypto';

const echoWasm = samplePlugin('echo');
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

test('push, pull by tag and by digest, then a daemon loads and calls oci:// plugins', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/echo:1.0`;

  const push = await src.cli(['push', echoWasm, ref, '--json']);
  assert.is(push.code, 0, push.stderr);
  const pushed = JSON.parse(push.stdout) as { digest: string; type: string; ref: string };
  assert.is(pushed.type, 'wasm');
  assert.is(pushed.ref, ref);

  // What the registry holds is QueryMT's layout: one wasm layer, the plugin-type annotation.
  const manifest = (await (await fetch(`http://${registry.host}/v2/plugins/echo/manifests/1.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).json()) as {
    layers: Array<{ mediaType: string; digest: string; size: number }>;
    annotations: Record<string, string>;
  };
  assert.is(manifest.layers.length, 1);
  assert.is(manifest.layers[0]!.mediaType, 'application/vnd.wasm.v1.layer+wasm');
  assert.is(manifest.layers[0]!.digest, sha(readFileSync(echoWasm)));
  assert.is(manifest.annotations['mt.query.plugin.type'], 'extism');

  const pull = await src.cli(['pull', ref, '--json']);
  assert.is(pull.code, 0, pull.stderr);
  const [byTag] = JSON.parse(pull.stdout) as Array<{ digest: string; file: string; fromCache: boolean }>;
  assert.is(byTag!.digest, pushed.digest);
  assert.is(byTag!.fromCache, false);
  assert.ok(byTag!.file.startsWith(src.cacheRoot), byTag!.file);
  assert.equal(readFileSync(byTag!.file), readFileSync(echoWasm));

  const again = await src.cli(['pull', `oci://${registry.host}/plugins/echo@${pushed.digest}`, '--json']);
  assert.is(again.code, 0, again.stderr);
  const [byDigest] = JSON.parse(again.stdout) as Array<{ digest: string; file: string; fromCache: boolean }>;
  assert.is(byDigest!.digest, pushed.digest);
  assert.is(byDigest!.fromCache, true, 'the digest was already in the cache');
  assert.is(byDigest!.file, byTag!.file, 'entries for the same artifact share one file');

  // By the names of plugins.toml entries, and every download in it when none is named.
  const toml = join(src.dir, 'plugins.toml');
  writeFileSync(toml, `[[providers]]\nname = "tagged"\npath = "${ref}"\n\n[[providers]]\nname = "local"\npath = "${echoWasm}"\n`);
  const byName = await src.cli(['pull', '--config', toml, 'tagged']);
  assert.is(byName.code, 0, byName.stderr);
  assert.match(byName.stdout, new RegExp(`^tagged: ${ref.replace(/[./]/g, '\\$&')}\n  ${pushed.digest} up to date\n`));
  const all = JSON.parse((await src.cli(['pull', '--config', toml, '--json'])).stdout) as Array<{ target: string }>;
  assert.equal(all.map((o) => o.target), ['tagged']);
  const local = await src.cli(['pull', '--config', toml, 'local']);
  assert.is(local.code, 1);
  assert.match(local.stderr, /provider "local" is a local file/);

  const ls = await src.cli(['cache', 'ls', '--json']);
  const listed = JSON.parse(ls.stdout) as { entries: Array<{ ref: string }> };
  assert.equal(listed.entries.map((e) => e.ref).sort(), [ref, `oci://${registry.host}/plugins/echo@${pushed.digest}`].sort());

  // A daemon with its own, empty cache downloads; both entries end up on the same verified file.
  await using fresh = new SourceEnv();
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'tagged', path: ref, config: { prefix: 'T ' } },
      { name: 'pinned', path: `oci://${registry.host}/plugins/echo@${pushed.digest}`, config: { prefix: 'P ' } },
      { name: 'local', path: echoWasm },
    ],
    env: fresh.env,
  });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  for (const name of ['tagged', 'pinned']) {
    const plugin = pluginOf(status, name);
    assert.is(plugin.state, 'ready', JSON.stringify(plugin));
    assert.is(plugin.origin?.type, 'oci');
    assert.is(plugin.origin?.digest, pushed.digest);
    assert.is(plugin.origin?.warning, null);
    assert.ok(plugin.source.startsWith(fresh.cacheRoot), plugin.source);
  }
  assert.is(pluginOf(status, 'tagged').origin?.ref, ref);
  assert.equal(pluginOf(status, 'local').origin, { type: 'file', ref: echoWasm, digest: null, fromCache: false, warning: null });
  const { handle } = await client.build({ provider: 'tagged' });
  assert.is((await client.complete({ handle, prompt: 'hi' })).text, 'T hi');
  const pinned = await client.build({ provider: 'pinned' });
  assert.is((await client.complete({ handle: pinned.handle, prompt: 'hi' })).text, 'P hi');
});

test('a corrupted blob is rejected and nothing is cached; the other plugins serve', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/echo:bad`;
  assert.is((await src.cli(['push', echoWasm, ref])).code, 0);
  const bytes = readFileSync(echoWasm);
  const corrupted = Buffer.from(bytes);
  corrupted.writeUInt8(corrupted.readUInt8(corrupted.length - 1) ^ 0xff, corrupted.length - 1);
  writeFileSync(registry.blobData(sha(bytes)), corrupted);

  const pull = await src.cli(['pull', ref]);
  assert.is(pull.code, 1);
  assert.match(pull.stderr, /digest mismatch: expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}/);

  await using daemon = await DaemonProcess.start({ config: [{ name: 'bad', path: ref }, { name: 'local', path: echoWasm }], env: src.env });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  const bad = pluginOf(status, 'bad');
  assert.is(bad.state, 'failed');
  assert.is(bad.error?.code, 'SOURCE_DIGEST');
  assert.match(bad.error!.message, /^plugin "bad": oci:\/\/127\.0\.0\.1:\d+\/plugins\/echo:bad: layer sha256:\w+: digest mismatch/);
  assert.is(pluginOf(status, 'local').state, 'ready');
  const blobs = join(src.cacheRoot, 'blobs', 'sha256');
  assert.not.ok(existsSync(join(blobs, sha(bytes).slice(7))), 'the layer was not cached');
  assert.not.ok(existsSync(join(blobs, sha(corrupted).slice(7))), 'the bad bytes were not cached');
  assert.equal(existsSync(join(src.cacheRoot, 'refs')) ? readdirSync(join(src.cacheRoot, 'refs')) : [], []);
  assert.equal(existsSync(join(src.cacheRoot, 'tmp')) ? readdirSync(join(src.cacheRoot, 'tmp')) : [], [], 'no temp file left');
});

test('a tag moved under a pinned digest: the pin keeps its version, reload {refresh} picks up the tag', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/moving:stable`;
  const first = JSON.parse((await src.cli(['push', echoWasm, ref, '--json'])).stdout) as { digest: string };
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'tag', path: ref },
      { name: 'pin', path: `oci://${registry.host}/plugins/moving@${first.digest}` },
    ],
    env: src.env,
  });
  await using client = await daemon.connect();
  let status = await waitSettledStatus(client);
  assert.is(pluginOf(status, 'tag').pluginName, 'echo');
  assert.is(pluginOf(status, 'tag').origin?.digest, first.digest);

  const second = JSON.parse((await src.cli(['push', fixturePlugin('counter'), ref, '--json'])).stdout) as { digest: string };
  assert.is.not(second.digest, first.digest);

  // A plain reload does not ask the registry about unchanged entries.
  let summary = await client.reload();
  assert.equal(summary.unchanged.sort(), ['pin', 'tag']);
  status = await client.status();
  assert.is(pluginOf(status, 'tag').origin?.digest, first.digest);

  // `plugd pull --refresh` moves the cache's answer for the tag; the next reload loads it.
  const pull = await src.cli(['pull', '--refresh', ref]);
  assert.is(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`${second.digest} downloaded \\(was ${first.digest}\\)`));
  assert.match(pull.stdout, /a tag moved: run `plugd reload`/);
  summary = await client.reload();
  assert.equal(summary.updated, ['tag']);
  assert.equal(summary.unchanged, ['pin']);
  status = await waitSettledStatus(client);
  assert.is(pluginOf(status, 'tag').origin?.digest, second.digest);
  assert.is(pluginOf(status, 'tag').pluginName, 'counter');
  assert.is(pluginOf(status, 'pin').origin?.digest, first.digest);
  assert.is(pluginOf(status, 'pin').pluginName, 'echo');

  // The tag moves back; `plugins/reload {refresh: true}` asks the registry itself.
  const third = JSON.parse((await src.cli(['push', echoWasm, ref, '--json'])).stdout) as { digest: string };
  assert.is(third.digest, first.digest);
  const reload = await src.cli(['reload', '--refresh', '--socket', daemon.socketPath, '--json']);
  assert.is(reload.code, 0, reload.stderr);
  summary = JSON.parse(reload.stdout) as typeof summary;
  assert.equal(summary.updated, ['tag']);
  assert.equal(summary.unchanged, ['pin']);
  status = await waitSettledStatus(client);
  assert.is(pluginOf(status, 'tag').origin?.digest, first.digest);
  assert.is(pluginOf(status, 'tag').pluginName, 'echo');
});

test('plugd cache prune removes the older version of a moved tag, but not one a digest reference asked for', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/moving:stable`;
  const layers = join(src.cacheRoot, 'blobs', 'sha256');
  const echoLayer = sha(readFileSync(echoWasm)).slice(7);
  const counterLayer = sha(readFileSync(fixturePlugin('counter'))).slice(7);
  const cli = async (args: string[]) => {
    const run = await src.cli(args);
    assert.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  };
  const first = JSON.parse(await cli(['push', echoWasm, ref, '--json'])) as { digest: string };
  await cli(['pull', ref]);
  const second = JSON.parse(await cli(['push', fixturePlugin('counter'), ref, '--json'])) as { digest: string };
  await cli(['pull', '--refresh', ref]);
  assert.ok(readdirSync(layers).includes(echoLayer), 'the old version stays until pruned');
  const pruned = JSON.parse(await cli(['cache', 'prune', '--json'])) as { removed: number };
  assert.is(pruned.removed, 1, 'the old layer');
  assert.not.ok(readdirSync(layers).includes(echoLayer));
  assert.ok(readdirSync(layers).includes(counterLayer));
  assert.not.match(await cli(['cache', 'ls']), new RegExp(first.digest.slice(7, 19)), 'nor is its digest listed');

  // Asked for by its digest, a version is kept after the tag moves on.
  await cli(['pull', `oci://${registry.host}/plugins/moving@${second.digest}`]);
  await cli(['push', echoWasm, ref]);
  await cli(['pull', '--refresh', ref]);
  await cli(['cache', 'prune']);
  assert.ok(readdirSync(layers).includes(counterLayer), 'the pinned version stays');
  assert.ok(readdirSync(layers).includes(echoLayer), "the tag's version stays");

  // Two tags of one digest: when one moves on, the other still needs the record by digest.
  const shared = `oci://${registry.host}/plugins/shared`;
  const same = JSON.parse(await cli(['push', echoWasm, `${shared}:a`, '--json'])) as { digest: string };
  await cli(['push', echoWasm, `${shared}:b`]);
  await cli(['pull', `${shared}:a`]);
  await cli(['pull', `${shared}:b`]);
  await cli(['push', fixturePlugin('counter'), `${shared}:b`]);
  await cli(['pull', '--refresh', `${shared}:b`]);
  await cli(['cache', 'prune']);
  assert.match(await cli(['cache', 'ls']), `${shared}@${same.digest}`, 'the record by digest stays while tag a names it');
});

test('a layer download that stalls fails the plugin after the idle limit and caches nothing; a reload loads it later', async () => {
  await using registry = await TestRegistry.start();
  await using proxy = await StallingProxy.start(registry.host);
  await using src = new SourceEnv();
  const push = await src.cli(['push', echoWasm, `oci://${registry.host}/plugins/echo:1.0`]);
  assert.is(push.code, 0, push.stderr);
  const ref = `oci://${proxy.host}/plugins/echo:1.0`;
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: ref }], env: { ...src.env, PLUGD_DOWNLOAD_IDLE_MS: '700' } });
  await using client = await daemon.connect();
  const bytes = readFileSync(echoWasm);
  let echo = pluginOf(await waitSettledStatus(client), 'echo');
  assert.is(echo.state, 'failed');
  assert.is(echo.error?.code, 'SOURCE_UNREACHABLE');
  assert.is(
    echo.error?.message,
    `plugin "echo": ${ref}: layer ${sha(bytes)}: the download stalled: no data for 700 ms after ${Math.floor(bytes.length / 2)} of ${bytes.length} bytes; nothing was cached`,
  );
  const blobs = join(src.cacheRoot, 'blobs', 'sha256');
  assert.equal(existsSync(blobs) ? readdirSync(blobs) : [], [], 'no manifest or partial layer is kept');
  assert.equal(readdirSync(join(src.cacheRoot, 'tmp')), []);
  await eventually('the stalled connection was closed', () => proxy.abandoned === 1);

  // A registry that never answers the blob request at all is given up on after the same time.
  proxy.stallBlobs = 'headers';
  const silent = await Promise.race([client.reload(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the reload never ended')), 15_000).unref())]);
  assert.equal(silent.failed.map((f) => [f.name, f.error.code, f.error.message]), [['echo', 'SOURCE_UNREACHABLE', `plugin "echo": ${proxy.host}: cannot reach the registry (no answer within 700 ms)`]]);
  await eventually('the silent connection was closed', () => proxy.abandoned === 2);

  // Nor does a manifest whose answer stops half-way hold a reload longer than the idle limit.
  proxy.stallBlobs = false;
  proxy.stallManifests = 'body';
  const stalledManifest = await within(15_000, 'a reload with a stalled manifest', client.reload());
  assert.equal(stalledManifest.failed.map((f) => [f.name, f.error.code, f.error.message]), [['echo', 'SOURCE_UNREACHABLE', `plugin "echo": ${proxy.host}: cannot reach the registry (no answer within 700 ms)`]]);
  proxy.stallManifests = false;
  const summary = await client.reload();
  assert.equal(summary.failed, [], JSON.stringify(summary));
  echo = pluginOf(await waitSettledStatus(client), 'echo');
  assert.is(echo.state, 'ready', JSON.stringify(echo.error));
  const { handle } = await client.build({ provider: 'echo' });
  assert.is((await client.complete({ handle, prompt: 'through' })).text, 'through');
});

test.run();
