import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SourceError } from './errors.js';

/** A download whose content is not the digest it was expected to have; nothing was stored. */
export class DigestMismatchError extends SourceError {
  constructor(
    what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('SOURCE_DIGEST', `${what}: digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/** The cache directory: `$PLUGD_CACHE_DIR`, else `$XDG_CACHE_HOME/plugd`, else `~/.cache/plugd`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLUGD_CACHE_DIR) return env.PLUGD_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'plugd');
}

/** What the cache remembers about one reference (a tag, a pinned digest or a URL). */
export interface CacheRecord {
  /** The reference as resolved, e.g. `oci://host/repo:tag` or the URL. */
  ref: string;
  /** `oci` or `https`. */
  type: 'oci' | 'https';
  /** The resolved digest: the manifest's for OCI, the content's for https. */
  digest: string;
  /** The digests of the blobs this reference needs in the cache (its layer). */
  blobs: string[];
  /** The plugin file, relative to the cache root. */
  file: string;
  /** The plugin file's sha256 digest. */
  fileDigest: string;
  /** Bytes of the plugin file. */
  size: number;
  /** For https: the validators to revalidate with. */
  etag?: string | null;
  lastModified?: string | null;
  /** When it was last fetched or revalidated (ISO 8601). */
  fetchedAt: string;
  /**
   * For a by-digest record written only because a tag resolved to it: the (last such) tag's
   * reference. Prune drops it once no tag names that digest any more; a lookup by the digest
   * makes it a record of its own.
   */
  aliasOf?: string;
}

/** Progress of one download, in bytes. */
export interface ByteProgress {
  bytes: number;
  total: number | null;
}

/**
 * The digest-addressed store: `blobs/sha256/<hex>` (verified layers and downloads), `files/sha256/<hex>/<name>`
 * (files extracted from archive layers), `refs/<hash of ref>.json` (what each reference resolved
 * to). Every write goes to `tmp/` first and is renamed into place, so a reader never sees a
 * partial file and entries that point at the same artifact share it.
 */
export class Cache {
  /** Files hashed and found intact: path → `digest:ino:size:mtimeNs` as they were then. */
  private readonly verified = new Map<string, string>();
  /**
   * Entries this process put in place whose record is not written yet: store path (as a record's
   * keep() names it) → its claim file in `tmp/`, which a `prune` in any process honours.
   */
  private readonly claims = new Map<string, string>();

  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', hexOf(digest));
  }

  /** Whether the blob is present and its content still matches its digest. */
  hasBlob(digest: string): Promise<boolean> {
    return this.intact(this.blobPath(digest), digest);
  }

  /**
   * Whether the file at `path` has the content `digest`. Hashed the first time; after that, while
   * its identity, size and mtime are those it had when it was hashed, it is taken as verified:
   * files here only ever appear by rename, so every reload need not read every plugin again.
   */
  private async intact(path: string, digest: string): Promise<boolean> {
    try {
      const s = await stat(path, { bigint: true });
      const seen = `${digest}:${s.ino}:${s.size}:${s.mtimeNs}`;
      if (this.verified.get(path) === seen) return true;
      if ((await hashFile(path)) !== digest) return false;
      this.verified.set(path, seen);
      return true;
    } catch {
      return false;
    }
  }

  /** Records a file just hashed on its way in (and renamed into place) as verified. */
  private async trust(path: string, digest: string): Promise<void> {
    const s = await stat(path, { bigint: true }).catch(() => null);
    if (s) this.verified.set(path, `${digest}:${s.ino}:${s.size}:${s.mtimeNs}`);
  }

  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  /**
   * Streams a download into the store, hashing and counting as it goes. With an expected digest
   * or size, a mismatch (or a body longer than the size) rejects and leaves nothing behind; so
   * does a body that sends nothing for `idleMs` (the stream is cancelled, which closes the
   * connection).
   */
  async putStream(
    body: ReadableStream<Uint8Array> | NodeJS.ReadableStream,
    expected: { digest?: string | undefined; size?: number | undefined; what: string; idleMs?: number | undefined },
    onBytes?: (progress: ByteProgress) => void,
  ): Promise<{ digest: string; size: number }> {
    const tmp = await this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const total = expected.size ?? null;
    const stalled = new AbortController();
    const idleMs = expected.idleMs;
    const idle = idleMs === undefined ? undefined : setTimeout(() => stalled.abort(), idleMs);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        idle?.refresh();
        size += chunk.length;
        if (total !== null && size > total) return done(new SourceError('SOURCE_DIGEST', `${expected.what}: more than the ${total} bytes its descriptor declares`));
        hash.update(chunk);
        onBytes?.({ bytes: size, total });
        done(null, chunk);
      },
    });
    try {
      const source = 'getReader' in body ? Readable.fromWeb(body as WebReadableStream<Uint8Array>) : body;
      await pipeline(source, meter, createWriteStream(tmp), { signal: stalled.signal });
      const digest = `sha256:${hash.digest('hex')}`;
      if (total !== null && size !== total) throw new SourceError('SOURCE_DIGEST', `${expected.what}: size mismatch: expected ${total} bytes, got ${size}`);
      if (expected.digest && digest !== expected.digest) throw new DigestMismatchError(expected.what, expected.digest, digest);
      await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
      await this.claim(join('blobs', 'sha256', hexOf(digest)));
      await rename(tmp, this.blobPath(digest));
      await this.trust(this.blobPath(digest), digest);
      return { digest, size };
    } catch (error) {
      await rm(tmp, { force: true });
      if (stalled.signal.aborted) {
        const got = `${size}${total !== null ? ` of ${total}` : ''} bytes`;
        throw new SourceError('SOURCE_UNREACHABLE', `${expected.what}: the download stalled: no data for ${idleMs} ms after ${got}; nothing was cached`);
      }
      if (error instanceof SourceError) throw error;
      throw new SourceError('SOURCE_UNREACHABLE', `${expected.what}: download failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(idle);
    }
  }

  /**
   * Writes a file extracted from a layer (whose content is `digest`), under its layer's digest.
   * Returns its absolute path.
   */
  async putExtracted(layerDigest: string, name: string, bytes: Uint8Array, digest: string): Promise<string> {
    const dir = join(this.root, 'files', 'sha256', hexOf(layerDigest));
    const path = join(dir, name);
    const tmp = await this.tempPath();
    await writeFile(tmp, bytes, { mode: 0o755 });
    await mkdir(dir, { recursive: true });
    await this.claim(join('files', 'sha256', hexOf(layerDigest)));
    await rename(tmp, path);
    await this.trust(path, digest);
    return path;
  }

  async readRecord(ref: string): Promise<CacheRecord | null> {
    try {
      const record = JSON.parse(await readFile(this.recordPath(ref), 'utf8')) as CacheRecord;
      return record.ref === ref ? record : null;
    } catch {
      return null;
    }
  }

  /** The record's plugin file, if it is still present and intact. */
  async recordFile(record: CacheRecord): Promise<string | null> {
    const path = join(this.root, record.file);
    return (await this.intact(path, record.fileDigest)) ? path : null;
  }

  async writeRecord(record: CacheRecord): Promise<void> {
    const tmp = await this.tempPath();
    await writeFile(tmp, JSON.stringify(record, null, 2) + '\n');
    await mkdir(join(this.root, 'refs'), { recursive: true });
    await rename(tmp, this.recordPath(record.ref));
    // The record keeps its entries now.
    for (const rel of keptBy(record)) {
      const claim = this.claims.get(rel);
      this.claims.delete(rel);
      if (claim) await rm(claim, { force: true });
    }
  }

  /**
   * Marks `rel` as being put in place by this process, before it appears: a prune that sees the
   * entry also sees the claim (it lists the store before it reads claims and records).
   */
  private async claim(rel: string): Promise<void> {
    if (this.claims.has(rel)) return;
    const path = `${await this.tempPath()}.claim`;
    await writeFile(path, rel);
    this.claims.set(rel, path);
  }

  async records(): Promise<CacheRecord[]> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'refs'));
    } catch {
      return [];
    }
    const records = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map(async (n) => {
        try {
          return JSON.parse(await readFile(join(this.root, 'refs', n), 'utf8')) as CacheRecord;
        } catch {
          return null;
        }
      }),
    );
    return records.filter((r): r is CacheRecord => r !== null).sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /**
   * Removes what no reference needs any more (or everything with `all`), and temp files left by
   * interrupted downloads (not those of a process still running, nor recent ones: a daemon
   * sharing this cache may be writing them). What a running download has put in place but not
   * recorded yet is kept too (its claim in `tmp/`). Returns what was removed.
   */
  async prune(all = false): Promise<{ removed: number; bytes: number }> {
    // Listed first: anything listed was claimed before it appeared, so the claims and records
    // read after the listing name everything a download still needs.
    const listed = [
      ...(await this.list(join('blobs', 'sha256'))),
      ...(await this.list(join('files', 'sha256'))),
      ...(await this.list('tmp')),
      ...(all ? await this.list('refs') : []),
    ];
    const keep = new Set<string>();
    for (const rel of listed) {
      if (!rel.endsWith('.claim') || !(await this.live(rel))) continue;
      const claimed = await readFile(join(this.root, rel), 'utf8').catch(() => null);
      if (claimed) keep.add(claimed);
    }
    if (!all) {
      const records = await this.records();
      // Digests some reference names for itself (a tag now, or a pinned digest).
      const named = new Set(records.filter((r) => r.aliasOf === undefined).map((r) => r.digest));
      for (const r of records) {
        // An older version of a moved tag, kept under its digest only for the tags' sake.
        if (r.aliasOf !== undefined && !named.has(r.digest)) {
          await rm(this.recordPath(r.ref), { force: true });
          continue;
        }
        for (const rel of keptBy(r)) keep.add(rel);
      }
    }
    let removed = 0;
    let bytes = 0;
    for (const rel of listed) {
      if (keep.has(rel)) continue;
      const info = await stat(join(this.root, rel)).catch(() => null);
      if (!info) continue;
      if (rel.startsWith(`tmp${sep}`) && (await this.live(rel))) continue;
      bytes += info.isDirectory() ? await dirSize(join(this.root, rel)) : info.size;
      await rm(join(this.root, rel), { recursive: true, force: true });
      removed++;
    }
    return { removed, bytes };
  }

  /** The entries of a store directory, as paths relative to the root. */
  private async list(dir: string): Promise<string[]> {
    const names = await readdir(join(this.root, dir)).catch(() => [] as string[]);
    return names.map((name) => join(dir, name));
  }

  /** Whether a temp file or claim (`tmp/<pid>-<random>…`) may still belong to a running process. */
  private async live(rel: string): Promise<boolean> {
    const info = await stat(join(this.root, rel)).catch(() => null);
    return info !== null && inProgress(basename(rel), info.mtimeMs);
  }

  private recordPath(ref: string): string {
    return join(this.root, 'refs', `${createHash('sha256').update(ref).digest('hex').slice(0, 32)}.json`);
  }

  private async tempPath(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  }
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

/** A temp file younger than this may belong to a download in progress, whoever wrote it. */
const TEMP_GRACE_MS = 5 * 60_000;

/** Whether the temp file `name` (`<pid>-<random>`) may still be being written. */
function inProgress(name: string, mtimeMs: number): boolean {
  if (Date.now() - mtimeMs < TEMP_GRACE_MS) return true;
  const pid = Number(name.split('-')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The store entries a record keeps: its blobs and the directory of its extracted file. */
function keptBy(record: CacheRecord): string[] {
  return [...record.blobs.map((d) => join('blobs', 'sha256', hexOf(d))), record.file.split('/').slice(0, 3).join('/')];
}

function hexOf(digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new SourceError('SOURCE_FORMAT', `unsupported digest "${digest}" (expected sha256:<64 hex digits>)`);
  return digest.slice(7);
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirSize(path) : (await stat(path)).size;
  }
  return total;
}
