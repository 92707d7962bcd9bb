import type { BenchGroup } from '../group.js';
import type { Comparison } from '../compare.js';
import { daemonRoundTrip, hopRelayAdded, streamAdded, streamChat } from '../subjects/streamChat.js';

const SHORT = 'count 20';
const UNPACED = 'count 2000';
const PACED = 'paced 300 1';
const few = (n: number) => Math.max(3, Math.round(n / 2));
/**
 * The paired time-to-first-token rows: one sample is a few ms, and its spread on this kind of
 * machine is wide (a round's first chat, after the other rows ran, is often the slowest): 100 in
 * a full run (20 per round) instead of 20 (docs/performance.md §12.7).
 */
const many = (n: number) => n * 5;
/** A row's median in ms, shown for information (no target). */
const medianMs = (subject: string, label: string): Comparison => ({ id: subject, label, numerator: { subject, metric: 'median' }, unit: 'ms' });

/**
 * Streaming through the HTTP-adapter path: the openai plugin against the local OpenAI-compatible
 * server, time to first token and chunk rate, beside a direct fetch of the same stream from the
 * same server in the same run.
 */
export function streamingGroup(): BenchGroup {
  return {
    id: 'streaming',
    title: 'Streamed chat: openai plugin → local OpenAI-compatible server, vs a direct fetch of the same stream',
    layout: { latencyUnit: 'µs', latencyStats: ['median', 'p90', 'max'], sampleCount: true },
    subjects: [
      streamChat({ id: 'ttft-direct', role: 'floor', label: `time to first token, direct (${SHORT})`, via: 'direct', metric: 'ttft', prompt: SHORT }),
      streamChat({ id: 'ttft-plugd', role: 'subject', label: `time to first token, plugd (${SHORT})`, via: 'plugd', metric: 'ttft', prompt: SHORT }),
      streamAdded({ id: 'ttft-added', prompt: SHORT, phase: 'steady', count: many }),
      hopRelayAdded({ id: 'ttft-added-hops', prompt: SHORT, count: many }),
      streamAdded({ id: 'ttft-added-fresh', prompt: SHORT, phase: 'fresh' }),
      streamAdded({ id: 'ttft-added-50kb', prompt: SHORT, phase: 'steady', historyKb: 50 }),
      daemonRoundTrip({ id: 'daemon-rtt' }),
      streamChat({ id: 'chunk-direct-paced', role: 'floor', label: `µs per chunk, direct (${PACED} ms)`, via: 'direct', metric: 'perChunk', prompt: PACED, count: few }),
      streamChat({ id: 'chunk-plugd-paced', role: 'subject', label: `µs per chunk, plugd (${PACED} ms)`, via: 'plugd', metric: 'perChunk', prompt: PACED, count: few }),
      streamChat({ id: 'chunk-direct-unpaced', role: 'floor', label: `µs per chunk, direct (${UNPACED}, unpaced)`, via: 'direct', metric: 'perChunk', prompt: UNPACED, count: few }),
      streamChat({ id: 'chunk-plugd-unpaced', role: 'what-if', label: `µs per chunk, plugd (${UNPACED}, unpaced)`, via: 'plugd', metric: 'perChunk', prompt: UNPACED, count: few }),
    ],
    comparisons: [
      {
        id: 'ttft-added',
        label: 'added time to first token (median of paired differences)',
        numerator: { subject: 'ttft-added', metric: 'median' },
        unit: 'ms',
        target: { op: '<', value: 2 },
      },
      medianMs('ttft-added-fresh', 'added time to first token, new daemon (its 4th chat on; median)'),
      medianMs('ttft-added-50kb', 'added time to first token, after 50 kB of conversation (median)'),
      medianMs('ttft-added-hops', 'added time to first token, hop relay: the hops alone (median)'),
      {
        id: 'ttft-added-vs-rtt',
        label: 'added time to first token / daemon/status round trip',
        numerator: { subject: 'ttft-added', metric: 'median' },
        denominator: { subject: 'daemon-rtt', metric: 'median' },
      },
      {
        id: 'ttft-ratio',
        label: 'plugd ttft median / direct ttft median',
        numerator: { subject: 'ttft-plugd', metric: 'median' },
        denominator: { subject: 'ttft-direct', metric: 'median' },
      },
      {
        id: 'rate-paced',
        label: 'plugd chunks/s / direct chunks/s (server paced at 1 ms)',
        numerator: { subject: 'chunk-direct-paced', metric: 'median' },
        denominator: { subject: 'chunk-plugd-paced', metric: 'median' },
        target: { op: '>=', value: 0.9 },
      },
      {
        id: 'rate-unpaced',
        label: 'plugd chunks/s / direct chunks/s (server unpaced)',
        numerator: { subject: 'chunk-direct-unpaced', metric: 'median' },
        denominator: { subject: 'chunk-plugd-unpaced', metric: 'median' },
      },
    ],
  };
}
