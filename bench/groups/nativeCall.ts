import type { BenchGroup } from '../group.js';
import { daemonComplete } from '../subjects/daemonComplete.js';
import { forkRoundTrip } from '../subjects/forkRoundTrip.js';
import { koffiDirect } from '../subjects/koffiDirect.js';
import { nativeComplete } from '../subjects/nativeComplete.js';
import { workerRoundTrip } from '../subjects/workerRoundTrip.js';

/** A trivial native call: providers/complete → native-echo's plugd_complete, process- vs thread-isolated. */
export function nativeCallGroup(inFlight: number): BenchGroup {
  return {
    id: 'native-call',
    title: "Native call: providers/complete → native-echo's plugd_complete",
    subjects: [
      koffiDirect,
      nativeComplete({ id: 'native-thread', role: 'floor', label: 'plugd serve → native echo, isolation = "thread"', isolation: 'thread' }),
      nativeComplete({ id: 'native-process', role: 'subject', label: 'plugd serve → native echo, isolation = "process"', isolation: 'process' }),
      daemonComplete({ id: 'wasm-daemon', role: 'component', label: 'plugd serve → Wasm echo (for comparison)' }),
      // The hop each isolation adds, alone.
      forkRoundTrip,
      // The unary group's row, under its own id so that --only selects one group or the other.
      { ...workerRoundTrip, id: 'thread-postmessage' },
    ],
    comparisons: [
      {
        id: 'process-vs-thread-median',
        label: 'process-isolated median / thread-isolated median',
        numerator: { subject: 'native-process', metric: 'median' },
        denominator: { subject: 'native-thread', metric: 'median' },
        target: { op: '<=', value: 1.5 },
      },
      {
        id: 'process-vs-thread-throughput',
        label: `process-isolated calls/s @${inFlight} / thread-isolated calls/s @${inFlight}`,
        numerator: { subject: 'native-process', metric: { callsPerSec: inFlight } },
        denominator: { subject: 'native-thread', metric: { callsPerSec: inFlight } },
      },
      {
        id: 'fork-vs-worker-median',
        label: 'fork IPC round trip median / postMessage round trip median',
        numerator: { subject: 'fork-ipc', metric: 'median' },
        denominator: { subject: 'thread-postmessage', metric: 'median' },
      },
      {
        id: 'process-vs-koffi-median',
        label: 'process-isolated median / koffi direct median',
        numerator: { subject: 'native-process', metric: 'median' },
        denominator: { subject: 'koffi-direct', metric: 'median' },
      },
      {
        id: 'process-vs-wasm-median',
        label: 'process-isolated native median / Wasm daemon median',
        numerator: { subject: 'native-process', metric: 'median' },
        denominator: { subject: 'wasm-daemon', metric: 'median' },
      },
    ],
  };
}
