import { Piscina } from 'piscina';
import { sampledSubject } from '../sampled.js';
import { PLUGD_TASKS_PER_WORKER } from './piscinaNoop.js';

const noopWorker = new URL('../workers/noop.js', import.meta.url);

/**
 * Component: the thread a new plugin version needs, through piscina. A pool with a plugin's
 * settings (1 thread, idle timeout off, tasks queued at the worker) is created and its first
 * no-op task answered: piscina's worker start-up without plugd's worker or Extism.
 */
export const piscinaStart = (count?: (reloads: number) => number) =>
  sampledSubject({
    ...(count ? { count } : {}),
    id: 'piscina-start',
    role: 'component',
    label: 'piscina pool start + first no-op task',
    description: `new Piscina (minThreads = maxThreads = 1, concurrentTasksPerWorker = ${PLUGD_TASKS_PER_WORKER}) with a worker that returns its input: time until the first task is answered; destroyed after each sample.`,
    async open() {
      return {
        async sample() {
          const began = performance.now();
          const pool = new Piscina({ filename: noopWorker.href, minThreads: 1, maxThreads: 1, idleTimeout: Infinity, concurrentTasksPerWorker: PLUGD_TASKS_PER_WORKER });
          try {
            await pool.run({ type: 'describe' });
            return { us: (performance.now() - began) * 1000 };
          } finally {
            await pool.destroy();
          }
        },
        close: async () => undefined,
      };
    },
  });
