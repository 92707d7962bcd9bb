import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { ProviderEntry } from '../config/schema.js';

/** The fingerprint of an entry as its file is on disk now. */
export async function currentFingerprint(entry: ProviderEntry): Promise<string> {
  return fingerprintOf(entry, await fileHash(entry.resolvedPath));
}

/**
 * What identifies one version of a plugin: its config entry and its file's content (sha256 hex;
 * null when unreadable). A reload replaces a plugin exactly when this changes, so an unchanged
 * plugin is never touched and a rebuilt file under the same path is picked up.
 */
export function fingerprintOf(entry: ProviderEntry, fileSha256: string | null): string {
  // Where a download came from this time (the cache or the network) does not make a new version.
  const { origin: _origin, ...identity } = entry;
  return `${JSON.stringify(identity)}\n${fileSha256 ?? 'unreadable'}`;
}

/** Files hashed: path → the stat signature they had then, and their sha256 (hex). */
const hashed = new Map<string, { signature: string; hash: string }>();

/**
 * A file whose mtime is this close to when it was hashed may be written again within the same
 * timestamp tick (file times are coarse), so its hash is not remembered.
 */
const RACY_MS = 2000;

/** A file's device, inode, size, mtime and ctime, as one string (`missing:CODE` when it cannot be stat-ed). */
export async function statSignature(path: string): Promise<string> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    return `missing:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/**
 * Reads a file and hashes it (sha256, hex), remembering the hash under the file's stat signature
 * when the file did not change while it was read and was not written in the last {@link RACY_MS}.
 */
export async function readHashed(path: string): Promise<{ bytes: Buffer; hash: string }> {
  const before = await statSignature(path);
  const bytes = await readFile(path);
  const hash = createHash('sha256').update(bytes).digest('hex');
  const mtimeMs = Number(before.split(':')[3] ?? 0) / 1e6;
  if (!before.startsWith('missing:') && (await statSignature(path)) === before && Date.now() - mtimeMs > RACY_MS) hashed.set(path, { signature: before, hash });
  else hashed.delete(path);
  return { bytes, hash };
}

/**
 * The sha256 (hex) of the file at `path`, or null when it cannot be read. A file hashed before (by
 * a reload, or when its plugin loaded) is not read again while its device, inode, size, mtime and
 * ctime are those it had then (every reload asks for every plugin's; a download in the cache is
 * often megabytes).
 */
async function fileHash(path: string): Promise<string | null> {
  const known = hashed.get(path);
  if (known && known.signature === (await statSignature(path))) return known.hash;
  try {
    return (await readHashed(path)).hash;
  } catch {
    // A missing file is a version too: it loads as a failed plugin that names the path.
    hashed.delete(path);
    return null;
  }
}
