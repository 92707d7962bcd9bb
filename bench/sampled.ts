import type { OpenSubject, Role, RoundResult, RunContext, Subject } from './subject.js';

/** One measurement of a sampled row: its duration, and optionally the durations of its steps. */
export interface Sample {
  /** The row's figure for this sample, in µs. */
  us: number;
  /** Named steps of this sample, in µs (null: not observed this time; left out). */
  series?: Record<string, number | null>;
}

/** A row that produces one sample at a time (a reload, a plugin load, a watcher event). */
export interface SampledTarget {
  /** Before a round's samples, e.g. start the call traffic that runs through them. */
  beginRound?(): Promise<void>;
  sample(index: number): Promise<Sample>;
  /** After a round's samples (also after a failed one): the round's counters and notes. */
  endRound?(): Promise<{ counters?: Record<string, number>; notes?: string[] }>;
  close(): Promise<void>;
}

/**
 * A subject measured sample by sample: `count(counts.reloads)` samples in all, spread evenly over
 * the rounds (interleaved with the group's other rows like every other subject). Once the run's
 * time budget is spent, a round takes one sample and notes it.
 */
export function sampledSubject(spec: {
  id: string;
  role: Role;
  label: string;
  description: string;
  /** How many samples in all, given the run's `counts.reloads` (default: that many). */
  count?: (reloads: number) => number;
  open(ctx: RunContext): Promise<SampledTarget>;
}): Subject {
  return {
    id: spec.id,
    role: spec.role,
    label: spec.label,
    description: spec.description,
    async open(ctx): Promise<OpenSubject> {
      const target = await spec.open(ctx);
      return { round: (c, r) => sampleRound(target, c, r, spec.count?.(c.counts.reloads) ?? c.counts.reloads), close: () => target.close() };
    },
  };
}

async function sampleRound(target: SampledTarget, ctx: RunContext, round: number, total: number): Promise<RoundResult> {
  const { rounds } = ctx.counts;
  // total = 20 over 5 rounds: 4 each; 7 over 5: 2, 2, 1, 1, 1.
  let count = Math.floor(total / rounds) + (round < total % rounds ? 1 : 0);
  const notes: string[] = [];
  if (count > 1 && performance.now() > ctx.deadline) {
    notes.push(`round ${round + 1}: 1 sample instead of ${count} (the run's time budget was spent)`);
    count = 1;
  }
  const samples: number[] = [];
  const series: Record<string, number[]> = {};
  if (count === 0) return { samplesUs: new Float64Array(0), phases: {}, notes, counters: {}, series };
  await target.beginRound?.();
  let ended = false;
  try {
    for (let i = 0; i < count; i++) {
      const s = await target.sample(i);
      samples.push(s.us);
      for (const [name, us] of Object.entries(s.series ?? {})) {
        series[name] ??= [];
        if (us !== null && Number.isFinite(us)) series[name].push(us);
      }
    }
    ended = true;
    const end = await target.endRound?.();
    return { samplesUs: Float64Array.from(samples), phases: {}, notes: [...notes, ...(end?.notes ?? [])], counters: end?.counters ?? {}, series };
  } finally {
    if (!ended) await target.endRound?.().catch(() => undefined);
  }
}
