import { join } from 'node:path';
import type { PlugdClient } from '../../clients/client.js';
import type { ToolsDidChangeNotification } from '../../protocol/tools.js';
import type { DaemonProcess } from './daemonProcess.js';
import { fixturePlugin, repoRoot, samplePlugin } from './paths.js';
import { eventually } from './serve.js';

/** One `[[tools]]` entry for a generated plugins.toml. */
export interface ToolSpecToml {
  name: string;
  path: string;
  expose?: boolean;
  timeoutMs?: number;
  isolation?: 'process' | 'thread';
  config?: Record<string, string | number | boolean | string[]>;
}

/** Writes plugins.toml text with `[[tools]]` entries, optional `[[mcp]]` text and a `[permissions]` table. */
export function toolsToml(tools: ToolSpecToml[], options: { permissions?: Record<string, string | number | string[]>; extra?: string } = {}): string {
  const parts = tools.map((t) => {
    const lines = ['[[tools]]', `name = ${JSON.stringify(t.name)}`, `path = ${JSON.stringify(t.path)}`];
    if (t.expose !== undefined) lines.push(`expose = ${t.expose}`);
    if (t.timeoutMs !== undefined) lines.push(`timeout_ms = ${t.timeoutMs}`);
    if (t.isolation !== undefined) lines.push(`isolation = "${t.isolation}"`);
    if (t.config) {
      lines.push('[tools.config]');
      for (const [k, v] of Object.entries(t.config)) lines.push(`${k} = ${JSON.stringify(v)}`);
    }
    return lines.join('\n');
  });
  if (options.permissions) {
    parts.push(['[permissions]', ...Object.entries(options.permissions).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)].join('\n'));
  }
  if (options.extra) parts.push(options.extra);
  return parts.join('\n\n') + '\n';
}

export const todoWasm = samplePlugin('todo');
export const tooltestWasm = fixturePlugin('tooltest');
/** An npm-installed MCP server's bin (node_modules/.bin), started by the daemon. */
export const mcpBin = (name: string): string => join(repoRoot, 'node_modules', '.bin', name);

/** Records every `tools/didChange` a client receives. */
export class DidChangeLog {
  readonly events: ToolsDidChangeNotification.Params[] = [];
  constructor(client: PlugdClient) {
    client.onToolsDidChange((e) => this.events.push(e));
  }

  /** The first event at or after `from` that satisfies `match`, waiting for it. */
  async next(match: (e: ToolsDidChangeNotification.Params) => boolean, from = 0, timeoutMs = 10_000): Promise<ToolsDidChangeNotification.Params> {
    let found: ToolsDidChangeNotification.Params | undefined;
    await eventually('tools/didChange', () => (found = this.events.slice(from).find(match)) !== undefined, timeoutMs);
    return found!;
  }
}

/** Waits until the daemon's stderr has `text` after `from` characters; returns the index just after it. */
export async function logged(daemon: DaemonProcess, text: string, from = 0, timeoutMs = 10_000): Promise<number> {
  await eventually(`daemon log line "${text}"`, () => daemon.stderr.indexOf(text, from) >= 0, timeoutMs);
  return daemon.stderr.indexOf(text, from) + text.length;
}

/** Waits until every tool plugin has settled (none loading). */
export async function toolsSettled(client: PlugdClient, timeoutMs = 15_000): Promise<void> {
  await eventually('tool plugins loaded', async () => (await client.toolsAvailable()).plugins.every((p) => p.state !== 'loading'), timeoutMs);
}
