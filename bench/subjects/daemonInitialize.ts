import { join } from 'node:path';
import { callSubject } from '../measure.js';
import { echoDaemonTarget } from '../processes.js';

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
  open: (ctx) =>
    echoDaemonTarget({ profileDir: ctx.profileDir && join(ctx.profileDir, 'daemon-initialize') }, async (client) => {
      await client.initialize();
      return () => client.initialize();
    }),
});
