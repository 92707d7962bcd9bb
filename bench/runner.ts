import { evaluate } from './compare.js';
import type { BenchGroup } from './group.js';
import type { GroupReport, RowReport } from './report.js';
import { rate, summarize, type LatencySummary } from './stats.js';
import type { Counts, OpenSubject, RoundResult, Subject, SubjectResult } from './subject.js';

interface Row {
  subject: Subject;
  open: OpenSubject | null;
  rounds: RoundResult[];
  error: string | null;
  busyMs: number;
}

/**
 * Measures one group: opens (and warms up) every selected subject, then runs `counts.rounds`
 * rounds, each measuring every subject in turn, so slow drifts of the machine (other load,
 * CPU placement of threads) spread over all rows instead of skewing one; then closes them all.
 * A subject that fails is reported as failed; the others go on.
 */
export async function runGroup(
  group: BenchGroup,
  settings: { counts: Counts; profileDir: string | null; deadline: number },
  selected: (subject: Subject) => boolean,
  progress: (line: string) => void,
): Promise<GroupReport> {
  const rows: Row[] = group.subjects.filter(selected).map((subject) => ({ subject, open: null, rounds: [], error: null, busyMs: 0 }));
  const { counts, profileDir, deadline } = settings;
  const ctxFor = (row: Row) => ({ counts, profileDir, deadline, progress: (m: string) => progress(`${row.subject.id}: ${m}`) });
  const fail = (row: Row, error: unknown) => {
    row.error = (error as Error)?.stack ?? String(error);
    progress(`${row.subject.id}: FAILED: ${row.error}`);
  };

  try {
    for (const row of rows) {
      const t0 = performance.now();
      progress(`${row.subject.id}: opening (${row.subject.label})`);
      try {
        row.open = await row.subject.open(ctxFor(row));
      } catch (error) {
        fail(row, error);
      }
      row.busyMs += performance.now() - t0;
    }
    for (let r = 0; r < counts.rounds; r++) {
      for (const row of rows) {
        if (!row.open || row.error) continue;
        const t0 = performance.now();
        progress(`${row.subject.id}: round ${r + 1}/${counts.rounds}`);
        try {
          row.rounds.push(await row.open.round(ctxFor(row), r));
        } catch (error) {
          fail(row, error);
        }
        row.busyMs += performance.now() - t0;
      }
    }
  } finally {
    for (const row of rows) await row.open?.close().catch((error: unknown) => progress(`${row.subject.id}: close failed: ${String(error)}`));
  }

  const results = new Map<string, SubjectResult | null>();
  const reports: RowReport[] = rows.map((row) => {
    const result = row.error || row.rounds.length === 0 ? null : merge(row.rounds);
    results.set(row.subject.id, result);
    return {
      id: row.subject.id,
      role: row.subject.role,
      label: row.subject.label,
      description: row.subject.description,
      result,
      error: row.error,
      durationMs: Math.round(row.busyMs),
    };
  });
  return {
    id: group.id,
    title: group.title,
    layout: group.layout ?? null,
    rows: reports,
    comparisons: group.comparisons.map((c) => evaluate(c, results)),
  };
}

/** Pools every round: latency from all samples; calls/s and CPU per call from all calls over all time. */
export function merge(rounds: RoundResult[]): SubjectResult {
  const withSamples = rounds.filter((r) => r.samplesUs !== null);
  const samples = withSamples.length ? concat(withSamples.map((r) => r.samplesUs!)) : null;
  const levels = [...new Set(rounds.flatMap((r) => Object.keys(r.phases).map(Number)))].sort((a, b) => a - b);
  const callsPerSec: Record<number, number> = {};
  const cpuUsPerCall: Record<number, number> = {};
  const cpuUsPerCallByThread: Record<number, Record<string, number>> = {};
  for (const level of levels) {
    const phases = rounds.map((r) => r.phases[level]).filter((p) => p !== undefined);
    const calls = phases.reduce((n, p) => n + p.calls, 0);
    const ms = phases.reduce((n, p) => n + p.elapsedMs, 0);
    callsPerSec[level] = rate(calls, BigInt(Math.round(ms * 1e6)));
    if (calls > 0 && phases.every((p) => p.cpuMs !== null)) {
      const byThread: Record<string, number> = {};
      for (const p of phases) for (const [key, cpu] of Object.entries(p.cpuMs!)) byThread[key] = (byThread[key] ?? 0) + (cpu * 1000) / calls;
      cpuUsPerCallByThread[level] = byThread;
      cpuUsPerCall[level] = Object.values(byThread).reduce((a, b) => a + b, 0);
    }
  }
  const counters: Record<string, number> = {};
  for (const r of rounds) for (const [key, n] of Object.entries(r.counters ?? {})) counters[key] = (counters[key] ?? 0) + n;
  const pooled = new Map<string, number[]>();
  for (const r of rounds) for (const [name, values] of Object.entries(r.series ?? {})) pooled.set(name, [...(pooled.get(name) ?? []), ...values]);
  const series: Record<string, LatencySummary> = {};
  for (const [name, values] of pooled) if (values.length) series[name] = summarize(values);
  return {
    latency: samples ? summarize(samples) : null,
    callsPerSec,
    cpuUsPerCall,
    cpuUsPerCallByThread,
    rounds: rounds.map((r) => ({
      medianUs: r.samplesUs ? summarize(r.samplesUs).median : null,
      callsPerSec: Object.fromEntries(Object.entries(r.phases).map(([k, p]) => [k, rate(p.calls, BigInt(Math.round(p.elapsedMs * 1e6)))])),
    })),
    notes: rounds.flatMap((r) => r.notes),
    counters,
    series,
  };
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
