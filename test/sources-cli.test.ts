// `plugd pull`, `push` and `cache` in-process: argument parsing, help, the progress line and the
// status lines for downloaded plugins (pure functions). Against a registry: oci-*.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCliArgs, UsageError } from '../clients/cli/args.js';
import { formatStatus } from '../clients/cli/format.js';
import { formatProgress, ProgressLine } from '../clients/cli/progressLine.js';
import { renderHelp } from '../clients/cli/usage.js';
import { canonicalRef, displayPath, displayUrl, isAllowedDownloadUrl, parseOci } from '../daemon/sources/reference.js';
import { downloadIdleMs } from '../daemon/sources/idle.js';
import { createHash } from 'node:crypto';
import { pluginStatus } from './clientFakeDaemon.js';

const usage = (args: string[], pattern: RegExp) =>
  assert.throws(() => parseCliArgs(args), (e: unknown) => e instanceof UsageError && pattern.test(e.message));

test('pull, push and cache parse their arguments and flags', () => {
  assert.equal(parseCliArgs(['pull']), { command: 'pull', refresh: false, configPath: undefined, json: false, targets: [] });
  assert.equal(parseCliArgs(['pull', '--refresh', '--config', 'p.toml', 'openai', 'oci://r/x:1', '--json']), {
    command: 'pull',
    refresh: true,
    configPath: 'p.toml',
    json: true,
    targets: ['openai', 'oci://r/x:1'],
  });
  assert.equal(parseCliArgs(['push', 'echo.wasm', 'oci://localhost:5000/p/echo:1', '--platform', 'wasi/wasm']), {
    command: 'push',
    file: 'echo.wasm',
    ref: 'oci://localhost:5000/p/echo:1',
    platform: 'wasi/wasm',
    insecure: false,
    json: false,
  });
  usage(['push', 'echo.wasm'], /^missing oci:\/\/REFERENCE$/);
  usage(['push', 'echo.wasm', 'https://x/y'], /^expected an oci:\/\/ reference, got 'https:\/\/x\/y'$/);
  assert.equal(parseCliArgs(['cache', 'prune', '--all']), { command: 'cache', action: 'prune', all: true, json: false });
  assert.equal(parseCliArgs(['cache', 'ls', '--json']), { command: 'cache', action: 'ls', all: false, json: true });
  usage(['cache', 'rm'], /unknown cache action 'rm'/);
  usage(['cache', 'ls', '--all'], /--all goes with prune/);
  usage(['cache'], /missing ls or prune/);
});

test('help lists the plugin commands and explains each', () => {
  const overall = renderHelp();
  assert.match(overall, /Plugins commands:\n {2}pull\s+download plugins/);
  assert.match(overall, /\n {2}push FILE oci:\/\/REGISTRY\/REPO:TAG\s+publish a Wasm or native plugin/);
  assert.match(overall, /\n {2}cache ls\|prune\s+list or prune/);
  assert.match(renderHelp('pull'), /--refresh\s+re-resolve tags/);
  assert.match(renderHelp('pull'), /\$XDG_CACHE_HOME\/plugd/);
  assert.match(renderHelp('push'), /application\/vnd\.wasm\.v1\.layer\+wasm/);
});

test('the progress line shows bytes, percent and rate', () => {
  assert.is(formatProgress('oci://r/x:1', 512 * 1024, 2 * 1024 * 1024, 2), 'oci://r/x:1  512.0 KB / 2.0 MB  25%  256.0 KB/s');
  assert.is(formatProgress('u', 100, null, 0), 'u  100 B');
});

test('the progress line redraws one terminal line, and stays silent when stderr is not a terminal', () => {
  const written: string[] = [];
  const line = new ProgressLine({ write: (t: string) => written.push(t) }, true);
  line.update('oci://r/x:1', 10, 100);
  line.update('oci://r/x:1', 50, 100); // within 100 ms: skipped
  line.update('oci://r/x:1', 100, 100); // the last byte: always drawn
  line.end();
  assert.is(written.length, 3);
  assert.match(written[0]!, /^\r\x1b\[K(oci:\/\/r\/x:1 {2}10 B \/ 100 B {2}10%)/);
  assert.match(written[1]!, /100 B \/ 100 B {2}100%/);
  assert.is(written[2], '\r\x1b[K');
  const quiet: string[] = [];
  const off = new ProgressLine({ write: (t: string) => quiet.push(t) }, false);
  off.update('x', 1, 2);
  off.end();
  assert.equal(quiet, []);
});

test('oci references: default tag, digests, registries with ports', () => {
  assert.equal(parseOci('oci://localhost:5000/plugins/echo'), { type: 'oci', registry: 'localhost:5000', repository: 'plugins/echo', tag: 'latest', digest: null });
  const digest = `sha256:${'0'.repeat(64)}`;
  assert.equal(parseOci(`oci://ghcr.io/a/b:1.0@${digest}`), { type: 'oci', registry: 'ghcr.io', repository: 'a/b', tag: '1.0', digest });
  assert.throws(() => parseOci('oci://ghcr.io'), /expected oci:\/\/REGISTRY\/REPOSITORY/);
});

test('status shows where a downloaded plugin came from, and a cache fallback warning', () => {
  const text = formatStatus({
    version: '0.1.0',
    pid: 1,
    uptimeMs: 1000,
    startedAt: '2026-01-01T00:00:00.000Z',
    configPath: '/p.toml',
    socketPath: '/s.sock',
    clients: 1,
    configError: null,
    reloads: 0,
    watching: true,
    plugins: [
      pluginStatus({
        name: 'remote',
        origin: { type: 'oci', ref: 'oci://r/x:1', digest: `sha256:${'a'.repeat(64)}`, fromCache: true, warning: 'oci://r/x:1: r: cannot reach the registry (ECONNREFUSED); using the cached version' },
      }),
      pluginStatus({ name: 'local' }),
    ],
  });
  assert.match(text, /\n {2}from: oci:\/\/r\/x:1 sha256:aaaaaaaaaaaa \(cache\)\n {2}warning: oci:\/\/r\/x:1: r: cannot reach the registry/);
  assert.not.match(text, /from: \/opt/);
});

test('URLs are shown without their query string or password; the cache keys them the same way', () => {
  const hash = (q: string) => createHash('sha256').update(q).digest('hex').slice(0, 12);
  assert.is(displayUrl(new URL('https://example.com/a.wasm')), 'https://example.com/a.wasm');
  assert.is(displayUrl(new URL('https://b.s3.amazonaws.com/a.wasm?X-Amz-Signature=abc&X-Amz-Expires=60')), `https://b.s3.amazonaws.com/a.wasm?<redacted:${hash('?X-Amz-Signature=abc&X-Amz-Expires=60')}>`);
  assert.is(displayUrl(new URL('https://ada:hunter2@example.com/a.wasm#v1')), 'https://ada:redacted@example.com/a.wasm#v1');
  assert.is(displayPath('https://example.com/a.wasm?t=1'), `https://example.com/a.wasm?<redacted:${hash('?t=1')}>`);
  assert.is(displayPath('./plugins/a.wasm?x'), './plugins/a.wasm?x', 'a file path is not a URL');
  assert.is(canonicalRef('https://example.com/a.wasm?t=1'), displayPath('https://example.com/a.wasm?t=1'));
  assert.is.not(canonicalRef('https://example.com/a.wasm?t=1'), canonicalRef('https://example.com/a.wasm?t=2'));
});

test('a download may be redirected to https://, or to plain http:// on a loopback host only', () => {
  const allowed = (u: string) => isAllowedDownloadUrl(new URL(u));
  assert.equal(
    ['https://cdn.example.com/a', 'http://127.0.0.1:8080/a', 'http://localhost/a', 'http://[::1]:9/a', 'http://cdn.example.com/a', 'http://10.0.0.1/a', 'ftp://example.com/a', 'file:///etc/passwd'].map(allowed),
    [true, true, true, true, false, false, false, false],
  );
});

test('PLUGD_DOWNLOAD_IDLE_MS: 30 s by default, a positive whole number of milliseconds otherwise', () => {
  assert.is(downloadIdleMs({}), 30_000);
  assert.is(downloadIdleMs({ PLUGD_DOWNLOAD_IDLE_MS: '' }), 30_000);
  assert.is(downloadIdleMs({ PLUGD_DOWNLOAD_IDLE_MS: '1500' }), 1500);
  for (const bad of ['0', '-5', '2.5', 'soon']) {
    assert.throws(() => downloadIdleMs({ PLUGD_DOWNLOAD_IDLE_MS: bad }), (e: Error) => e.message === `PLUGD_DOWNLOAD_IDLE_MS: expected a positive whole number of milliseconds, got "${bad}"`);
  }
});

test.run();
