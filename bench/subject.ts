import type { LatencySummary } from './stats.js';

/**
 * What a row of the table is:
 * - `floor`: the cost of a dependency on its own, the lower bound the subject is judged against;
 * - `subject`: plugd itself, end to end;
 * - `component`: one layer of the subject measured alone, to show where the time goes (information).
 */
export type Role = 'floor' | 'subject' | 'component';

/** How many calls each phase makes. */
export interface Counts {
  /** Sequential warm-up calls (results discarded). */
  warmupSequential: number;
  /** Warm-up calls at `inFlight` (results discarded; only for re-entrant targets). */
  warmupConcurrent: number;
  /** Measured sequential calls (1 in flight): latency samples and calls/s @1. */
  sequential: number;
  /** Measured calls at `inFlight` in flight: calls/s @inFlight. */
  concurrent: number;
  /** Calls kept in flight during the concurrent phase. */
  inFlight: number;
  /** A phase stops issuing calls after this long, so a slow build cannot run for ever (the row notes it). */
  phaseLimitMs: number;
}

export interface RunContext {
  counts: Counts;
  /** One progress line (on stderr). */
  progress(message: string): void;
}

/** What one subject measured. */
export interface SubjectResult {
  /** Per-call latency at 1 in flight (µs), or null when the subject does not measure one. */
  latency: LatencySummary | null;
  /** Calls per second by number of calls in flight (e.g. `{1: 11000, 64: 50000}`). */
  callsPerSec: Record<number, number>;
  /** Anything a reader needs to interpret the row (e.g. a phase cut short). */
  notes: string[];
}

/** One row of the table. Add a subject by implementing this and listing it in groups.ts. */
export interface Subject {
  /** Stable id, used in JSON output, comparisons and `--only`. */
  id: string;
  role: Role;
  /** Short label for the table. */
  label: string;
  /** One sentence: what exactly is measured. Printed by `--list` and used by the docs. */
  description: string;
  run(ctx: RunContext): Promise<SubjectResult>;
}
