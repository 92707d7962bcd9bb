import { cpuDelta, cpuSnapshot, type ProcessRef } from './cpu.js';
import type { Counts, OpenSubject, PhaseResult, Role, RoundResult, RunContext, Subject } from './subject.js';

/** Something that can be called repeatedly: one request/response round trip per `call()`. */
export interface CallTarget {
  /** One call; rejects on failure (a failure aborts the subject's measurement). */
  call(): Promise<unknown>;
  /** Whether several calls may be in flight at once (Extism plugin instances, for one, are not re-entrant). */
  reentrant: boolean;
  /** Child processes whose CPU time counts towards the calls (the bench process always counts). */
  processes?: ProcessRef[];
  /** Releases processes, sockets and threads. */
  close(): Promise<void>;
}

/**
 * A subject measured call by call: opening it opens the target and warms it up; each round
 * re-warms briefly, then makes (1) `sequential / rounds` calls one at a time, timing each with
 * `process.hrtime.bigint()`, for latency and calls/s @1, and (2) for re-entrant targets,
 * `concurrent / rounds` calls with `inFlight` kept in flight, for calls/s @inFlight.
 * CPU time of the bench process and the target's child processes is read around each phase.
 */
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
    async open(ctx): Promise<OpenSubject> {
      const target = await spec.open(ctx);
      try {
        const { counts } = ctx;
        ctx.progress(`warm-up: ${counts.warmupSequential} sequential${target.reentrant ? `, ${counts.warmupConcurrent} at ${counts.inFlight} in flight` : ''}`);
        await sequential(target, counts.warmupSequential, limitFor(ctx));
        if (target.reentrant) await concurrent(target, counts.warmupConcurrent, counts.inFlight, limitFor(ctx));
      } catch (error) {
        await target.close();
        throw error;
      }
      return { round: (c, r) => measureRound(target, c, r), close: () => target.close() };
    },
  };
}

async function measureRound(target: CallTarget, ctx: RunContext, round: number): Promise<RoundResult> {
  const { counts } = ctx;
  const perRound = (total: number) => Math.max(1, Math.round(total / counts.rounds));
  const notes: string[] = [];
  // The target sat idle while other subjects ran: a few calls to wake it before timing.
  await sequential(target, Math.min(100, counts.warmupSequential), limitFor(ctx));

  const nSeq = perRound(counts.sequential);
  const seq = await phase(target, () => sequential(target, nSeq, limitFor(ctx)));
  if (seq.calls < nSeq) notes.push(`round ${round + 1}: sequential phase stopped after ${seq.calls} calls (time limit)`);
  const phases: Record<number, PhaseResult> = { 1: seq };

  if (target.reentrant) {
    const nConc = perRound(counts.concurrent);
    const conc = await phase(target, () => concurrent(target, nConc, counts.inFlight, limitFor(ctx)));
    if (conc.calls < nConc) notes.push(`round ${round + 1}: ${counts.inFlight}-in-flight phase stopped after ${conc.calls} calls (time limit)`);
    phases[counts.inFlight] = conc;
  }
  return { samplesUs: seq.samples, phases, notes };
}

/** How long the next phase may run: the per-phase limit, or what is left of the run's budget (at least 50 ms). */
function limitFor(ctx: RunContext): number {
  return Math.min(ctx.counts.phaseLimitMs, Math.max(50, ctx.deadline - performance.now()));
}

async function phase<T extends { calls: number; elapsedNs: bigint }>(target: CallTarget, run: () => Promise<T>): Promise<PhaseResult & T> {
  const before = cpuSnapshot(target.processes ?? []);
  const result = await run();
  const spent = cpuDelta(before, cpuSnapshot(target.processes ?? []));
  return { ...result, elapsedMs: Number(result.elapsedNs) / 1e6, cpuMs: spent ? Object.fromEntries(spent) : null };
}

/** A call that has not answered after this long fails the row (a hung daemon must not hang the bench). */
const STALL_MS = 15_000;

/**
 * Runs `body` with a stall watchdog: `body` calls `touch()` whenever a call answers; if none answers
 * for STALL_MS the phase rejects. One interval timer per phase, none per call.
 */
async function guarded<T>(body: (touch: () => void) => Promise<T>): Promise<T> {
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (performance.now() - last > STALL_MS) reject(new Error(`no call answered for ${STALL_MS / 1000} s`));
    }, 1000);
  });
  try {
    return await Promise.race([body(() => (last = performance.now())), stalled]);
  } finally {
    clearInterval(timer);
  }
}

/** `count` calls one after another; per-call samples in µs. */
function sequential(target: CallTarget, count: number, limitMs: number): Promise<{ calls: number; samples: Float64Array; elapsedNs: bigint }> {
  return guarded(async (touch) => {
    const samples = new Float64Array(count);
    const limitNs = BigInt(Math.round(limitMs * 1e6));
    const began = process.hrtime.bigint();
    let done = 0;
    while (done < count) {
      const t0 = process.hrtime.bigint();
      await target.call();
      const t1 = process.hrtime.bigint();
      samples[done++] = Number(t1 - t0) / 1e3;
      touch();
      if (t1 - began > limitNs) break;
    }
    return { calls: done, samples: samples.subarray(0, done), elapsedNs: process.hrtime.bigint() - began };
  });
}

/** `count` calls with `inFlight` of them outstanding at any time (each lane starts its next call when one ends). */
function concurrent(target: CallTarget, count: number, inFlight: number, limitMs: number): Promise<{ calls: number; elapsedNs: bigint }> {
  return guarded(async (touch) => {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(limitMs * 1e6));
    let issued = 0;
    let completed = 0;
    const began = process.hrtime.bigint();
    const lane = async (): Promise<void> => {
      while (issued < count && process.hrtime.bigint() < deadline) {
        issued++;
        await target.call();
        completed++;
        touch();
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, Math.max(count, 0)) }, lane));
    return { calls: completed, elapsedNs: process.hrtime.bigint() - began };
  });
}

/** The counts of a full run and of `--quick`. */
export const FULL_COUNTS: Counts = {
  rounds: 5,
  warmupSequential: 1_000,
  warmupConcurrent: 4_000,
  sequential: 3_000,
  concurrent: 20_000,
  inFlight: 64,
  reloads: 20,
  phaseLimitMs: 10_000,
  budgetMs: 140_000,
};

export const QUICK_COUNTS: Counts = {
  rounds: 1,
  warmupSequential: 200,
  warmupConcurrent: 1_000,
  sequential: 500,
  concurrent: 3_000,
  inFlight: 64,
  reloads: 5,
  phaseLimitMs: 5_000,
  budgetMs: 45_000,
};
