import { readdirSync, readFileSync } from 'node:fs';

/** A process whose CPU time counts towards a subject's calls (the bench process itself always does). */
export interface ProcessRef {
  /** Short name for the breakdown, e.g. `daemon`, `echo server`. */
  name: string;
  pid: number;
}

/**
 * CPU time (user + system, ms) per thread group: `NAME main` (the process's main thread: its event
 * loop) and `NAME threads` (all its other threads: worker threads, libuv pool, V8 GC helpers).
 * Read from /proc/PID/task/TID/stat (Linux; 10 ms tick resolution, so only meaningful over
 * phases of a second or more). Null where /proc is not available.
 */
export type CpuSnapshot = Map<string, number> | null;

const TICK_MS = 10; // USER_HZ is 100 on every Linux Node supports

export function cpuSnapshot(processes: ProcessRef[]): CpuSnapshot {
  const out = new Map<string, number>();
  try {
    for (const { name, pid } of [{ name: 'bench', pid: process.pid }, ...processes]) {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        let stat: string;
        try {
          stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        } catch {
          continue; // the thread ended between readdir and read
        }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
        const key = `${name} ${Number(tid) === pid ? 'main' : 'threads'}`;
        out.set(key, (out.get(key) ?? 0) + ms);
      }
    }
  } catch {
    return null;
  }
  return out;
}

/** CPU ms spent between two snapshots, per thread group (groups that spent nothing are omitted). */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> | null {
  if (!before || !after) return null;
  const out = new Map<string, number>();
  for (const [key, ms] of after) {
    const d = ms - (before.get(key) ?? 0);
    if (d > 0) out.set(key, d);
  }
  return out;
}
