import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { DigestMismatchError, type CacheRecord } from './cache.js';
import { SourceError } from './errors.js';
import type { PullContext, PullResult } from './oci.js';
import { fetchFailure } from './fetchFailure.js';
import { displayUrl, isAllowedDownloadUrl } from './reference.js';

/** Redirects followed before giving up (fetch's own limit). */
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Resolves an `https://` URL to a file in the cache. With a `sha256` pin, a cached file with that
 * content is used without asking the server, and a download with other content is rejected.
 * Without one, a cached copy is revalidated (ETag / Last-Modified) when `revalidate`; when the
 * server cannot be reached, the cached copy is used with a warning.
 */
export async function pullHttps(url: URL, pin: string | null, ctx: PullContext, revalidate: boolean): Promise<PullResult> {
  // Shown, logged and cached without its query string (presigned URLs carry secrets there).
  const key = displayUrl(url);
  const cached = await ctx.cache.readRecord(key);
  const cachedOk = cached && (await ctx.cache.recordFile(cached)) ? cached : null;
  if (pin) {
    if (cachedOk?.fileDigest === pin) return { record: cachedOk, fromCache: true, warning: null };
    if (await ctx.cache.hasBlob(pin)) {
      const record = recordFor(ctx, key, pin, (await stat(ctx.cache.blobPath(pin))).size, null, null);
      await ctx.cache.writeRecord(record);
      return { record, fromCache: true, warning: null };
    }
  } else if (cachedOk && !revalidate) {
    return { record: cachedOk, fromCache: true, warning: null };
  }
  const usable = cachedOk && (!pin || cachedOk.fileDigest === pin) ? cachedOk : null;
  const fallback = (reason: string): PullResult => ({
    record: usable!,
    fromCache: true,
    warning: `${key}: ${reason}; using the cached copy ${usable!.fileDigest} (fetched ${usable!.fetchedAt})`,
  });

  ctx.onProgress?.({ ref: key, phase: 'resolving' });
  const headers: Record<string, string> = {};
  if (usable?.etag) headers['if-none-match'] = usable.etag;
  if (usable?.lastModified) headers['if-modified-since'] = usable.lastModified;
  const opened = await open(url, headers, ctx.idleMs, key);
  if (typeof opened === 'string') {
    if (usable) return fallback(opened);
    throw new SourceError('SOURCE_UNREACHABLE', `${key}: ${opened}`);
  }
  const response = opened;
  if (response.status === 304 && usable) {
    const record = { ...usable, fetchedAt: new Date().toISOString() };
    await ctx.cache.writeRecord(record);
    return { record, fromCache: true, warning: null };
  }
  if (!response.ok) {
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) throw new SourceError('SOURCE_NOT_FOUND', `${key}: not found (${response.status})`);
    if (response.status === 401 || response.status === 403) throw new SourceError('SOURCE_AUTH', `${key}: access denied (${response.status})`);
    if (usable) return fallback(`the server answered ${response.status}`);
    throw new SourceError('SOURCE_UNREACHABLE', `${key}: the server answered ${response.status}`);
  }
  if (!response.body) throw new SourceError('SOURCE_UNREACHABLE', `${key}: empty response`);
  const length = Number(response.headers.get('content-length'));
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const total = Number.isSafeInteger(length) && length >= 0 && !encoded ? length : undefined;
  let stored: { digest: string; size: number };
  try {
    stored = await ctx.cache.putStream(response.body, { digest: pin ?? undefined, size: total, what: key, idleMs: ctx.idleMs }, (p) =>
      ctx.onProgress?.({ ref: key, phase: 'downloading', bytes: p.bytes, total: p.total }),
    );
  } catch (error) {
    if (error instanceof DigestMismatchError) {
      throw new SourceError('SOURCE_DIGEST', `${key}: sha256 mismatch: the entry pins ${error.expected.slice(7)}, the download is ${error.actual.slice(7)}; nothing was cached`);
    }
    // A download cut off (a stall, a dropped connection) is an outage like an unreachable server.
    if (usable && error instanceof SourceError && error.code === 'SOURCE_UNREACHABLE') return fallback(error.message.replace(`${key}: `, ''));
    throw error;
  }
  const record = recordFor(ctx, key, stored.digest, stored.size, response.headers.get('etag'), response.headers.get('last-modified'));
  await ctx.cache.writeRecord(record);
  ctx.onProgress?.({ ref: key, phase: 'done', bytes: stored.size, total: stored.size });
  return { record, fromCache: false, warning: null };
}

/**
 * Sends the GET and follows redirects one hop at a time, so that none leads to plain http:// on a
 * non-loopback host (the rule for configured URLs) or to another scheme. Each hop has `idleMs` to
 * answer. Resolves to the final response, or to why the server could not be reached.
 */
async function open(url: URL, headers: Record<string, string>, idleMs: number, key: string): Promise<Response | string> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${idleMs} ms`)), idleMs);
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', signal: controller.signal });
    } catch (error) {
      return `cannot reach ${current.host} (${fetchFailure(error, controller.signal)})`;
    } finally {
      clearTimeout(timer);
    }
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return response;
    await response.body?.cancel();
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return `the server redirected to an invalid URL`;
    }
    if (!isAllowedDownloadUrl(next)) {
      const rule = next.protocol === 'http:' ? 'plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost)' : 'only https:// (or http:// to a loopback host) is followed';
      throw new SourceError('SOURCE_UNSAFE', `${key}: refused the redirect to ${displayUrl(next)}: ${rule}; nothing was downloaded`);
    }
    if (hop >= MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} redirects`;
    current = next;
  }
}

function recordFor(ctx: PullContext, key: string, digest: string, size: number, etag: string | null, lastModified: string | null): CacheRecord {
  return {
    ref: key,
    type: 'https',
    digest,
    blobs: [digest],
    file: relative(ctx.cache.root, ctx.cache.blobPath(digest)),
    fileDigest: digest,
    size,
    etag,
    lastModified,
    fetchedAt: new Date().toISOString(),
  };
}
