import type { Comparison } from './compare.js';
import type { Subject } from './subject.js';

/** A latency statistic the rows table can show (see stats.ts). */
export type LatencyStat = 'median' | 'p90' | 'p99' | 'max';

/**
 * How a group's rows table is laid out. Without one, the call-latency layout: median and p99 in
 * µs, then calls/s and CPU µs per call at each number in flight the rows measured.
 */
export interface GroupLayout {
  /** Unit the latency columns (and the breakdown under the table) are printed in. */
  latencyUnit: 'µs' | 'ms';
  latencyStats: LatencyStat[];
  /** Show the number of latency samples (`n`) per row. */
  sampleCount?: boolean;
  /** Counter columns, by the key a subject's rounds report them under (see RoundResult.counters). */
  counters?: Array<{ key: string; label: string }>;
}

/**
 * A set of rows measured and printed together: the subject, the floors it is judged against,
 * components that explain it, and the ratios (with or without targets) between them.
 * A new kind of measurement (streaming time-to-first-token, native-plugin calls, reload latency)
 * is a new group in groups.ts with its own subject and floor(s).
 */
export interface BenchGroup {
  id: string;
  title: string;
  subjects: Subject[];
  comparisons: Comparison[];
  layout?: GroupLayout;
}
