import os from 'node:os';
import { defaultSocketPath } from '../protocol/socketPath.js';

/**
 * The socket a client should use: the explicit path when given, else `$PLUGD_SOCKET`, else the
 * daemon's default location (protocol/socketPath.ts). Empty strings count as unset.
 */
export function resolveSocketPath(
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (explicit) return explicit;
  if (env.PLUGD_SOCKET) return env.PLUGD_SOCKET;
  return defaultSocketPath({
    xdgRuntimeDir: env.XDG_RUNTIME_DIR,
    tmpDir: os.tmpdir(),
    user: process.getuid?.() ?? os.userInfo().username,
  });
}
