import type { SubjectResult } from './subject.js';

/**
 * A figure of one subject's result: a latency statistic (µs), calls/s at a number in flight, or
 * one of the subject's counters (e.g. calls failed during reloads).
 */
export type Metric = 'median' | 'p90' | 'p99' | { callsPerSec: number } | { counter: string };

export interface MetricRef {
  subject: string;
  metric: Metric;
}

/** Target for a comparison's value: `value <= x`, `>= x`, `< x` or `= x`. */
export interface Target {
  op: '<=' | '>=' | '<' | '=';
  value: number;
}

/**
 * How a comparison's value is computed and printed, and the unit of its target:
 * - `ratio` (default): numerator / denominator, printed `1.74×`;
 * - `ms`: a latency judged on its own (no denominator), in milliseconds, printed `162.3 ms`;
 * - `count`: a counter judged on its own (no denominator), printed as an integer.
 */
export type ComparisonUnit = 'ratio' | 'ms' | 'count';

/** A ratio between rows of a group, or one row's figure against an absolute target; with a target it is judged PASS/MISS, without it is information. */
export interface Comparison {
  id: string;
  label: string;
  numerator: MetricRef;
  /** For ratios: one figure, or several whose sum is the denominator (a floor made of parts). */
  denominator?: MetricRef | MetricRef[];
  unit?: ComparisonUnit;
  target?: Target;
}

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'N/A';

export interface ComparisonResult {
  id: string;
  label: string;
  unit: ComparisonUnit;
  /** The value, or null when a figure it needs was not measured. */
  value: number | null;
  target: Target | null;
  verdict: Verdict;
}

export function metricValue(result: SubjectResult | null | undefined, metric: Metric): number | null {
  if (!result) return null;
  let value: number | undefined;
  if (typeof metric === 'string') value = result.latency?.[metric];
  else if ('callsPerSec' in metric) value = result.callsPerSec[metric.callsPerSec];
  else value = result.counters[metric.counter];
  return value !== undefined && Number.isFinite(value) ? value : null;
}

export function metricName(metric: Metric): string {
  if (typeof metric === 'string') return `${metric} latency`;
  return 'callsPerSec' in metric ? `calls/s @${metric.callsPerSec}` : `${metric.counter} (count)`;
}

export function evaluate(comparison: Comparison, results: ReadonlyMap<string, SubjectResult | null>): ComparisonResult {
  const unit = comparison.unit ?? 'ratio';
  const figure = (ref: MetricRef) => metricValue(results.get(ref.subject), ref.metric);
  const a = figure(comparison.numerator);
  let value: number | null;
  if (unit === 'ratio') {
    const refs = [comparison.denominator ?? []].flat();
    const parts = refs.map(figure);
    const b = refs.length && parts.every((p) => p !== null) ? parts.reduce<number>((sum, p) => sum + p!, 0) : null;
    value = a !== null && b !== null && b !== 0 ? a / b : null;
  } else {
    value = a === null ? null : unit === 'ms' ? a / 1000 : a;
  }
  const target = comparison.target ?? null;
  let verdict: Verdict = 'INFO';
  if (value === null) verdict = 'N/A';
  else if (target) verdict = meets(value, target) ? 'PASS' : 'MISS';
  return { id: comparison.id, label: comparison.label, unit, value, target, verdict };
}

function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
    case '<':
      return value < target.value;
    case '=':
      return value === target.value;
  }
}
