import { Piscina } from 'piscina';
import { callSubject } from '../measure.js';

const noopWorker = new URL('../workers/noop.js', import.meta.url);

/**
 * Component: a piscina pool configured like a plugin's (1 thread, one task per worker at a time)
 * running a task that returns at once, with a task object shaped like the daemon's call task.
 */
export const piscinaNoop = callSubject({
  id: 'piscina-noop',
  role: 'component',
  label: 'piscina round trip, no-op task (1 thread)',
  description:
    'A piscina pool with the daemon\'s settings (minThreads = maxThreads = 1, concurrentTasksPerWorker = 1) in the bench process, running a worker task that returns its input.',
  async open() {
    const pool = new Piscina({
      filename: noopWorker.href,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
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
