/**
 * Where the daemon listens by default, and so where clients look for it. Pure (no Node imports):
 * callers pass in what they read from their environment.
 *
 * `$XDG_RUNTIME_DIR/plugd/plugd.sock` when XDG_RUNTIME_DIR is set, else
 * `<tmpdir>/plugd-<uid>/plugd.sock` (a per-user directory the daemon creates with mode 0700).
 */
export function defaultSocketPath(env: {
  /** `$XDG_RUNTIME_DIR`, if set and non-empty. */
  xdgRuntimeDir?: string | undefined;
  /** The OS temp directory (`os.tmpdir()`). */
  tmpDir: string;
  /** The user id (`process.getuid()`), or a user name where there is none. */
  user: string | number;
}): string {
  const base = env.xdgRuntimeDir ? `${trimSlash(env.xdgRuntimeDir)}/plugd` : `${trimSlash(env.tmpDir)}/plugd-${env.user}`;
  return `${base}/plugd.sock`;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
