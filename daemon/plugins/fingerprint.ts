import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { ProviderEntry } from '../config/schema.js';

/**
 * What identifies one version of a plugin: its config entry and its file's content. A reload
 * replaces a plugin exactly when this changes, so an unchanged plugin is never touched and a
 * rebuilt file under the same path is picked up.
 */
export function fingerprint(entry: ProviderEntry, bytes: Uint8Array | null): string {
  return fingerprintOf(entry, bytes ? createHash('sha256').update(bytes).digest('hex') : null);
}

/** The fingerprint of an entry as its file is on disk now. */
export async function currentFingerprint(entry: ProviderEntry): Promise<string> {
  return fingerprintOf(entry, await fileHash(entry.resolvedPath));
}

function fingerprintOf(entry: ProviderEntry, fileSha256: string | null): string {
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

/**
 * The sha256 (hex) of the file at `path`, or null when it cannot be read. A file hashed before is
 * not read again while its device, inode, size, mtime and ctime are those it had then (every
 * reload asks for every plugin's; a download in the cache is often megabytes).
 */
async function fileHash(path: string): Promise<string | null> {
  try {
    const before = await stat(path, { bigint: true });
    const signature = `${before.dev}:${before.ino}:${before.size}:${before.mtimeNs}:${before.ctimeNs}`;
    const known = hashed.get(path);
    if (known?.signature === signature) return known.hash;
    const hash = createHash('sha256').update(await readFile(path)).digest('hex');
    const after = await stat(path, { bigint: true });
    const settled = `${after.dev}:${after.ino}:${after.size}:${after.mtimeNs}:${after.ctimeNs}` === signature;
    if (settled && Date.now() - Number(after.mtimeNs / 1_000_000n) > RACY_MS) hashed.set(path, { signature, hash });
    else hashed.delete(path);
    return hash;
  } catch {
    // A missing file is a version too: it loads as a failed plugin that names the path.
    hashed.delete(path);
    return null;
  }
}
