// Plugins from URLs, against a local HTTP server on loopback (plain http:// is allowed for
// loopback hosts only): ETag and Last-Modified revalidation, a sha256 pin (mismatch rejected,
// match served from the cache without asking), the offline fallback, and config errors.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { PluginsSourceProgressNotification } from '../protocol/plugins.js';
import { providersToml } from './helpers/config.js';
import { eventually, sleep, within } from './helpers/serve.js';
import { connectionOver } from './helpers/rawRpc.js';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../daemon/config/load.js';
import { Cache } from '../daemon/sources/cache.js';
import { Readable } from 'node:stream';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { SourceEnv } from './helpers/registry.js';
import { pluginOf, runCli, waitSettledStatus } from './helpers/reload.js';

const echo = readFileSync(samplePlugin('echo'));
const counter = readFileSync(fixturePlugin('counter'));
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Serves one file at /plugin.wasm with the validators given; records every request's headers. */
class FileServer implements AsyncDisposable {
  body = echo;
  /** While set, every response sends its headers and first half, then the rest once it resolves. */
  private gate: Promise<void> | null = null;
  /** Sends the headers and the first half, then nothing more (the connection stays open). */
  stall = false;
  /** Answers these paths with a 302 to the location given. */
  readonly redirects = new Map<string, string>();
  /** Every request's path and query, as received. */
  readonly paths: string[] = [];
  /** Requests whose connection the client closed before the whole body was sent. */
  abandoned = 0;
  etag: string | null = '"v1"';
  lastModified: string | null = null;
  readonly requests: IncomingHttpHeaders[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FileServer> {
    let self!: FileServer;
    const server = createServer((req, res) => {
      self.requests.push(req.headers);
      self.paths.push(req.url ?? '');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const location = self.redirects.get(path);
      if (location !== undefined) return void res.writeHead(302, { location }).end();
      if (path === '/missing.wasm') return void res.writeHead(404).end();
      res.on('close', () => {
        if (!res.writableFinished) self.abandoned++;
      });
      const fresh = (self.etag && req.headers['if-none-match'] === self.etag) || (!self.etag && self.lastModified && req.headers['if-modified-since'] === self.lastModified);
      if (fresh) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/wasm',
        'content-length': self.body.length,
        ...(self.etag ? { etag: self.etag } : {}),
        ...(self.lastModified ? { 'last-modified': self.lastModified } : {}),
      });
      const gate = self.gate;
      if (!gate && !self.stall) return void res.end(self.body);
      const body = self.body;
      const half = Math.floor(body.length / 2);
      res.write(body.subarray(0, half));
      if (self.stall) return;
      void gate!.then(() => res.end(body.subarray(half)));
    });
    self = new FileServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  /** Holds the second half of every response from now on until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  get url(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/plugin.wasm`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close().catch(() => undefined);
  }
}

test('ETag revalidation: refresh asks with If-None-Match; a 304 changes nothing, new content is loaded', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  await using daemon = await DaemonProcess.start({ config: [{ name: 'web', path: server.url, config: { prefix: 'web ' } }], env: src.env });
  await using client = await daemon.connect();
  let web = pluginOf(await waitSettledStatus(client), 'web');
  assert.is(web.state, 'ready', JSON.stringify(web.error));
  assert.equal(web.origin, { type: 'https', ref: server.url, digest: `sha256:${sha(echo)}`, fromCache: false, warning: null });
  assert.is(server.requests.length, 1);
  assert.is(server.requests[0]!['if-none-match'], undefined);
  const { handle } = await client.build({ provider: 'web' });
  assert.is((await client.complete({ handle, prompt: 'x' })).text, 'web x');

  let summary = await client.reload({ refresh: true });
  assert.equal(summary.unchanged, ['web']);
  assert.is(server.requests.length, 2);
  assert.is(server.requests[1]!['if-none-match'], '"v1"');
  web = pluginOf(await client.status(), 'web');
  assert.equal([web.origin?.fromCache, web.origin?.digest], [true, `sha256:${sha(echo)}`]);

  // A plain reload does not ask the server.
  summary = await client.reload();
  assert.equal(summary.unchanged, ['web']);
  assert.is(server.requests.length, 2);

  server.body = counter;
  server.etag = '"v2"';
  summary = await client.reload({ refresh: true });
  assert.equal(summary.updated, ['web']);
  web = pluginOf(await waitSettledStatus(client), 'web');
  assert.is(web.pluginName, 'counter');
  assert.equal([web.origin?.fromCache, web.origin?.digest], [false, `sha256:${sha(counter)}`]);
});

test('Last-Modified revalidation when the server sends no ETag; `plugd pull` uses the same cache', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  server.etag = null;
  server.lastModified = 'Wed, 21 Oct 2026 07:28:00 GMT';
  let pull = await src.cli(['pull', server.url, '--json']);
  assert.is(pull.code, 0, pull.stderr);
  assert.equal((JSON.parse(pull.stdout) as Array<{ fromCache: boolean }>)[0]!.fromCache, false);
  pull = await src.cli(['pull', server.url, '--json']);
  assert.equal((JSON.parse(pull.stdout) as Array<{ fromCache: boolean }>)[0]!.fromCache, true);
  assert.is(server.requests.length, 1, 'without --refresh the cached copy is used as is');
  pull = await src.cli(['pull', '--refresh', server.url]);
  assert.is(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /up to date/);
  assert.is(server.requests.length, 2);
  assert.is(server.requests[1]!['if-modified-since'], server.lastModified);
});

test('sha256 pin: a mismatch fails the plugin and caches nothing; a match is served from the cache without asking', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const wrong = sha(counter);
  await using daemon = await DaemonProcess.start({
    config: `[[providers]]\nname = "bad"\npath = "${server.url}"\nsha256 = "${wrong}"\n`,
    env: src.env,
  });
  await using client = await daemon.connect();
  const bad = pluginOf(await waitSettledStatus(client), 'bad');
  assert.is(bad.state, 'failed');
  assert.is(bad.error?.code, 'SOURCE_DIGEST');
  assert.is(bad.error?.message, `plugin "bad": ${server.url}: sha256 mismatch: the entry pins ${wrong}, the download is ${sha(echo)}; nothing was cached`);
  const blobs = join(src.cacheRoot, 'blobs', 'sha256');
  assert.equal(existsSync(blobs) ? readdirSync(blobs) : [], []);
  assert.equal(readdirSync(join(src.cacheRoot, 'tmp')), []);
  await daemon.stop();

  const good = `[[providers]]\nname = "good"\npath = "${server.url}"\nsha256 = "sha256:${sha(echo).toUpperCase()}"\n`;
  await using first = await DaemonProcess.start({ config: good, env: src.env });
  await using c1 = await first.connect();
  assert.is(pluginOf(await waitSettledStatus(c1), 'good').state, 'ready');
  await first.stop();
  const asked = server.requests.length;
  const url = server.url;
  await server.close();

  await using second = await DaemonProcess.start({ config: good, env: src.env });
  await using c2 = await second.connect();
  const again = pluginOf(await waitSettledStatus(c2), 'good');
  assert.is(again.state, 'ready');
  assert.equal(again.origin, { type: 'https', ref: url, digest: `sha256:${sha(echo)}`, fromCache: true, warning: null });
  assert.is(server.requests.length, asked);
});

test('server down: an unpinned URL in the cache loads with a warning; one never fetched fails', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  assert.is((await src.cli(['pull', server.url])).code, 0);
  const url = server.url;
  await server.close();
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'web', path: url },
      { name: 'other', path: url.replace('plugin.wasm', 'other.wasm') },
    ],
    env: src.env,
  });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  const web = pluginOf(status, 'web');
  assert.is(web.state, 'ready');
  assert.match(web.origin?.warning ?? '', /^http:\/\/127\.0\.0\.1:\d+\/plugin\.wasm: cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\); using the cached copy sha256:/);
  const other = pluginOf(status, 'other');
  assert.is(other.state, 'failed');
  assert.is(other.error?.code, 'SOURCE_UNREACHABLE');
});

test('clients are told each phase of a download (plugins/sourceProgress) while the daemon keeps answering', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const release = server.hold();
  await using daemon = await DaemonProcess.start({ config: [{ name: 'local', path: samplePlugin('echo') }], env: src.env });
  const socket = connect(daemon.socketPath);
  await once(socket, 'connect');
  const connection = connectionOver(socket, socket);
  const events: PluginsSourceProgressNotification.Params[] = [];
  connection.onNotification(PluginsSourceProgressNotification.type, (p: PluginsSourceProgressNotification.Params) => {
    events.push(p);
  });
  await using client = await daemon.connect();
  await waitSettledStatus(client);
  writeFileSync(daemon.configPath, providersToml([{ name: 'local', path: samplePlugin('echo') }, { name: 'web', path: server.url }]));
  const reload = client.reload();
  // Mid-download, the daemon answers and the other plugin serves.
  await eventually('the download started', () => events.some((e) => e.phase === 'downloading'));
  const { handle } = await client.build({ provider: 'local' });
  assert.is((await client.complete({ handle, prompt: 'meanwhile' })).text, 'meanwhile');
  assert.not.ok(events.some((e) => e.phase === 'done'), 'the download was still running');
  release();
  const summary = await reload;
  assert.ok(summary.added.includes('web'), JSON.stringify(summary));
  await eventually('done arrived', () => events.some((e) => e.phase === 'done'));
  assert.equal([...new Set(events.map((e) => e.phase))], ['resolving', 'downloading', 'done']);
  assert.ok(events.every((e) => e.name === 'web' && e.ref === server.url));
  const last = events.at(-1)!;
  assert.equal([last.bytes, last.total], [echo.length, echo.length]);
  const partial = events.find((e) => e.phase === 'downloading' && e.bytes !== null && e.bytes < echo.length);
  assert.ok(partial, `a progress event mid-download: ${JSON.stringify(events)}`);
  assert.is(partial.total, echo.length);
  connection.dispose();
  socket.destroy();
});

test('a slow download holds up neither the socket nor the other plugins at start-up', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const release = server.hold();
  await using daemon = await DaemonProcess.start({ config: [{ name: 'web', path: server.url }, { name: 'local', path: samplePlugin('echo') }], env: src.env });
  await using client = await daemon.connect();
  await eventually('local is ready', async () => pluginOf(await client.status(), 'local').state === 'ready', 10_000);
  const status = await client.status();
  const web = pluginOf(status, 'web');
  assert.is(web.state, 'loading');
  assert.is(web.origin, null);
  assert.is(web.source, server.url);
  const { handle } = await client.build({ provider: 'local' });
  assert.is((await client.complete({ handle, prompt: 'now' })).text, 'now');
  // A call on the downloading plugin waits for it, then runs.
  const building = client.build({ provider: 'web' });
  release();
  const built = await building;
  assert.is((await client.complete({ handle: built.handle, prompt: 'later' })).text, 'later');
  assert.is(pluginOf(await client.status(), 'web').state, 'ready');
});

test('entries that name the same URL share one download and one cached file', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const release = server.hold();
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'a', path: server.url, config: { prefix: 'A ' } },
      { name: 'b', path: server.url, config: { prefix: 'B ' } },
    ],
    env: src.env,
  });
  await using client = await daemon.connect();
  await eventually('the download started', () => server.requests.length === 1);
  // A reload while it runs (an unchanged entry, resolved without revalidating) joins it too.
  const reload = client.reload();
  await sleep(300);
  release();
  assert.equal((await reload).failed, []);
  const status = await waitSettledStatus(client);
  assert.is(server.requests.length, 1);
  assert.equal(status.plugins.map((p) => [p.name, p.state]), [['a', 'ready'], ['b', 'ready']]);
  assert.is(pluginOf(status, 'a').source, pluginOf(status, 'b').source);
  const b = await client.build({ provider: 'b' });
  assert.is((await client.complete({ handle: b.handle, prompt: 'x' })).text, 'B x');
});

test('a cached file changed in place (same size, new mtime) is hashed again at the next reload and downloaded again', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  await using daemon = await DaemonProcess.start({ config: [{ name: 'web', path: server.url }], env: src.env });
  await using client = await daemon.connect();
  assert.is(pluginOf(await waitSettledStatus(client), 'web').state, 'ready');
  assert.is(server.requests.length, 1);
  // A plain reload trusts the file it hashed: nothing is asked.
  assert.equal((await client.reload()).unchanged, ['web']);
  assert.is(server.requests.length, 1);
  const blob = join(src.cacheRoot, 'blobs', 'sha256', sha(echo));
  const damaged = Buffer.from(echo);
  damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1);
  writeFileSync(blob, damaged);
  const summary = await client.reload();
  assert.equal([summary.unchanged, summary.updated, summary.failed], [['web'], [], []]);
  assert.is(server.requests.length, 2, 'the damaged copy was not used: the file was downloaded again');
  assert.ok(readFileSync(blob).equals(echo), 'the cache holds the right bytes again');
  const { handle } = await client.build({ provider: 'web' });
  assert.is((await client.complete({ handle, prompt: 'whole' })).text, 'whole');
});

test('plugd cache prune leaves alone the temp file of a download in progress', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const release = server.hold();
  await using daemon = await DaemonProcess.start({ config: [{ name: 'web', path: server.url }], env: src.env });
  await using client = await daemon.connect();
  const tmp = join(src.cacheRoot, 'tmp');
  await eventually('the download is being written', () => existsSync(tmp) && readdirSync(tmp).length === 1);
  const prune = await src.cli(['cache', 'prune', '--all', '--json']);
  assert.is(prune.code, 0, prune.stderr);
  assert.equal(JSON.parse(prune.stdout), { removed: 0, bytes: 0 });
  release();
  const web = pluginOf(await waitSettledStatus(client), 'web');
  assert.is(web.state, 'ready', JSON.stringify(web.error));
  assert.equal(readdirSync(join(src.cacheRoot, 'blobs', 'sha256')), [sha(echo)]);
});

test('plugd cache prune leaves alone what a download has put in place but not recorded yet', async () => {
  await using src = new SourceEnv();
  // This process downloads (its Cache); `plugd cache prune` runs beside it, as another process.
  const cache = new Cache(src.cacheRoot);
  const stored = await cache.putStream(Readable.from([echo]), { what: 'echo.wasm' });
  const blob = join(src.cacheRoot, 'blobs', 'sha256', stored.digest.slice(7));
  const claims = () => readdirSync(join(src.cacheRoot, 'tmp')).filter((n) => n.endsWith('.claim'));
  assert.is(claims().length, 1, 'the blob is claimed until its record is written');
  for (const flags of [[], ['--all']]) {
    const prune = await src.cli(['cache', 'prune', ...flags, '--json']);
    assert.is(prune.code, 0, prune.stderr);
    assert.equal(JSON.parse(prune.stdout), { removed: 0, bytes: 0 }, `prune ${flags.join(' ')}`);
    assert.ok(existsSync(blob), `prune ${flags.join(' ')} kept the blob the download still needs`);
  }
  await cache.writeRecord({ ref: 'https://example.com/echo.wasm', type: 'https', digest: stored.digest, blobs: [stored.digest], file: `blobs/sha256/${stored.digest.slice(7)}`, fileDigest: stored.digest, size: stored.size, fetchedAt: new Date().toISOString() });
  assert.equal(claims(), [], 'the record keeps it now');
  const prune = await src.cli(['cache', 'prune', '--json']);
  assert.equal(JSON.parse(prune.stdout), { removed: 0, bytes: 0 });
  assert.ok(existsSync(blob));
});

test('plugd cache prune removes what no reference needs; --all empties the cache', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  assert.is((await src.cli(['pull', server.url])).code, 0);
  server.body = counter;
  server.etag = '"v2"';
  assert.is((await src.cli(['pull', '--refresh', server.url])).code, 0);
  const blobs = join(src.cacheRoot, 'blobs', 'sha256');
  assert.equal(readdirSync(blobs).sort(), [sha(echo), sha(counter)].sort(), 'the old version stays until pruned');
  let prune = await src.cli(['cache', 'prune', '--json']);
  assert.is(prune.code, 0, prune.stderr);
  assert.equal(JSON.parse(prune.stdout), { removed: 1, bytes: echo.length });
  assert.equal(readdirSync(blobs), [sha(counter)]);
  const ls = await src.cli(['cache', 'ls']);
  assert.match(ls.stdout, new RegExp(`${server.url.replace(/[./]/g, '\\$&')}\\s+sha256:${sha(counter).slice(0, 12)}`));
  prune = await src.cli(['cache', 'prune', '--all']);
  assert.match(prune.stdout, /^removed 2 item\(s\)/);
  assert.equal(readdirSync(blobs), []);
  assert.match((await src.cli(['cache', 'ls'])).stdout, /^the cache is empty/);
});

test('a download that stalls mid-body fails after the idle limit, caches nothing, and reloads still run', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  server.stall = true;
  await using daemon = await DaemonProcess.start({
    config: [{ name: 'local', path: samplePlugin('echo') }, { name: 'web', path: server.url }],
    env: { ...src.env, PLUGD_DOWNLOAD_IDLE_MS: '700' },
  });
  await using client = await daemon.connect();
  const half = Math.floor(echo.length / 2);
  const stalled = `plugin "web": ${server.url}: the download stalled: no data for 700 ms after ${half} of ${echo.length} bytes; nothing was cached`;
  let web = pluginOf(await waitSettledStatus(client), 'web');
  assert.is(web.state, 'failed');
  assert.is(web.error?.code, 'SOURCE_UNREACHABLE');
  assert.is(web.error?.message, stalled);
  const blobs = join(src.cacheRoot, 'blobs', 'sha256');
  assert.equal(existsSync(blobs) ? readdirSync(blobs) : [], []);
  assert.equal(readdirSync(join(src.cacheRoot, 'tmp')), []);
  await eventually('the stalled connection was closed', () => server.abandoned === 1);
  assert.is(pluginOf(await client.status(), 'local').state, 'ready');

  // A reload retries the failed plugin; the download stalls again, and the reload still ends.
  const summary = await within(15_000, 'a reload with a stalled download', client.reload());
  assert.equal(summary.failed.map((f) => [f.name, f.error.message]), [['web', stalled]]);
  assert.is(server.requests.length, 2);

  // So the next reload is not queued behind anything: it retries again, and the plugin loads.
  server.stall = false;
  const again = await within(15_000, 'the reload after the stall', client.reload());
  assert.equal(again.failed, [], JSON.stringify(again));
  web = pluginOf(await waitSettledStatus(client), 'web');
  assert.is(web.state, 'ready', JSON.stringify(web.error));
  const { handle } = await client.build({ provider: 'web' });
  assert.is((await client.complete({ handle, prompt: 'back' })).text, 'back');
});

test('a cached URL whose revalidation stalls loads from the cache, with the stall as the warning', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  server.etag = null;
  assert.is((await src.cli(['pull', server.url])).code, 0);
  server.stall = true;
  await using daemon = await DaemonProcess.start({ config: [{ name: 'web', path: server.url }], env: { ...src.env, PLUGD_DOWNLOAD_IDLE_MS: '700' } });
  await using client = await daemon.connect();
  const web = pluginOf(await waitSettledStatus(client), 'web');
  assert.is(web.state, 'ready', JSON.stringify(web.error));
  assert.is(server.requests.length, 2, 'the daemon asked again at start-up');
  const half = Math.floor(echo.length / 2);
  assert.is(
    web.origin?.warning,
    `${server.url}: the download stalled: no data for 700 ms after ${half} of ${echo.length} bytes; nothing was cached; using the cached copy sha256:${sha(echo)} (fetched ${web.origin?.warning?.match(/fetched ([^)]+)\)/)?.[1]})`,
  );
  assert.equal([web.origin?.fromCache, web.origin?.digest], [true, `sha256:${sha(echo)}`]);
});

test('PLUGD_DOWNLOAD_IDLE_MS that is not a positive number fails the download with an error naming it', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const pull = await runCli(['pull', server.url], 30_000, { ...src.env, PLUGD_DOWNLOAD_IDLE_MS: '5s' });
  assert.is(pull.code, 1, pull.stdout);
  assert.match(pull.stderr, /PLUGD_DOWNLOAD_IDLE_MS: expected a positive whole number of milliseconds, got "5s"/);
  assert.is(server.requests.length, 0);
});

test('redirects are followed between loopback URLs; one to plain http:// on another host is refused', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const base = server.url.replace('/plugin.wasm', '');
  server.redirects.set('/old.wasm', '/plugin.wasm');
  server.redirects.set('/away.wasm', 'http://example.invalid/plugin.wasm?X-Amz-Signature=farsecret');
  server.redirects.set('/ftp.wasm', 'ftp://example.invalid/plugin.wasm');
  await using daemon = await DaemonProcess.start({
    config: [
      { name: 'moved', path: `${base}/old.wasm` },
      { name: 'away', path: `${base}/away.wasm` },
      { name: 'ftp', path: `${base}/ftp.wasm` },
    ],
    env: src.env,
  });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  const moved = pluginOf(status, 'moved');
  assert.is(moved.state, 'ready', JSON.stringify(moved.error));
  assert.equal(moved.origin, { type: 'https', ref: `${base}/old.wasm`, digest: `sha256:${sha(echo)}`, fromCache: false, warning: null });
  const away = pluginOf(status, 'away');
  assert.is(away.state, 'failed');
  assert.is(away.error?.code, 'SOURCE_UNSAFE');
  const hidden = createHash('sha256').update('?X-Amz-Signature=farsecret').digest('hex').slice(0, 12);
  assert.is(
    away.error?.message,
    `plugin "away": ${base}/away.wasm: refused the redirect to http://example.invalid/plugin.wasm?<redacted:${hidden}>: plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); nothing was downloaded`,
  );
  const ftp = pluginOf(status, 'ftp');
  assert.is(ftp.error?.code, 'SOURCE_UNSAFE');
  assert.match(ftp.error?.message ?? '', /refused the redirect to ftp:\/\/example\.invalid\/plugin\.wasm: only https:\/\/ \(or http:\/\/ to a loopback host\) is followed/);
  assert.equal(readdirSync(join(src.cacheRoot, 'refs')).length, 1, 'only the loopback redirect was cached');
});

test('a URL query string (a presigned URL) is sent, but shown in no status, log or cache record', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const secret = 'X-Amz-Signature=topsecret123&X-Amz-Expires=60';
  const url = `${server.url}?${secret}`;
  const gone = `${server.url.replace('plugin.wasm', 'missing.wasm')}?token=topsecret456`;
  const shown = (u: string) => {
    const parsed = new URL(u);
    return `${parsed.origin}${parsed.pathname}?<redacted:${createHash('sha256').update(parsed.search).digest('hex').slice(0, 12)}>`;
  };
  await using daemon = await DaemonProcess.start({ config: [{ name: 'web', path: url }, { name: 'gone', path: gone }], env: src.env });
  await using client = await daemon.connect();
  const status = await waitSettledStatus(client);
  assert.equal(server.paths.sort(), ['/missing.wasm?token=topsecret456', `/plugin.wasm?${secret}`], 'the request itself carries the query');
  const web = pluginOf(status, 'web');
  assert.is(web.state, 'ready', JSON.stringify(web.error));
  assert.equal(web.origin, { type: 'https', ref: shown(url), digest: `sha256:${sha(echo)}`, fromCache: false, warning: null });
  const failed = pluginOf(status, 'gone');
  assert.is(failed.state, 'failed');
  assert.is(failed.source, shown(gone));
  assert.is(failed.error?.message, `plugin "gone": ${shown(gone)}: not found (404)`);
  assert.not.match(JSON.stringify(status), /topsecret/);
  await client.reload({ refresh: true });
  assert.not.match(JSON.stringify(await waitSettledStatus(client)), /topsecret/);
  await eventually('the log names the download', () => daemon.stderr.includes(`plugin "web": ${shown(url)} is sha256:`));
  assert.not.match(daemon.stderr, /topsecret/);
  const refs = join(src.cacheRoot, 'refs');
  for (const name of readdirSync(refs)) assert.not.match(readFileSync(join(refs, name), 'utf8'), /topsecret/, name);
  // The redacted form still keys the cache: the same URL is found there, another query is not.
  const cached = await src.cli(['pull', url, '--json']);
  assert.equal((JSON.parse(cached.stdout) as Array<{ fromCache: boolean; ref: string }>).map((o) => [o.ref, o.fromCache]), [[shown(url), true]]);
  const other = await src.cli(['pull', `${server.url}?X-Amz-Signature=other`, '--json']);
  assert.equal((JSON.parse(other.stdout) as Array<{ fromCache: boolean }>)[0]!.fromCache, false);
});

test('a URL with credentials is refused by `plugd pull` without showing them or asking the server', async () => {
  await using server = await FileServer.start();
  await using src = new SourceEnv();
  const pull = await src.cli(['pull', server.url.replace('://', '://user:secret@') + '?sig=abc']);
  assert.is(pull.code, 1, pull.stdout);
  assert.match(pull.stderr, /<credentials>@127\.0\.0\.1:\d+\/plugin\.wasm\?<redacted:[0-9a-f]{12}>": a user name or password in the URL is not accepted/);
  assert.not.match(pull.stderr + pull.stdout, /secret|sig=abc/);
  assert.is(server.requests.length, 0);
});

test('config: download paths and sha256 are checked when the file is read', () => {
  const check = (toml: string) => {
    try {
      parseConfig(toml, '/etc/plugd/plugins.toml');
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };
  assert.is(
    check('[[providers]]\nname = "a"\npath = "http://example.com/a.wasm"\n'),
    '/etc/plugd/plugins.toml:3: [[providers]] #1 ("a"): path: "http://example.com/a.wasm": plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://',
  );
  assert.is(check('[[providers]]\nname = "a"\npath = "ftp://example.com/a.wasm"\n'), '/etc/plugd/plugins.toml:3: [[providers]] #1 ("a"): path: "ftp://example.com/a.wasm": unsupported scheme (expected a file path, https://… or oci://…)');
  // Credentials in a URL: refused by name, and neither they nor the query string are repeated.
  const hidden = createHash('sha256').update('?sig=abc').digest('hex').slice(0, 12);
  assert.is(
    check('[[providers]]\nname = "a"\npath = "https://user:secret@example.com/a.wasm?sig=abc"\n'),
    `/etc/plugd/plugins.toml:3: [[providers]] #1 ("a"): path: "https://<credentials>@example.com/a.wasm?<redacted:${hidden}>": a user name or password in the URL is not accepted; expected a URL without them (a presigned URL carries its token in the query string, which plugd never shows)`,
  );
  assert.match(check('[[providers]]\nname = "a"\npath = "http://token@127.0.0.1:9/a.wasm"\n'), /path: "http:\/\/<credentials>@127\.0\.0\.1:9\/a\.wasm": a user name or password/);
  assert.match(check('[[providers]]\nname = "a"\npath = "oci://ghcr.io/Bad/Repo:1"\n'), /path: "oci:\/\/ghcr\.io\/Bad\/Repo:1": invalid repository "Bad\/Repo"/);
  assert.match(check('[[providers]]\nname = "a"\npath = "oci://ghcr.io/a/b@sha256:abc"\n'), /the digest must be sha256: followed by 64 lowercase hex digits/);
  assert.is(
    check(`[[providers]]\nname = "a"\npath = "oci://ghcr.io/a/b:1"\nsha256 = "${'a'.repeat(64)}"\n`),
    '/etc/plugd/plugins.toml:4: [[providers]] #1 ("a"): sha256: only an https:// path can be pinned this way (pin an oci:// reference with @sha256:…)',
  );
  assert.match(check('[[providers]]\nname = "a"\npath = "https://example.com/a.wasm"\nsha256 = "abc"\n'), /:4: \[\[providers\]\] #1 \("a"\): sha256: expected 64 hex digits/);
  const config = parseConfig(`[[providers]]\nname = "a"\npath = "https://example.com/a.wasm"\nsha256 = "${'A'.repeat(64)}"\n\n[registries."registry.lan:5000"]\ninsecure = true\n`, '/etc/plugd/plugins.toml');
  assert.is(config.providers[0]!.sha256, `sha256:${'a'.repeat(64)}`);
  assert.is(config.providers[0]!.resolvedPath, 'https://example.com/a.wasm');
  assert.equal(config.insecureRegistries, ['registry.lan:5000']);
  assert.is(check('[registries."r:5000"]\nsecure = true\n'), '/etc/plugd/plugins.toml: [registries."r:5000"]: unknown key "secure" (expected: insecure)');
  assert.is(check('[registries."r:5000"]\ninsecure = "yes"\n'), '/etc/plugd/plugins.toml: [registries."r:5000"]: insecure: Invalid input: expected boolean, received string');
});

test.run();
