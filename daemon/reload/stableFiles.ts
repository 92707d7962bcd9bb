import { statSignature as signature } from '../plugins/fingerprint.js';

/**
 * A file must be still for this long before what was read from it counts: an in-place write in
 * several chunks can be reported (by chokidar 5, once, with no event after it) before it is
 * complete (NOTES: chokidar partial writes).
 */
const STABLE_MS = 50;

/**
 * The files one reload read, each with its identity and size and times as they were just before
 * it was read. A reload does its work (parse the config, load the new plugins) at once, and only
 * before its outcome takes effect checks that none of them has changed since and that
 * {@link STABLE_MS} has passed since the first was recorded. The wait for a still file thus
 * overlaps the load instead of preceding it, and a half-written file is still never used: if one
 * changed, the reload's work is thrown away and done again.
 */
export class StableFiles {
  private readonly seen = new Map<string, string>();
  private readonly since = performance.now();

  /** Records `path` as it is now; call it before reading the file. */
  async record(path: string): Promise<void> {
    if (!this.seen.has(path)) this.seen.set(path, await signature(path));
  }

  /**
   * Waits until {@link STABLE_MS} after the first record, then names a recorded file that is not
   * as it was recorded, or resolves to null when every one is.
   */
  async changed(): Promise<string | null> {
    const wait = this.since + STABLE_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    for (const [path, before] of this.seen) if ((await signature(path)) !== before) return path;
    return null;
  }
}
