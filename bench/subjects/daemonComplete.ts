import { join } from 'node:path';
import { completeParams, expectEchoText, MODEL } from '../echoPlugin.js';
import { callSubject } from '../measure.js';
import { echoDaemonTarget } from '../processes.js';
import type { Role } from '../subject.js';

/**
 * The subject: a real `plugd serve` process with the echo plugin, a PlugdClient over its unix
 * socket, and `providers/complete` on a handle built once — the request is validated, resolved to
 * the handle's plugin, run by a piscina worker through the plugin's `complete` export (call +
 * reset), and the output parsed and answered.
 */
export function daemonComplete(options: { id: string; role: Role; label: string; threads?: number }) {
  const threads = options.threads ?? 1;
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description: `A real \`plugd serve\` process (echo plugin, threads = ${threads}) driven by PlugdClient over its unix socket: providers/complete on a handle built once, reaching the plugin's complete export through a piscina worker.`,
    open: (ctx) =>
      echoDaemonTarget({ threads, profileDir: ctx.profileDir && join(ctx.profileDir, options.id) }, async (client, daemon) => {
        const { handle } = await client.build({ provider: 'echo', model: MODEL });
        const params = completeParams(handle);
        expectEchoText((await client.complete(params)).text, options.id);
        ctx.progress(`daemon pid ${daemon.pid} ready`);
        return () => client.complete(params);
      }),
  });
}
