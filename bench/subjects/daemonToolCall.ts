import { join } from 'node:path';
import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { nativePlugin, repoRoot, samplePlugin } from '../../test/helpers/paths.js';
import { callSubject } from '../measure.js';
import { daemonTarget } from '../processes.js';
import type { Role } from '../subject.js';

/**
 * A real `plugd serve` with one tool source exposed and the policy `default = "allow"`, driven by
 * PlugdClient over its unix socket: `tools/call` through argument validation (ajv), the
 * permission decision and the plugin — the todo Wasm plugin's `call_tool` (plan_status) through a
 * piscina worker, the native-tally plugin's `plugd_tool_call` (tally_get) in its own process, or an
 * MCP server (server-everything's echo) over stdio.
 */
export function daemonToolCall(options: { id: string; role: Role; label: string; source: 'wasm' | 'native' | 'mcp' }) {
  const wasm = `[[tools]]\nname = "todo"\npath = ${JSON.stringify(samplePlugin('todo'))}\nexpose = true\n`;
  const native = `[[tools]]\nname = "tally"\npath = ${JSON.stringify(nativePlugin('native-tally'))}\nexpose = true\n`;
  const mcp = `[[mcp]]\nname = "everything"\ncommand = ${JSON.stringify(join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything'))}\nexpose = true\n`;
  const setups = {
    wasm: { config: wasm, tool: 'plan_status', args: {}, expected: 'No plan yet.', what: 'the todo Wasm tool plugin' },
    native: { config: native, tool: 'tally_get', args: {}, expected: 'no counters', what: 'the native-tally tool plugin (its own process)' },
    mcp: { config: mcp, tool: 'everything__echo', args: { message: 'bench' }, expected: 'Echo: bench', what: 'server-everything (MCP, stdio)' },
  };
  const { config, tool, args, expected, what } = setups[options.source];
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description: `A real \`plugd serve\` process with ${what} exposed, driven by PlugdClient over its unix socket: tools/call ${tool} with arguments validated against its inputSchema and allowed by the policy default.`,
    open(ctx) {
      const start = () => DaemonProcess.start({ config: `${config}\n[permissions]\ndefault = "allow"\n`, env: { PLUGD_LOG: 'info' } });
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
