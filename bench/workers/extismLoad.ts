/**
 * A bare worker thread that loads the echo plugin the way plugd's worker does (import
 * @extism/extism, createPlugin with WASI and the QueryMT host functions, init_logging and the
 * metadata exports) and posts how long each step took (bench/subjects/extismLoad.ts). It touches
 * `globalThis.Response` on its own before createPlugin, which is what makes Node load its
 * bundled undici: Extism 1.0.3's createPlugin does `instanceof Response` on the manifest.
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
void (globalThis as { Response?: unknown }).Response;
lap('Node loads undici (first Response access)');
const plugin = await createPlugin(
  { wasm: [{ module }] },
  {
    useWasi: true,
    enableWasiOutput: false,
    runInWorker: false,
    functions: { 'extism:host/user': { qmt_yield_chunk: () => undefined, qmt_log: () => undefined } },
  },
);
lap('createPlugin (WASI, instantiate)');
for (const fn of ['init_logging', 'name', 'config_schema', 'api_key_name', 'base_url']) {
  await plugin.call(fn, fn === 'init_logging' ? '3' : 'null');
  await plugin.reset();
}
lap('init_logging + metadata exports');
await plugin.close();
// The worker's clock starts at its own timeOrigin: send it, so the parent can place `started`.
parentPort?.postMessage({ timeOrigin: performance.timeOrigin, started, steps });
