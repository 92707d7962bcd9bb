/** Latency statistics, in microseconds, computed from raw per-call samples. */
export interface LatencySummary {
  /** Number of samples. */
  n: number;
  min: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The p-th percentile (0..100) of ascending-sorted samples, by linear interpolation between the
 * two closest ranks (so the median of an even count is the mean of the middle two).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** Sorts a copy of the samples (µs) and summarises them. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  const n = sorted.length;
  return {
    n,
    min: n ? sorted[0]! : Number.NaN,
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n ? sorted[n - 1]! : Number.NaN,
    mean: n ? sum / n : Number.NaN,
  };
}

/** Calls per second for `calls` completed in `elapsedNs` nanoseconds. */
export function rate(calls: number, elapsedNs: bigint): number {
  return elapsedNs > 0n ? calls / (Number(elapsedNs) / 1e9) : Number.NaN;
}
