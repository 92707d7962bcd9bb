import os from 'node:os';
import { resolve } from 'node:path';
import { defaultSocketPath } from '../protocol/socketPath.js';

/**
 * The daemon's socket, for the daemon and its clients alike: the explicit path when given, else
 * `$PLUGD_SOCKET`, else the default location (protocol/socketPath.ts), made absolute. Empty
 * strings count as unset.
 */
export function resolveSocketPath(
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (explicit) return resolve(explicit);
  if (env.PLUGD_SOCKET) return resolve(env.PLUGD_SOCKET);
  return defaultSocketPath({
    xdgRuntimeDir: env.XDG_RUNTIME_DIR,
    tmpDir: os.tmpdir(),
    user: process.getuid?.() ?? os.userInfo().username,
  });
}
