/**
 * A bare worker thread that loads the echo plugin the way plugd's worker does (import
 * @extism/extism, createPlugin with WASI and the QueryMT host functions, init_logging and the
 * metadata exports) and posts how long each step took (bench/subjects/extismLoad.ts). Like
 * plugd's worker it passes the compiled module itself and a lazy `fetch`, so Node never loads its
 * bundled undici (about 22 ms): Extism 1.0.3 tests a manifest object with `instanceof Response`.
 */
import '../../workers/quietWarnings.js';
import { parentPort, workerData } from 'node:worker_threads';

const started = performance.now();
const steps: Record<string, number> = {};
let last = started;
const lap = (name: string) => {
  const now = performance.now();
  steps[name] = now - last;
  last = now;
};

const { module } = workerData as { module: WebAssembly.Module };
const { createPlugin } = await import('@extism/extism');
lap('import @extism/extism');
const plugin = await createPlugin(module, {
  fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
  useWasi: true,
  enableWasiOutput: false,
  runInWorker: false,
  functions: { 'extism:host/user': { qmt_yield_chunk: () => undefined, qmt_log: () => undefined } },
});
lap('createPlugin (WASI, instantiate)');
for (const fn of ['init_logging', 'name', 'config_schema', 'api_key_name', 'base_url']) {
  await plugin.call(fn, fn === 'init_logging' ? '3' : 'null');
  await plugin.reset();
}
lap('init_logging + metadata exports');
if ((process as unknown as { moduleLoadList: string[] }).moduleLoadList.some((m) => m.includes('undici'))) throw new Error('undici was loaded: the worker no longer avoids it');
await plugin.close();
// The worker's clock starts at its own timeOrigin: send it, so the parent can place `started`.
parentPort?.postMessage({ timeOrigin: performance.timeOrigin, started, steps });
