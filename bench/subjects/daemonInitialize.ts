import { join } from 'node:path';
import { callSubject } from '../measure.js';
import { startEchoDaemon } from '../processes.js';

/**
 * Component: the daemon's request path without the plugin. `initialize` on a real `plugd serve`
 * goes through the same socket, vscode-jsonrpc connection, Session wrapper (shutdown gate, zod
 * params parse, cancel signal) and answer as `providers/complete`, but answers from memory.
 */
export const daemonInitialize = callSubject({
  id: 'daemon-initialize',
  role: 'component',
  label: 'plugd serve, initialize (no plugin call)',
  description:
    'PlugdClient.initialize() against a real `plugd serve` with the echo plugin loaded: the daemon\'s JSON-RPC and Session handling with no plugin work.',
  async open(ctx) {
    const daemon = await startEchoDaemon({ profileDir: ctx.profileDir && join(ctx.profileDir, 'daemon-initialize') });
    try {
      const client = await daemon.connect();
      await client.initialize();
      return {
        reentrant: true,
        processes: [{ name: 'daemon', pid: daemon.pid }],
        call: () => client.initialize(),
        async close() {
          await client.close();
          await daemon.stop();
        },
      };
    } catch (error) {
      await daemon.stop();
      throw new Error(`${(error as Error).message}\n--- daemon stderr ---\n${daemon.stderr}`, { cause: error });
    }
  },
});
