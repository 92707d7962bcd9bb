import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { echoWasmPath } from '../echoPlugin.js';
import { sampledSubject } from '../sampled.js';

const extismLoadWorker = new URL('../workers/extismLoad.js', import.meta.url);

/**
 * Component: a plugin load's parts without plugd or piscina. A plain worker_threads Worker is
 * started with the compiled echo module and loads it as plugd's worker does
 * (bench/workers/extismLoad.ts); the sample is the time from `new Worker` to its answer, and the
 * breakdown gives the thread's start-up and each loading step.
 */
export const extismLoad = (count?: (reloads: number) => number) =>
  sampledSubject({
    ...(count ? { count } : {}),
    id: 'extism-load',
    role: 'component',
    label: 'bare worker: start + Extism load of the echo plugin',
    description:
      'A plain worker_threads Worker (no piscina) given the compiled echo module: time from new Worker() until it has imported @extism/extism, created the plugin (WASI) and called init_logging and the metadata exports.',
    async open() {
      const module = await WebAssembly.compile(await readFile(echoWasmPath));
      return {
        async sample() {
          const began = performance.now();
          const worker = new Worker(extismLoadWorker, { workerData: { module } });
          try {
            const message = await new Promise<{ timeOrigin: number; started: number; steps: Record<string, number> }>((resolve, reject) => {
              worker.once('message', resolve);
              worker.once('error', reject);
              worker.once('exit', (code) => reject(new Error(`the load worker exited with code ${code} before answering`)));
            });
            const done = performance.now();
            const startedHere = message.timeOrigin + message.started - performance.timeOrigin;
            const series: Record<string, number> = { 'thread start (new Worker → its module runs)': (startedHere - began) * 1000 };
            for (const [name, ms] of Object.entries(message.steps)) series[name] = ms * 1000;
            return { us: (done - began) * 1000, series };
          } finally {
            await worker.terminate();
          }
        },
        close: async () => undefined,
      };
    },
  });
