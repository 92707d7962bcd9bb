import { execFileSync } from 'node:child_process';

/** The pids of a daemon's native worker processes (its children running workers/native/worker.js). */
export function workerPids(daemonPid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(daemonPid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no such process
  }
  return out
    .split('\n')
    .filter((line) => line.includes('workers/native/worker.js'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
