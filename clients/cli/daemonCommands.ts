import type { InvocationOf } from './args.js';
import { formatJson, formatReload, formatShutdown, formatStatus } from './format.js';
import type { CliIo } from './io.js';
import { withClient } from './session.js';

/** `plugd serve`: runs the daemon in this process. */
export async function runServe(inv: InvocationOf<'serve'>, io: CliIo): Promise<void> {
  await io.serve({
    configPath: inv.configPath,
    // Only the flag: the daemon applies $PLUGD_SOCKET itself, and must not listen at all in
    // --stdio mode unless --socket asks it to.
    socketPath: inv.socketPath,
    stdio: inv.stdio,
    watch: inv.watch,
  });
}

/** `plugd status`. */
export async function runStatus(inv: InvocationOf<'status'>, io: CliIo): Promise<void> {
  const status = await withClient(io, inv.client, (client) => client.status());
  io.stdout.write(inv.client.json ? formatJson(status) : formatStatus(status));
}

/** `plugd shutdown`. */
export async function runShutdown(inv: InvocationOf<'shutdown'>, io: CliIo): Promise<void> {
  const params = inv.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: inv.drainTimeoutMs };
  const result = await withClient(io, inv.client, (client) => client.shutdown(params));
  io.stdout.write(inv.client.json ? formatJson(result) : formatShutdown(result));
}

/**
 * `plugd reload`. Prints what changed; exits 1 (after printing) when the config was rejected or
 * a plugin failed to load, so scripts can tell.
 */
export async function runReload(inv: InvocationOf<'reload'>, io: CliIo): Promise<void> {
  const summary = await withClient(io, inv.client, (client) => client.reload({ refresh: inv.refresh }));
  io.stdout.write(inv.client.json ? formatJson(summary) : formatReload(summary));
  if (summary.configError) throw new Error('reload: the config was rejected; the last good config keeps serving');
  if (summary.failed.length) {
    const names = summary.failed.map((f) => `"${f.name}"`).join(', ');
    throw new Error(`reload: ${summary.failed.length === 1 ? 'a plugin' : `${summary.failed.length} plugins`} failed to load (${names})`);
  }
}
