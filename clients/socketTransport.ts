import net from 'node:net';
import { once } from 'node:events';
import { DaemonNotRunningError } from './errors.js';
import type { Transport } from './transport.js';
import { waitForEvent } from './waitFor.js';

const CLOSE_GRACE_MS = 1000;

/**
 * Connects to a daemon's unix socket. Rejects with `DaemonNotRunningError` when nothing listens
 * there (ENOENT, ECONNREFUSED); other failures (e.g. EACCES) are rethrown unchanged.
 */
export async function connectSocket(socketPath: string): Promise<Transport> {
  const socket = net.createConnection({ path: socketPath });
  try {
    await once(socket, 'connect');
  } catch (error) {
    socket.destroy();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') throw new DaemonNotRunningError(socketPath, { cause: error });
    throw error;
  }
  return {
    readable: socket,
    writable: socket,
    close: async () => {
      if (socket.destroyed) return;
      socket.end();
      if (!(await waitForEvent(socket, 'close', CLOSE_GRACE_MS))) socket.destroy();
    },
  };
}
