import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ProviderEntry } from '../config/schema.js';

/**
 * What identifies one version of a plugin: its config entry and its file's content. A reload
 * replaces a plugin exactly when this changes, so an unchanged plugin is never touched and a
 * rebuilt file under the same path is picked up.
 */
export function fingerprint(entry: ProviderEntry, bytes: Uint8Array | null): string {
  const file = bytes ? createHash('sha256').update(bytes).digest('hex') : 'unreadable';
  // Where a download came from this time (the cache or the network) does not make a new version.
  const { origin: _origin, ...identity } = entry;
  return `${JSON.stringify(identity)}\n${file}`;
}

/** The fingerprint of an entry as its file is on disk now. */
export async function currentFingerprint(entry: ProviderEntry): Promise<string> {
  let bytes: Uint8Array | null = null;
  try {
    bytes = await readFile(entry.resolvedPath);
  } catch {
    // A missing file is a version too: it loads as a failed plugin that names the path.
  }
  return fingerprint(entry, bytes);
}
