import { Piscina } from 'piscina';
import { callSubject } from '../measure.js';
import type { Role } from '../subject.js';

const noopWorker = new URL('../workers/noop.js', import.meta.url);

/**
 * A piscina pool configured like a plugin's (1 thread, idle timeout off) running a task that
 * returns at once, with a task object shaped like the daemon's call task. With
 * `concurrentTasksPerWorker: 1` (plugd's setting) this is the pool's round trip alone; a larger
 * value lets piscina queue tasks at the worker, which then runs them back to back.
 */
export function piscinaNoop(options: { id: string; role: Role; label: string; concurrentTasksPerWorker: number }) {
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description:
      `A piscina pool (minThreads = maxThreads = 1, concurrentTasksPerWorker = ${options.concurrentTasksPerWorker}) in the bench process running a worker task that returns its input; no AbortSignal.` +
      (options.concurrentTasksPerWorker > 1 ? ' (plugd passes an AbortSignal with every task, which piscina runs one per worker at a time whatever this setting.)' : ''),
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
