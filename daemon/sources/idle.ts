import { SourceError } from './errors.js';

/** How long a download may wait for the server's next bytes (or its headers) by default. */
const DEFAULT_DOWNLOAD_IDLE_MS = 30_000;

/**
 * The idle limit of every download, from `PLUGD_DOWNLOAD_IDLE_MS`: a server that sends nothing
 * for that long (no headers, or no next chunk of the body) is given up on, so a stalled
 * download cannot keep a plugin `loading`, and the reloads queued behind it waiting, for ever.
 */
export function downloadIdleMs(env: NodeJS.ProcessEnv): number {
  const raw = env.PLUGD_DOWNLOAD_IDLE_MS;
  if (raw === undefined || raw === '') return DEFAULT_DOWNLOAD_IDLE_MS;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new SourceError('SOURCE_INVALID', `PLUGD_DOWNLOAD_IDLE_MS: expected a positive whole number of milliseconds, got "${raw}"`);
  }
  return ms;
}
