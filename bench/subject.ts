import type { LatencySummary } from './stats.js';

/**
 * What a row of the table is:
 * - `floor`: the cost of a dependency on its own, the lower bound the subject is judged against;
 * - `subject`: plugd itself, end to end;
 * - `component`: one layer of the subject measured alone, to show where the time goes;
 * - `what-if`: an alternative design measured for comparison (not what plugd does today).
 */
export type Role = 'floor' | 'subject' | 'component' | 'what-if';

/** How many calls a run makes, in total over its rounds. */
export interface Counts {
  /** Rounds: every subject of a group is measured once per round, subjects interleaved. */
  rounds: number;
  /** Sequential warm-up calls when a subject is opened (results discarded). */
  warmupSequential: number;
  /** Warm-up calls at `inFlight` when a subject is opened (only for re-entrant targets). */
  warmupConcurrent: number;
  /** Measured sequential calls (1 in flight), over all rounds: latency samples and calls/s @1. */
  sequential: number;
  /** Measured calls at `inFlight` in flight, over all rounds: calls/s @inFlight. */
  concurrent: number;
  /** Calls kept in flight during the concurrent phase. */
  inFlight: number;
  /**
   * Samples per row of the reload group, over all rounds (one reload, load or watcher event each):
   * the config file's rename-over to the new version's first answer, and the floors beside it.
   */
  reloads: number;
  /** A phase stops issuing calls after this long, so a slow build cannot run for ever (the row notes it). */
  phaseLimitMs: number;
  /**
   * Time budget of the whole run: once it is spent, every further phase gets only a token 50 ms,
   * so a slow build still finishes promptly, with its rows marked as cut short.
   */
  budgetMs: number;
}

export interface RunContext {
  counts: Counts;
  /** When the run's time budget runs out (a `performance.now()` value). */
  deadline: number;
  /** `--cpu-prof DIR`: where subjects that start daemons ask them to write CPU profiles (null: no profiling). */
  profileDir: string | null;
  /** One progress line (on stderr). */
  progress(message: string): void;
}

/** What one round of one subject measured. */
export interface RoundResult {
  /** Per-call latency samples in µs (1 in flight), or null when the subject measures none. */
  samplesUs: Float64Array | null;
  /** By calls in flight: how many calls were made and how long they took. */
  phases: Record<number, PhaseResult>;
  notes: string[];
  /** Events counted during the round (e.g. `failed` calls during reloads); summed over rounds. */
  counters?: Record<string, number>;
  /**
   * Named durations (µs) that break a sample down into its steps, e.g. "rename → watcher event";
   * pooled over rounds and summarised like the latency samples. Printed as a breakdown.
   */
  series?: Record<string, number[]>;
}

export interface PhaseResult {
  calls: number;
  elapsedMs: number;
  /** CPU ms spent during the phase per thread group (see cpu.ts), or null without /proc. */
  cpuMs: Record<string, number> | null;
}

/** A subject ready to be measured, round after round. */
export interface OpenSubject {
  round(ctx: RunContext, round: number): Promise<RoundResult>;
  close(): Promise<void>;
}

/** One row of the table. Add a subject by implementing this and listing it in a group (groups/). */
export interface Subject {
  /** Stable id, used in JSON output, comparisons and `--only`. */
  id: string;
  role: Role;
  /** Short label for the table. */
  label: string;
  /** One sentence: what exactly is measured. Printed by `--list` and kept in the JSON report. */
  description: string;
  /** Starts whatever the subject needs (processes, pools, plugin instances) and warms it up. */
  open(ctx: RunContext): Promise<OpenSubject>;
}

/** A subject's rounds merged: the figures the table prints. */
export interface SubjectResult {
  /** Per-call latency at 1 in flight over all rounds (µs), or null when the subject does not measure one. */
  latency: LatencySummary | null;
  /** Calls per second by number of calls in flight (all rounds' calls / all rounds' time). */
  callsPerSec: Record<number, number>;
  /** CPU µs per call by calls in flight, summed over every process and thread involved. */
  cpuUsPerCall: Record<number, number>;
  /** CPU µs per call by calls in flight and thread group (`bench main`, `daemon threads`, …). */
  cpuUsPerCallByThread: Record<number, Record<string, number>>;
  /** Each round's median latency (µs) and calls/s, to show the spread between rounds. */
  rounds: Array<{ medianUs: number | null; callsPerSec: Record<number, number> }>;
  /** Anything a reader needs to interpret the row (e.g. a phase cut short). */
  notes: string[];
  /** The rounds' counters, summed (empty for call/answer rows). */
  counters: Record<string, number>;
  /** The rounds' named durations (µs), pooled and summarised, in the order the subject named them. */
  series: Record<string, LatencySummary>;
}
