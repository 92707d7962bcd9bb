import { relative } from 'node:path';
import type { CacheRecord } from './cache.js';
import { SourceError } from './errors.js';
import type { PullContext, PullResult } from './oci.js';

const HEADERS_TIMEOUT_MS = 30_000;

/**
 * Resolves an `https://` URL to a file in the cache. With a `sha256` pin, a cached file with that
 * content is used without asking the server, and a download with other content is rejected.
 * Without one, a cached copy is revalidated (ETag / Last-Modified) when `revalidate`; when the
 * server cannot be reached, the cached copy is used with a warning.
 */
export async function pullHttps(url: URL, pin: string | null, ctx: PullContext, revalidate: boolean): Promise<PullResult> {
  const key = url.href;
  const cached = await ctx.cache.readRecord(key);
  const cachedOk = cached && (await ctx.cache.recordFile(cached)) ? cached : null;
  if (pin) {
    if (cachedOk?.fileDigest === pin) return { record: cachedOk, fromCache: true, warning: null };
    if (await ctx.cache.hasBlob(pin)) {
      const record = recordFor(ctx, key, pin, (await ctx.cache.readBlob(pin)).length, null, null);
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
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${HEADERS_TIMEOUT_MS} ms`)), HEADERS_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'follow', signal: controller.signal });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = `cannot reach ${url.host} (${cause?.code ?? cause?.message ?? (error as Error).message})`;
    if (usable) return fallback(reason);
    throw new SourceError('SOURCE_UNREACHABLE', `${key}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
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
    stored = await ctx.cache.putStream(response.body, { digest: pin ?? undefined, size: total, what: key }, (p) =>
      ctx.onProgress?.({ ref: key, phase: 'downloading', bytes: p.bytes, total: p.total }),
    );
  } catch (error) {
    const got = /got (sha256:[0-9a-f]{64})/.exec((error as Error).message)?.[1];
    if (pin && got) throw new SourceError('SOURCE_DIGEST', `${key}: sha256 mismatch: the entry pins ${pin.slice(7)}, the download is ${got.slice(7)}; nothing was cached`);
    throw error;
  }
  const record = recordFor(ctx, key, stored.digest, stored.size, response.headers.get('etag'), response.headers.get('last-modified'));
  await ctx.cache.writeRecord(record);
  ctx.onProgress?.({ ref: key, phase: 'done', bytes: stored.size, total: stored.size });
  return { record, fromCache: false, warning: null };
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
