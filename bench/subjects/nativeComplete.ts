import { join } from 'node:path';
import { completeParams, echoNativePath, expectEchoText, MODEL } from '../echoPlugin.js';
import { callSubject } from '../measure.js';
import { echoDaemonTarget } from '../processes.js';
import type { Role } from '../subject.js';

/**
 * A real `plugd serve` process with the native echo plugin (plugins/native-echo) as provider
 * `echo`, with the given isolation, and `providers/complete` on a handle built once: the same
 * request as the unary-call group's daemon row, reaching `plugd_complete` through koffi in a child
 * process (IPC) or a worker thread (postMessage).
 */
export function nativeComplete(options: { id: string; role: Role; label: string; isolation: 'process' | 'thread' }) {
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description: `A real \`plugd serve\` process (native echo plugin, isolation = "${options.isolation}") driven by PlugdClient over its unix socket: providers/complete on a handle built once, reaching plugd_complete through koffi in ${options.isolation === 'process' ? 'a child process over the fork IPC channel' : 'a worker thread'}.`,
    open: (ctx) =>
      echoDaemonTarget(
        { provider: { path: echoNativePath, isolation: options.isolation }, profileDir: ctx.profileDir && join(ctx.profileDir, options.id) },
        async (client, daemon) => {
          const { handle } = await client.build({ provider: 'echo', model: MODEL });
          const params = completeParams(handle);
          expectEchoText((await client.complete(params)).text, options.id);
          ctx.progress(`daemon pid ${daemon.pid} ready`);
          return () => client.complete(params);
        },
      ),
  });
}
