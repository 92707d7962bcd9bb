import type { SubjectResult } from './subject.js';

/** A figure of one subject's result: a latency statistic (µs) or calls/s at a number in flight. */
export type Metric = 'median' | 'p99' | { callsPerSec: number };

/** Target for a ratio: `numerator / denominator <= value` or `>= value`. */
export interface Target {
  op: '<=' | '>=';
  value: number;
}

/** A ratio between two rows of a group; with a target it is judged PASS/MISS, without it is information. */
export interface Comparison {
  id: string;
  label: string;
  numerator: { subject: string; metric: Metric };
  denominator: { subject: string; metric: Metric };
  target?: Target;
}

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'N/A';

export interface ComparisonResult {
  id: string;
  label: string;
  /** The ratio, or null when either side was not measured. */
  value: number | null;
  target: Target | null;
  verdict: Verdict;
}

export function metricValue(result: SubjectResult | null | undefined, metric: Metric): number | null {
  if (!result) return null;
  const value = typeof metric === 'string' ? result.latency?.[metric] : result.callsPerSec[metric.callsPerSec];
  return value !== undefined && Number.isFinite(value) ? value : null;
}

export function metricName(metric: Metric): string {
  return typeof metric === 'string' ? `${metric} latency` : `calls/s @${metric.callsPerSec}`;
}

export function evaluate(comparison: Comparison, results: ReadonlyMap<string, SubjectResult | null>): ComparisonResult {
  const a = metricValue(results.get(comparison.numerator.subject), comparison.numerator.metric);
  const b = metricValue(results.get(comparison.denominator.subject), comparison.denominator.metric);
  const value = a !== null && b !== null && b !== 0 ? a / b : null;
  const target = comparison.target ?? null;
  let verdict: Verdict = 'INFO';
  if (value === null) verdict = 'N/A';
  else if (target) verdict = (target.op === '<=' ? value <= target.value : value >= target.value) ? 'PASS' : 'MISS';
  return { id: comparison.id, label: comparison.label, value, target, verdict };
}
