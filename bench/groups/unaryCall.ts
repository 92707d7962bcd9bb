import type { BenchGroup } from '../group.js';
import { daemonComplete } from '../subjects/daemonComplete.js';
import { daemonInitialize } from '../subjects/daemonInitialize.js';
import { extismDirect } from '../subjects/extismDirect.js';
import { jsonrpcEcho } from '../subjects/jsonrpcEcho.js';
import { PLUGD_TASKS_PER_WORKER, piscinaNoop } from '../subjects/piscinaNoop.js';
import { plugdClientEcho } from '../subjects/plugdClientEcho.js';
import { wasmHost } from '../subjects/wasmHost.js';
import { workerRoundTrip } from '../subjects/workerRoundTrip.js';

/** The unary call: `providers/complete` through the daemon to the echo plugin's `complete` export. */
export function unaryCallGroup(inFlight: number): BenchGroup {
  return {
    id: 'unary-call',
    title: "Unary call: providers/complete → echo plugin's complete export",
    subjects: [
      jsonrpcEcho,
      extismDirect({ id: 'extism-direct', role: 'floor', label: 'Extism call + reset, in-process', reset: true }),
      daemonComplete({ id: 'daemon', role: 'subject', label: 'plugd serve → echo plugin (PlugdClient)' }),
      // Components: the daemon's path layer by layer, to show where the time goes.
      plugdClientEcho,
      daemonInitialize,
      wasmHost,
      piscinaNoop({ id: 'piscina-noop', role: 'component', label: `piscina no-op task (1 thread, ${PLUGD_TASKS_PER_WORKER} queued)`, concurrentTasksPerWorker: PLUGD_TASKS_PER_WORKER }),
      workerRoundTrip,
      extismDirect({ id: 'extism-call-only', role: 'component', label: 'Extism call, no reset, in-process', reset: false }),
      // What-ifs: other settings or designs, for comparison.
      daemonComplete({ id: 'daemon-threads-2', role: 'what-if', label: 'plugd serve, threads = 2', threads: 2 }),
      // plugd's setting before the worker-side queue (commit ac1d71e): one task per worker at a time.
      piscinaNoop({ id: 'piscina-one-task', role: 'what-if', label: 'piscina no-op, one task per worker at a time', concurrentTasksPerWorker: 1 }),
    ],
    comparisons: [
      {
        id: 'daemon-vs-echo-median',
        label: 'daemon median / echo median',
        numerator: { subject: 'daemon', metric: 'median' },
        denominator: { subject: 'jsonrpc-echo', metric: 'median' },
        target: { op: '<=', value: 2 },
      },
      {
        id: 'daemon-vs-echo-throughput',
        label: `daemon calls/s @${inFlight} / echo calls/s @${inFlight}`,
        numerator: { subject: 'daemon', metric: { callsPerSec: inFlight } },
        denominator: { subject: 'jsonrpc-echo', metric: { callsPerSec: inFlight } },
        target: { op: '>=', value: 0.5 },
      },
      {
        id: 'daemon-vs-echo-p99',
        label: 'daemon p99 / echo p99',
        numerator: { subject: 'daemon', metric: 'p99' },
        denominator: { subject: 'jsonrpc-echo', metric: 'p99' },
      },
      {
        id: 'daemon-vs-extism-median',
        label: 'daemon median / Extism direct median',
        numerator: { subject: 'daemon', metric: 'median' },
        denominator: { subject: 'extism-direct', metric: 'median' },
      },
      {
        id: 'daemon-vs-extism-throughput',
        label: `daemon calls/s @${inFlight} / Extism direct calls/s @1`,
        numerator: { subject: 'daemon', metric: { callsPerSec: inFlight } },
        denominator: { subject: 'extism-direct', metric: { callsPerSec: 1 } },
      },
    ],
  };
}
