import { chmod, mkdir, stat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { DaemonError } from '../errors.js';

/**
 * Listens on a unix socket: its directory is created 0700 and the socket chmod 0600, so only
 * this user can talk to the daemon. A stale socket file (no one answering) is replaced; a live
 * one means another daemon is running, which is an error.
 */
export async function listenUnixSocket(path: string, onSocket: (socket: Socket) => void, onError: (error: Error) => void): Promise<Server> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const owner = (await stat(dir)).uid;
  const uid = process.getuid?.();
  if (uid !== undefined && owner !== uid) {
    throw new DaemonError('SOCKET_IN_USE', `${dir} belongs to another user (uid ${owner}); refusing to put plugd's socket there (pass --socket PATH)`);
  }
  await refuseIfLive(path);
  const server = createServer(onSocket);
  // Create the socket 0600 from the start rather than chmod it after a window of being open.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        // After listening, an accept error (e.g. out of file descriptors) is logged, not fatal.
        server.on('error', onError);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  await chmod(path, 0o600);
  return server;
}

async function refuseIfLive(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isSocket()) throw new DaemonError('SOCKET_IN_USE', `${path} exists and is not a socket; remove it or pass --socket PATH`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new DaemonError('SOCKET_IN_USE', `another plugd daemon is already listening on ${path} (stop it with \`plugd shutdown\`, or pass --socket PATH)`);
  await unlink(path);
}
