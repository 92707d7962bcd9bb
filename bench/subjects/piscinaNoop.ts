import { Piscina } from 'piscina';
import { callSubject } from '../measure.js';
import type { Role } from '../subject.js';

const noopWorker = new URL('../workers/noop.js', import.meta.url);

/**
 * plugd's `concurrentTasksPerWorker` (daemon/plugins/wasmHost.ts, createPool): calls queue at the
 * plugin's worker, which runs them one after another. Keep in step with the daemon.
 */
export const PLUGD_TASKS_PER_WORKER = 16;

/**
 * A piscina pool configured like a plugin's (1 thread, idle timeout off, no AbortSignal per task)
 * running a task that returns at once, with a task object shaped like the daemon's call task: the
 * pool's round trip alone. With `concurrentTasksPerWorker` > 1 piscina posts tasks ahead and the
 * worker runs them back to back; with 1, every task waits for the previous one's answer.
 */
export function piscinaNoop(options: { id: string; role: Role; label: string; concurrentTasksPerWorker: number }) {
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description:
      `A piscina pool (minThreads = maxThreads = 1, concurrentTasksPerWorker = ${options.concurrentTasksPerWorker}, no AbortSignal) in the bench process running a worker task that returns its input.`,
    async open() {
      const pool = new Piscina({
        filename: noopWorker.href,
        minThreads: 1,
        maxThreads: 1,
        idleTimeout: Number.MAX_SAFE_INTEGER,
        concurrentTasksPerWorker: options.concurrentTasksPerWorker,
      });
      const task = { type: 'call', fn: 'complete', input: '{"cfg":{"model":"echo-1"},"req":{"prompt":"hello"}}' };
      await pool.run(task);
      return {
        reentrant: true,
        call: () => pool.run(task),
        close: () => pool.destroy(),
      };
    },
  });
}
