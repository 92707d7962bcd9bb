import type { PluginHost } from './pluginHost.js';

/** How long a replaced plugin may take to finish its calls in flight before it is stopped. */
const RETIRE_DRAIN_MS = 120_000;
// Calls that picked up a host just before it was replaced reach it a moment later: give them
// time to register as in flight before draining decides the host is idle.
const RETIRE_GRACE_MS = 50;

/** Waits until a host a reload replaced or removed has finished its calls in flight (bounded). */
export async function drainReplaced(host: Pick<PluginHost, 'drain'>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, RETIRE_GRACE_MS));
  await host.drain(RETIRE_DRAIN_MS);
}
