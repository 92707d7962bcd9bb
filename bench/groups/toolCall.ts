import type { BenchGroup } from '../group.js';
import { daemonComplete } from '../subjects/daemonComplete.js';
import { daemonToolCall } from '../subjects/daemonToolCall.js';
import { jsonrpcEcho } from '../subjects/jsonrpcEcho.js';

/** A tool call: `tools/call` through the daemon to a Wasm tool plugin and to an MCP server. */
export function toolCallGroup(inFlight: number): BenchGroup {
  return {
    id: 'tool-call',
    title: 'Tool call: tools/call → todo plan_status (Wasm) and server-everything echo (MCP)',
    subjects: [
      jsonrpcEcho,
      daemonComplete({ id: 'tool-provider-floor', role: 'floor', label: 'plugd serve → echo provider complete (the provider path)' }),
      daemonToolCall({ id: 'tool-call-wasm', role: 'subject', label: 'plugd serve → todo plan_status (tools/call)', source: 'wasm' }),
      daemonToolCall({ id: 'tool-call-mcp', role: 'subject', label: 'plugd serve → MCP everything__echo (tools/call)', source: 'mcp' }),
    ],
    comparisons: [
      {
        id: 'tool-wasm-vs-provider-median',
        label: 'tools/call (Wasm) median / providers/complete median',
        numerator: { subject: 'tool-call-wasm', metric: 'median' },
        denominator: { subject: 'tool-provider-floor', metric: 'median' },
        target: { op: '<=', value: 1.5 },
      },
      {
        id: 'tool-wasm-vs-echo-median',
        label: 'tools/call (Wasm) median / echo median',
        numerator: { subject: 'tool-call-wasm', metric: 'median' },
        denominator: { subject: 'jsonrpc-echo', metric: 'median' },
      },
      {
        id: 'tool-wasm-vs-provider-throughput',
        label: `tools/call (Wasm) calls/s @${inFlight} / providers/complete calls/s @${inFlight}`,
        numerator: { subject: 'tool-call-wasm', metric: { callsPerSec: inFlight } },
        denominator: { subject: 'tool-provider-floor', metric: { callsPerSec: inFlight } },
      },
      {
        id: 'tool-mcp-vs-echo-median',
        label: 'tools/call (MCP) median / echo median',
        numerator: { subject: 'tool-call-mcp', metric: 'median' },
        denominator: { subject: 'jsonrpc-echo', metric: 'median' },
      },
    ],
  };
}
