import { join } from 'node:path';
import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { repoRoot, samplePlugin } from '../../test/helpers/paths.js';
import { callSubject } from '../measure.js';
import { daemonTarget } from '../processes.js';
import type { Role } from '../subject.js';

/**
 * A real `plugd serve` with one tool source exposed and the policy `default = "allow"`, driven by
 * PlugdClient over its unix socket: `tools/call` through argument validation (ajv), the
 * permission decision and the plugin — the todo Wasm plugin's `call_tool` (plan_status) through a
 * piscina worker, or an MCP server (server-everything's echo) over stdio.
 */
export function daemonToolCall(options: { id: string; role: Role; label: string; source: 'wasm' | 'mcp' }) {
  const wasm = `[[tools]]\nname = "todo"\npath = ${JSON.stringify(samplePlugin('todo'))}\nexpose = true\n`;
  const mcp = `[[mcp]]\nname = "everything"\ncommand = ${JSON.stringify(join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything'))}\nexpose = true\n`;
  const [tool, args, expected] = options.source === 'wasm' ? ['plan_status', {}, 'No plan yet.'] : ['everything__echo', { message: 'bench' }, 'Echo: bench'];
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description: `A real \`plugd serve\` process with ${options.source === 'wasm' ? 'the todo Wasm tool plugin' : "server-everything (MCP, stdio)"} exposed, driven by PlugdClient over its unix socket: tools/call ${tool} with arguments validated against its inputSchema and allowed by the policy default.`,
    open(ctx) {
      const start = () => DaemonProcess.start({ config: `${options.source === 'wasm' ? wasm : mcp}\n[permissions]\ndefault = "allow"\n`, env: { PLUGD_LOG: 'info' } });
      return daemonTarget(start, async (client, daemon) => {
        const call = () => client.callTool(tool, args);
        const first = await call();
        if (first.content[0]?.text !== expected) throw new Error(`${options.id}: unexpected tool result ${JSON.stringify(first)}`);
        ctx.progress(`daemon pid ${daemon.pid} ready`);
        return call;
      });
    },
  });
}
