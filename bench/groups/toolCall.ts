import type { BenchGroup } from '../group.js';
import { daemonComplete } from '../subjects/daemonComplete.js';
import { daemonToolCall } from '../subjects/daemonToolCall.js';
import { jsonrpcEcho } from '../subjects/jsonrpcEcho.js';

/** A tool call: `tools/call` through the daemon to a Wasm tool plugin, a native one and an MCP server. */
export function toolCallGroup(inFlight: number): BenchGroup {
  return {
    id: 'tool-call',
    title: 'Tool call: tools/call → todo plan_status (Wasm), tally_get (native) and server-everything echo (MCP)',
    subjects: [
      jsonrpcEcho,
      daemonComplete({ id: 'tool-provider-floor', role: 'floor', label: 'plugd serve → echo provider complete (the provider path)' }),
      daemonToolCall({ id: 'tool-call-wasm', role: 'subject', label: 'plugd serve → todo plan_status (tools/call)', source: 'wasm' }),
      daemonToolCall({ id: 'tool-call-native', role: 'subject', label: 'plugd serve → native-tally tally_get (tools/call)', source: 'native' }),
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
        id: 'tool-native-vs-wasm-median',
        label: 'tools/call (native, process isolation) median / tools/call (Wasm) median',
        numerator: { subject: 'tool-call-native', metric: 'median' },
        denominator: { subject: 'tool-call-wasm', metric: 'median' },
        target: { op: '<=', value: 1.5 },
      },
      {
        id: 'tool-native-vs-provider-median',
        label: 'tools/call (native) median / providers/complete median',
        numerator: { subject: 'tool-call-native', metric: 'median' },
        denominator: { subject: 'tool-provider-floor', metric: 'median' },
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
