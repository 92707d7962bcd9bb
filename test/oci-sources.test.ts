// More about oci:// sources against a real registry: the cache when the registry is down, image
// indexes (this machine's platform, else wasi/wasm), native tar+gzip layers (extracted; `..` and
// links refused), and a registry that wants basic auth from the docker config.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256 } from '../daemon/sources/cache.js';
import { MediaTypes, OciClient } from '../daemon/sources/ociClient.js';
import { hostPlatform } from '../daemon/sources/platform.js';
import { extractSingleFile, packSingleFile } from '../daemon/sources/tar.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { nativePlugin, samplePlugin } from './helpers/paths.js';
import { SourceEnv, TestRegistry } from './helpers/registry.js';
import { pluginOf, runCli, waitSettledStatus } from './helpers/reload.js';

const echoWasm = samplePlugin('echo');
const host = hostPlatform();
const otherArch = host.architecture === 's390x' ? 'ppc64le' : 's390x';

/** Bytes that pass for a native library of `arch` (ELF magic and machine field). */
function fakeElf(arch: string, tag: string): Buffer {
  const machines: Record<string, number> = { amd64: 0x3e, arm64: 0xb7, s390x: 0x16, ppc64le: 0x15 };
  const bytes = Buffer.alloc(64 + tag.length);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  bytes.writeUInt16LE(machines[arch] ?? 0, 18);
  bytes.write(tag, 64);
  return bytes;
}

test('registry down: a cached tag loads from the cache with a warning; a pinned digest needs no registry', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/echo:offline`;
  const { digest } = JSON.parse((await src.cli(['push', echoWasm, ref, '--json'])).stdout) as { digest: string };
  assert.is((await src.cli(['pull', ref])).code, 0);
  await registry.pause();

  const pull = await src.cli(['pull', '--refresh', ref, '--json']);
  assert.is(pull.code, 0, pull.stderr);
  assert.match(pull.stderr, /warning: oci:\/\/127\.0\.0\.1:\d+\/plugins\/echo:offline: 127\.0\.0\.1:\d+: cannot reach the registry \(ECONNREFUSED\); using the cached version sha256:/);

  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'tag', path: ref, config: { prefix: 'off ' } },
      { name: 'pin', path: `oci://${registry.host}/plugins/echo@${digest}` },
      { name: 'never', path: `oci://${registry.host}/plugins/never:1` },
    ],
    env: src.env,
  });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  const tag = pluginOf(status, 'tag');
  assert.is(tag.state, 'ready');
  assert.is(tag.origin?.digest, digest);
  assert.is(tag.origin?.fromCache, true);
  assert.match(tag.origin?.warning ?? '', /cannot reach the registry .*using the cached version/);
  assert.match(daemon.stderr, /WARN.*plugin "tag": .*cannot reach the registry/);
  const pin = pluginOf(status, 'pin');
  assert.is(pin.state, 'ready');
  assert.equal([pin.origin?.fromCache, pin.origin?.warning], [true, null]);
  const never = pluginOf(status, 'never');
  assert.is(never.state, 'failed');
  assert.is(never.error?.code, 'SOURCE_UNREACHABLE');
  assert.match(never.error!.message, /^plugin "never": 127\.0\.0\.1:\d+: cannot reach the registry \(ECONNREFUSED\)$/);
  const { handle } = await client.build({ provider: 'tag' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'off x');

  // Back online, a refresh finds the same digest: nothing to update, and no warning any more.
  await registry.resume();
  const summary = await client.reload({ refresh: true });
  assert.equal(summary.updated, []);
  assert.is(pluginOf(await client.status(), 'tag').origin?.warning, null);
});

test('an image index: this machine picks its own platform, else the wasi/wasm entry; push adds platforms to the index', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const dir = src.dir;
  const foreign = join(dir, 'libforeign.so');
  writeFileSync(foreign, fakeElf(otherArch, 'foreign'));
  const ref = `oci://${registry.host}/plugins/multi:1`;
  let push = await src.cli(['push', foreign, ref, '--json']);
  assert.is(push.code, 0, push.stderr);
  assert.equal((JSON.parse(push.stdout) as { platforms: string[] }).platforms, [`linux/${otherArch}`], 'the platform comes from the ELF header');
  push = await src.cli(['push', echoWasm, ref, '--platform', 'wasi/wasm', '--json']);
  assert.is(push.code, 0, push.stderr);
  const pushed = JSON.parse(push.stdout) as { platforms: string[]; digest: string };
  assert.equal(pushed.platforms, [`linux/${otherArch}`, 'wasi/wasm']);

  const index = (await (await fetch(`http://${registry.host}/v2/plugins/multi/manifests/1`, { headers: { accept: MediaTypes.ociIndex } })).json()) as { mediaType: string; manifests: unknown[] };
  assert.is(index.mediaType, MediaTypes.ociIndex);
  assert.is(index.manifests.length, 2);

  // A native build for this machine, in the index of another tag: pulled and extracted as is.
  const mine = join(dir, 'libmine.so');
  const mineBytes = fakeElf(host.architecture, 'mine');
  writeFileSync(mine, mineBytes);
  const nativeRef = `oci://${registry.host}/plugins/multi:native`;
  assert.is((await src.cli(['push', foreign, nativeRef])).code, 0);
  assert.is((await src.cli(['push', mine, nativeRef, '--platform', `${host.os}/${host.architecture}`])).code, 0);
  const pull = await src.cli(['pull', nativeRef, '--json']);
  assert.is(pull.code, 0, pull.stderr);
  const [native] = JSON.parse(pull.stdout) as Array<{ file: string }>;
  assert.ok(native!.file.startsWith(join(src.cacheRoot, 'files', 'sha256')), native!.file);
  assert.ok(native!.file.endsWith('/libmine.so'), native!.file);
  assert.equal(readFileSync(native!.file), mineBytes);

  const onlyForeign = `oci://${registry.host}/plugins/multi:foreign`;
  assert.is((await src.cli(['push', foreign, onlyForeign])).code, 0);

  await using daemon = await DaemonProcess.start({ config: [{ name: 'multi', path: ref }, { name: 'foreign', path: onlyForeign }], env: src.env });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  const multi = pluginOf(status, 'multi');
  assert.is(multi.state, 'ready', JSON.stringify(multi.error));
  assert.is(multi.type, 'wasm');
  assert.is(multi.origin?.digest, pushed.digest, 'the resolved digest is the index the tag names');
  const { handle } = await client.build({ provider: 'multi' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'x');
  const unfit = pluginOf(status, 'foreign');
  assert.is(unfit.state, 'failed');
  assert.is(unfit.error?.code, 'SOURCE_FORMAT');
  assert.match(unfit.error!.message, new RegExp(`no entry for ${host.os}/${host.architecture} nor a wasi/wasm one \\(it has: linux/${otherArch}\\)`));
});

test('a native plugin from a registry loads in its own process once downloaded; a tag moved to a Wasm build becomes a Wasm plugin on reload', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/native-echo:1`;
  const push = await src.cli(['push', nativePlugin('native-echo'), ref, '--json']);
  assert.is(push.code, 0, push.stderr);
  const { digest } = JSON.parse(push.stdout) as { digest: string };

  // Nothing in the cache yet: the daemon downloads it, then picks the host from the file.
  await using daemon = await DaemonProcess.start({ config: [{ name: 'n', path: ref, config: { prefix: 'N ' } }], env: src.env });
  await using client = await daemon.connect();
  let status = await waitSettledStatus(client);
  const n = pluginOf(status, 'n');
  assert.is(n.state, 'ready', JSON.stringify(n.error));
  assert.equal([n.type, n.isolation, n.origin?.digest, n.origin?.fromCache], ['native', 'process', digest, false]);
  const { handle } = await client.build({ provider: 'n' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'N x');
  const chunks: string[] = [];
  for await (const chunk of client.chatStream(handle, [{ role: 'user', content: 'hi' }])) if (chunk.type === 'text') chunks.push(chunk.text);
  assert.is(chunks.join(''), 'N hi', 'streaming through the host callback, across the download');

  // The same tag now names a Wasm build: a refresh swaps the native plugin for a Wasm one.
  assert.is((await src.cli(['push', echoWasm, ref])).code, 0);
  const summary = await client.reload({ refresh: true });
  assert.equal(summary.updated, ['n']);
  status = await client.status();
  assert.equal([pluginOf(status, 'n').type, pluginOf(status, 'n').isolation ?? null], ['wasm', null]);
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'N x', 'the handle follows the new version');
});

test('a native tar layer with a ../ path is refused and nothing is written outside the cache', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  const client = new OciClient(registry.host, { insecure: false, credentials: null, idleMs: 30_000 });
  const layer = packSingleFile('../evil.so', fakeElf(host.architecture, 'evil'));
  const config = Buffer.from('{}');
  await client.pushBlob('plugins/evil', sha256(config), config);
  await client.pushBlob('plugins/evil', sha256(layer), layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.empty, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MediaTypes.tarGzipLayer, digest: sha256(layer), size: layer.length }],
      annotations: { 'mt.query.plugin.type': 'native' },
    }),
  );
  await client.pushManifest('plugins/evil', '1', manifest, MediaTypes.ociManifest);

  await using daemon = await DaemonProcess.start({ config: [{ name: 'evil', path: `oci://${registry.host}/plugins/evil:1` }], env: src.env });
  await using rpc = await daemon.connect();
  const evil = pluginOf(await waitSettledStatus(rpc), 'evil');
  assert.is(evil.state, 'failed');
  assert.is(evil.error?.code, 'SOURCE_UNSAFE');
  assert.match(evil.error!.message, /the archive entry "\.\.\/evil\.so" points outside its directory/);
  assert.not.ok(existsSync(join(src.cacheRoot, 'files')), 'nothing was extracted');
  assert.not.ok(existsSync(join(src.cacheRoot, 'evil.so')));
  assert.not.ok(existsSync(join(src.cacheRoot, '..', 'evil.so')));
  assert.equal(existsSync(join(src.cacheRoot, 'refs')) ? readdirSync(join(src.cacheRoot, 'refs')) : [], [], 'no reference recorded');
});

test('tar layers: links, absolute paths and a second file are refused; one regular file comes out whole', async () => {
  const elf = fakeElf(host.architecture, 'ok');
  assert.equal(await extractSingleFile(packSingleFile('lib/libok.so', elf), 'x'), { name: 'libok.so', bytes: elf });
  const withType = (name: string, type: string) => {
    const tar = gunzipSync(packSingleFile(name, elf));
    tar.write(type, 156);
    return gzipSync(tar);
  };
  const refused = async (gzipped: Uint8Array, pattern: RegExp) => {
    const error = await extractSingleFile(gzipped, 'layer').then(
      () => null,
      (e: unknown) => e as Error,
    );
    assert.ok(error, `refused: ${pattern}`);
    assert.match(error.message, pattern);
  };
  await refused(withType('libok.so', '2'), /layer: the archive holds a link \("libok\.so"\)/);
  await refused(withType('libok.so', '1'), /holds a link/);
  await refused(withType('libok.so', '3'), /not a regular file/);
  await refused(packSingleFile('/etc/libok.so', elf), /absolute or invalid path/);
  await refused(packSingleFile('a/../../libok.so', elf), /points outside its directory/);
  const two = Buffer.concat([gunzipSync(packSingleFile('a.so', elf)).subarray(0, 1024), gunzipSync(packSingleFile('b.so', elf))]);
  await refused(gzipSync(two), /more than one file \("a\.so", "b\.so"\)/);
  await refused(Buffer.from('not gzip'), /not a gzip archive/);
});

test('a large tar layer is unpacked off the event loop: timers keep running meanwhile', async () => {
  const big = Buffer.alloc(64 * 1024 * 1024, 7);
  const layer = packSingleFile('libbig.so', big);
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  try {
    const extracted = await extractSingleFile(layer, 'layer');
    assert.is(extracted.bytes.length, big.length);
  } finally {
    clearInterval(ticker);
  }
  assert.ok(turns > 0, 'the event loop ran while the archive was unpacked');
});

test('a registry with htpasswd basic auth: credentials come from the docker config', async () => {
  await using registry = await TestRegistry.start({ user: { name: 'ada', password: 's3cret' } });
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/private/echo:1`;
  const denied = await src.cli(['push', echoWasm, ref]);
  assert.is(denied.code, 1);
  assert.match(denied.stderr, /the registry asks for a user name and password; none found for it in the docker config/);

  src.login(registry.host, 'ada', 'wrong');
  const wrong = await src.cli(['push', echoWasm, ref]);
  assert.is(wrong.code, 1);
  assert.match(wrong.stderr, /access denied \(401\).*with the credentials from the docker config/);

  src.login(registry.host, 'ada', 's3cret');
  const push = await src.cli(['push', echoWasm, ref]);
  assert.is(push.code, 0, push.stderr);

  await using anonymous = new SourceEnv();
  await using daemon = await DaemonProcess.start({
    config: [{ name: 'private', path: ref }],
    env: src.env,
  });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  assert.is(pluginOf(status, 'private').state, 'ready', JSON.stringify(pluginOf(status, 'private').error));
  const { handle } = await client.build({ provider: 'private' });
  assert.is((await client.complete({ handle, prompt: 'auth' })).text, 'auth');

  const pull = await anonymous.cli(['pull', ref]);
  assert.is(pull.code, 1);
  assert.match(pull.stderr, /pull oci:\/\/127\.0\.0\.1:\d+\/private\/echo:1: 127\.0\.0\.1:\d+: the registry asks for a user name and password/);
});

test('bearer tokens from the WWW-Authenticate challenge: anonymous, then with credentials from the docker config', async () => {
  await using registry = await TestRegistry.start({ token: true });
  await using src = new SourceEnv();
  const ref = `oci://${registry.host}/plugins/echo:token`;
  const push = await src.cli(['push', echoWasm, ref]);
  assert.is(push.code, 0, push.stderr);
  // docker-registry lists a challenge's actions in either order ("pull,push" or "push,pull").
  const actions = (scope: string | null) => scope?.replace(/^repository:plugins\/echo:/, '').split(',').sort().join(',');
  assert.ok(registry.tokens!.requests.some((r) => r.service === 'plugd-test' && actions(r.scope) === 'pull,push' && r.authorization === undefined), JSON.stringify(registry.tokens!.requests));
  await using daemon = await DaemonProcess.start({ config: [{ name: 'token', path: ref }], env: src.env });
  await using client = await daemon.connect();
  assert.is(pluginOf(await waitSettledStatus(client), 'token').state, 'ready');
  assert.ok(registry.tokens!.requests.some((r) => r.scope === 'repository:plugins/echo:pull'));
  const { handle } = await client.build({ provider: 'token' });
  assert.is((await client.complete({ handle, prompt: 'bearer' })).text, 'bearer');

  await using guarded = await TestRegistry.start({ token: true, tokenUser: { name: 'ada', password: 'pw' } });
  const guardedRef = `oci://${guarded.host}/plugins/echo:1`;
  const refused = await src.cli(['push', echoWasm, guardedRef]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /127\.0\.0\.1:\d+: the token service http:\/\/127\.0\.0\.1:\d+ refused \(401\)/);
  src.login(guarded.host, 'ada', 'pw');
  const pushed = await src.cli(['push', echoWasm, guardedRef]);
  assert.is(pushed.code, 0, pushed.stderr);
  const pull = await src.cli(['pull', guardedRef]);
  assert.is(pull.code, 0, pull.stderr);
  assert.ok(guarded.tokens!.requests.some((r) => r.authorization === `Basic ${Buffer.from('ada:pw').toString('base64')}`));

  // A bearer token stored in the docker config (`registrytoken`) is sent as is: the token
  // service is not asked.
  const issued = await fetch(`${guarded.tokens!.realm}?service=plugd-test&scope=repository:plugins/echo:pull`, {
    headers: { authorization: `Basic ${Buffer.from('ada:pw').toString('base64')}` },
  });
  const { token } = (await issued.json()) as { token: string };
  await using holder = new SourceEnv();
  holder.loginToken(guarded.host, token);
  const asked = guarded.tokens!.requests.length;
  const withToken = await holder.cli(['pull', guardedRef, '--json']);
  assert.is(withToken.code, 0, withToken.stderr);
  assert.is(guarded.tokens!.requests.length, asked);
  assert.ok((JSON.parse(withToken.stdout) as Array<{ file: string }>)[0]!.file.startsWith(holder.cacheRoot));
});

test('the token service named by a challenge: never plain http to a non-loopback name; a bad realm or a non-JSON answer is named', async () => {
  // A loopback "registry" that challenges every request, and its token service.
  let realm = '';
  const tokenRequests: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/token')) {
      tokenRequests.push(req.headers.authorization);
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    }
    res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="x"` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await using _server = { [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  const port = (server.address() as { port: number }).port;
  const registry = `127.0.0.1:${port}`;
  await using src = new SourceEnv();
  src.login(registry, 'ada', 'pw');
  const pull = () => src.cli(['pull', `oci://${registry}/plugins/echo:1`]);

  // This machine's name (here it resolves to 127.0.0.1, so it reaches the token service) is
  // not a loopback name: plain http to it would carry the credentials over the network.
  const name = hostname() === 'localhost' ? 'example.invalid' : hostname().toLowerCase();
  realm = `http://${name}:${port}/token`;
  let run = await pull();
  assert.is(run.code, 1);
  assert.match(
    run.stderr,
    `${registry}: refused the token service http://${name}:${port}: only https:// (or http:// to a loopback host) is used, unless the registry is marked insecure in [registries."${registry}"]; nothing was sent`,
  );
  assert.equal(tokenRequests, [], 'the credentials were not sent');

  realm = 'not a url';
  run = await pull();
  assert.is(run.code, 1);
  assert.match(run.stderr, `${registry}: the registry's token service realm "not a url" is not a valid URL`);

  realm = `http://127.0.0.1:${port}/token`;
  run = await pull();
  assert.is(run.code, 1);
  assert.match(run.stderr, `${registry}: the token service http://127.0.0.1:${port} answered with something that is not JSON`);
  assert.equal(tokenRequests, [`Basic ${Buffer.from('ada:pw').toString('base64')}`]);
});

test('plain http only for loopback names, or for a registry marked insecure', async () => {
  await using registry = await TestRegistry.start();
  await using src = new SourceEnv();
  // 127.0.0.1 spelled as one decimal number: it reaches the test registry, but it is not a
  // loopback name, so plugd must speak https to it unless told otherwise.
  const name = `2130706433:${registry.port}`;
  const ref = `oci://${name}/plugins/echo:1`;
  const refused = await src.cli(['push', echoWasm, ref]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`^plugd: ${name}: cannot reach the registry \\(ERR_SSL_WRONG_VERSION_NUMBER\\)`));
  const push = await src.cli(['push', echoWasm, ref, '--insecure']);
  assert.is(push.code, 0, push.stderr);

  const entry = `[[providers]]\nname = "lan"\npath = "${ref}"\n`;
  await using strict = await DaemonProcess.start({ config: entry, env: src.env });
  await using c1 = await strict.connect();
  const failed = pluginOf(await waitSettledStatus(c1), 'lan');
  assert.is(failed.error?.code, 'SOURCE_UNREACHABLE');
  await strict.stop();

  // `plugd pull REF` takes the registry settings from the config it finds, as the daemon does.
  const configPath = join(src.dir, 'plugins.toml');
  writeFileSync(configPath, `[registries."${name}"]\ninsecure = true\n`);
  const pulled = await runCli(['pull', ref, '--json'], 30_000, { ...src.env, PLUGD_CONFIG: configPath });
  assert.is(pulled.code, 0, pulled.stderr);
  assert.is((JSON.parse(pulled.stdout) as Array<{ ref: string }>)[0]!.ref, ref);

  await using lenient = await DaemonProcess.start({ config: `${entry}\n[registries."${name}"]\ninsecure = true\n`, env: src.env });
  await using c2 = await lenient.connect();
  const lan = pluginOf(await waitSettledStatus(c2), 'lan');
  assert.is(lan.state, 'ready', JSON.stringify(lan.error));
  assert.is(lan.origin?.ref, ref);
});

test.run();
