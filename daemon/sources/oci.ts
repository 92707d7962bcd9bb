import { relative } from 'node:path';
import type { Cache, CacheRecord } from './cache.js';
import { sha256 } from './cache.js';
import { SourceError } from './errors.js';
import { MediaTypes, OciClient, type Descriptor, type RegistryOptions } from './ociClient.js';
import { describePlatforms, hostPlatform, selectPlatform } from './platform.js';
import type { ProgressListener } from './progress.js';
import { formatOci, type SourceRef } from './reference.js';
import { extractSingleFile } from './tar.js';

type OciRef = Extract<SourceRef, { type: 'oci' }>;

export interface PullContext {
  cache: Cache;
  registryOptions(registry: string): RegistryOptions;
  /** How long a download may receive nothing before it is abandoned (`PLUGD_DOWNLOAD_IDLE_MS`). */
  idleMs: number;
  onProgress?: ProgressListener | undefined;
}

export interface PullResult {
  record: CacheRecord;
  /** True when nothing was downloaded (the cache already held the artifact, or the registry was unreachable). */
  fromCache: boolean;
  /** Set when the registry could not be reached and a cached version is used instead. */
  warning: string | null;
}

/** The annotation QueryMT uses to say what a published plugin is. */
export const PLUGIN_TYPE_ANNOTATION = 'mt.query.plugin.type';

/**
 * Resolves an `oci://` reference to a plugin file in the cache. A pinned digest is served from the
 * cache whenever it is there and is never re-resolved. A tag is re-resolved when `revalidate`
 * (else the cache's answer is used if there is one); when the registry cannot be reached, the
 * cached version of the tag is used with a warning.
 */
export async function pullOci(ref: OciRef, ctx: PullContext, revalidate: boolean): Promise<PullResult> {
  const key = formatOci(ref);
  const cached = await ctx.cache.readRecord(key);
  const cachedOk = cached && (await ctx.cache.recordFile(cached)) ? cached : null;
  if (cachedOk && (ref.digest || !revalidate)) {
    if (cachedOk.aliasOf !== undefined) {
      // Asked for by its digest: it is kept for its own sake now, whatever the tag does.
      const { aliasOf: _tag, ...record } = cachedOk;
      await ctx.cache.writeRecord(record);
      return { record, fromCache: true, warning: null };
    }
    return { record: cachedOk, fromCache: true, warning: null };
  }
  try {
    return await fetchOci(ref, ctx, cachedOk);
  } catch (error) {
    if (!ref.digest && cachedOk && error instanceof SourceError && error.code === 'SOURCE_UNREACHABLE') {
      const warning = `${key}: ${error.message}; using the cached version ${cachedOk.digest} (fetched ${cachedOk.fetchedAt})`;
      return { record: cachedOk, fromCache: true, warning };
    }
    throw error;
  }
}

async function fetchOci(ref: OciRef, ctx: PullContext, cached: CacheRecord | null): Promise<PullResult> {
  const key = formatOci(ref);
  const client = new OciClient(ref.registry, ctx.registryOptions(ref.registry));
  ctx.onProgress?.({ ref: key, phase: 'resolving' });
  let manifest = await fetchManifest(client, ref, ref.digest ?? ref.tag!, ref.digest, key);
  const resolved = manifest.digest;
  if (cached && cached.digest === resolved) {
    // The tag still names what the cache holds.
    const record = { ...cached, fetchedAt: new Date().toISOString() };
    await ctx.cache.writeRecord(record);
    return { record, fromCache: true, warning: null };
  }
  // Manifests are checked against their digests, used, and not stored: a record keeps the digest
  // it resolved to, and a pinned lookup needs only the record and the layer.
  if (isIndex(manifest)) {
    const entries = (manifest.json.manifests ?? []) as Descriptor[];
    const chosen = selectPlatform(entries);
    if (!chosen) {
      const host = hostPlatform();
      throw new SourceError('SOURCE_FORMAT', `${key}: the image index has no entry for ${host.os}/${host.architecture} nor a wasi/wasm one (it has: ${describePlatforms(entries)})`);
    }
    manifest = await fetchManifest(client, ref, chosen.digest, chosen.digest, key);
    if (isIndex(manifest)) throw new SourceError('SOURCE_FORMAT', `${key}: nested image indexes are not supported`);
  }
  const layers = (manifest.json.layers ?? []) as Descriptor[];
  const wasm = layers.find((l) => l.mediaType === MediaTypes.wasmLayer);
  const tar = layers.find((l) => l.mediaType === MediaTypes.tarGzipLayer || l.mediaType === MediaTypes.dockerTarGzipLayer);
  // QueryMT's annotation says which kind the artifact is; without it, a Wasm layer wins.
  const annotations = (manifest.json.annotations ?? {}) as Record<string, string>;
  const layer = annotations[PLUGIN_TYPE_ANNOTATION] === 'native' ? (tar ?? wasm) : (wasm ?? tar);
  if (!layer) {
    throw new SourceError('SOURCE_FORMAT', `${key}: no plugin layer (expected ${MediaTypes.wasmLayer} or a tar+gzip layer; found ${layers.map((l) => l.mediaType).join(', ') || 'no layers'})`);
  }
  if (!Number.isSafeInteger(layer.size) || layer.size < 0) throw new SourceError('SOURCE_FORMAT', `${key}: the layer descriptor has no valid size`);
  let downloaded = false;
  if (!(await ctx.cache.hasBlob(layer.digest))) {
    const body = await client.blob(ref.repository, layer.digest);
    await ctx.cache.putStream(body, { digest: layer.digest, size: layer.size, what: `${key}: layer ${layer.digest}`, idleMs: ctx.idleMs }, (p) =>
      ctx.onProgress?.({ ref: key, phase: 'downloading', bytes: p.bytes, total: p.total }),
    );
    downloaded = true;
  }
  let file: string;
  let fileDigest: string;
  let size: number;
  if (layer.mediaType === MediaTypes.wasmLayer) {
    file = ctx.cache.blobPath(layer.digest);
    fileDigest = layer.digest;
    size = layer.size;
  } else {
    ctx.onProgress?.({ ref: key, phase: 'extracting' });
    const extracted = await extractSingleFile(await ctx.cache.readBlob(layer.digest), `${key}: layer ${layer.digest}`);
    fileDigest = sha256(extracted.bytes);
    file = await ctx.cache.putExtracted(layer.digest, extracted.name, extracted.bytes, fileDigest);
    size = extracted.bytes.length;
  }
  const record: CacheRecord = {
    ref: key,
    type: 'oci',
    digest: resolved,
    blobs: [layer.digest],
    file: relative(ctx.cache.root, file),
    fileDigest,
    size,
    fetchedAt: new Date().toISOString(),
  };
  await ctx.cache.writeRecord(record);
  // The same artifact by digest, so a pinned reference to it finds it offline; an alias of the
  // tag, unless the digest was asked for itself.
  if (!ref.digest) {
    const byDigest = formatOci({ ...ref, tag: null, digest: resolved });
    const own = await ctx.cache.readRecord(byDigest);
    if (!own || own.aliasOf !== undefined) await ctx.cache.writeRecord({ ...record, ref: byDigest, aliasOf: key });
  }
  ctx.onProgress?.({ ref: key, phase: 'done', bytes: size, total: size });
  return { record, fromCache: !downloaded, warning: null };
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  json: Record<string, unknown>;
}

async function fetchManifest(client: OciClient, ref: OciRef, reference: string, expected: string | null, key: string): Promise<FetchedManifest> {
  const { bytes, mediaType: headerType, headerDigest } = await client.manifest(ref.repository, reference);
  const digest = sha256(bytes);
  if (expected && digest !== expected) throw new SourceError('SOURCE_DIGEST', `${key}: manifest digest mismatch: expected ${expected}, the registry sent ${digest}`);
  if (headerDigest && headerDigest.startsWith('sha256:') && headerDigest !== digest) {
    throw new SourceError('SOURCE_DIGEST', `${key}: manifest digest mismatch: the registry says ${headerDigest}, the content is ${digest}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SourceError('SOURCE_FORMAT', `${key}: the manifest is not JSON`);
  }
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : headerType;
  return { digest, mediaType, json };
}

function isIndex(manifest: FetchedManifest): boolean {
  return manifest.mediaType === MediaTypes.ociIndex || manifest.mediaType === MediaTypes.dockerList || (Array.isArray(manifest.json.manifests) && !('layers' in manifest.json));
}
