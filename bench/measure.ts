import { rate, summarize } from './stats.js';
import type { Counts, Role, RunContext, Subject, SubjectResult } from './subject.js';

/** Something that can be called repeatedly: one request/response round trip per `call()`. */
export interface CallTarget {
  /** One call; rejects on failure (a failure aborts the subject's measurement). */
  call(): Promise<unknown>;
  /** Whether several calls may be in flight at once (Extism plugin instances, for one, are not re-entrant). */
  reentrant: boolean;
  /** Releases processes, sockets and threads. */
  close(): Promise<void>;
}

/** A subject measured by {@link measureCalls}: its target is opened, warmed, measured, closed. */
export function callSubject(spec: {
  id: string;
  role: Role;
  label: string;
  description: string;
  open(ctx: RunContext): Promise<CallTarget>;
}): Subject {
  return {
    id: spec.id,
    role: spec.role,
    label: spec.label,
    description: spec.description,
    async run(ctx) {
      const target = await spec.open(ctx);
      try {
        return await measureCalls(target, ctx);
      } finally {
        await target.close();
      }
    },
  };
}

/**
 * Warms the target up, then measures (1) `sequential` calls one at a time, timing each call with
 * `process.hrtime.bigint()`, for latency and calls/s @1, and (2) for re-entrant targets,
 * `concurrent` calls with `inFlight` kept in flight, for calls/s @inFlight.
 */
export async function measureCalls(target: CallTarget, ctx: RunContext): Promise<SubjectResult> {
  const { counts } = ctx;
  const notes: string[] = [];
  ctx.progress(`warm-up: ${counts.warmupSequential} sequential${target.reentrant ? `, ${counts.warmupConcurrent} at ${counts.inFlight} in flight` : ''}`);
  await sequential(target, counts.warmupSequential, counts.phaseLimitMs);
  if (target.reentrant) await concurrent(target, counts.warmupConcurrent, counts.inFlight, counts.phaseLimitMs);

  ctx.progress(`${counts.sequential} sequential calls`);
  const seq = await sequential(target, counts.sequential, counts.phaseLimitMs);
  if (seq.samples.length < counts.sequential) notes.push(`sequential phase stopped after ${seq.samples.length} calls (${counts.phaseLimitMs} ms limit)`);
  const callsPerSec: Record<number, number> = { 1: rate(seq.samples.length, seq.elapsedNs) };

  if (target.reentrant) {
    ctx.progress(`${counts.concurrent} calls at ${counts.inFlight} in flight`);
    const conc = await concurrent(target, counts.concurrent, counts.inFlight, counts.phaseLimitMs);
    if (conc.calls < counts.concurrent) notes.push(`${counts.inFlight}-in-flight phase stopped after ${conc.calls} calls (${counts.phaseLimitMs} ms limit)`);
    callsPerSec[counts.inFlight] = rate(conc.calls, conc.elapsedNs);
  }
  return { latency: summarize(seq.samples), callsPerSec, notes };
}

/** `count` calls one after another; per-call samples in µs. */
async function sequential(target: CallTarget, count: number, limitMs: number): Promise<{ samples: Float64Array; elapsedNs: bigint }> {
  const samples = new Float64Array(count);
  const limitNs = BigInt(Math.round(limitMs * 1e6));
  const began = process.hrtime.bigint();
  let done = 0;
  while (done < count) {
    const t0 = process.hrtime.bigint();
    await target.call();
    const t1 = process.hrtime.bigint();
    samples[done++] = Number(t1 - t0) / 1e3;
    if (t1 - began > limitNs) break;
  }
  return { samples: samples.subarray(0, done), elapsedNs: process.hrtime.bigint() - began };
}

/** `count` calls with `inFlight` of them outstanding at any time (each lane starts its next call when one ends). */
async function concurrent(target: CallTarget, count: number, inFlight: number, limitMs: number): Promise<{ calls: number; elapsedNs: bigint }> {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(limitMs * 1e6));
  let issued = 0;
  let completed = 0;
  const began = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (issued < count && process.hrtime.bigint() < deadline) {
      issued++;
      await target.call();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, Math.max(count, 0)) }, lane));
  return { calls: completed, elapsedNs: process.hrtime.bigint() - began };
}

/** The counts of a full run and of `--quick`. */
export const FULL_COUNTS: Counts = {
  warmupSequential: 1_000,
  warmupConcurrent: 4_000,
  sequential: 3_000,
  concurrent: 20_000,
  inFlight: 64,
  phaseLimitMs: 15_000,
};

export const QUICK_COUNTS: Counts = {
  warmupSequential: 200,
  warmupConcurrent: 1_000,
  sequential: 500,
  concurrent: 3_000,
  inFlight: 64,
  phaseLimitMs: 5_000,
};
