import { readFile } from 'node:fs/promises';
import { completeInput, echoWasmPath, expectEchoText } from '../echoPlugin.js';
import { callSubject } from '../measure.js';
import type { Role } from '../subject.js';

/**
 * Floor 2: the plugin alone. The echo plugin instantiated in the bench process with
 * `createPlugin` (useWasi, no worker, the QueryMT host functions as no-ops), calling the same
 * `complete` export with the same input the daemon passes. With `reset`, each call is followed by
 * `plugin.reset()`, as the daemon's worker does (Extism 1.0.3 fails after ~16k calls otherwise);
 * without it, the row shows what the reset costs (only safe for fewer than 16,383 calls).
 */
export function extismDirect(options: { id: string; role: Role; label: string; reset: boolean }) {
  return callSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description: options.reset
      ? "@extism/extism createPlugin in the bench process (useWasi, qmt_yield_chunk/qmt_log as no-ops): the echo plugin's complete export with the daemon's input, then plugin.reset(), as plugd's worker does per call."
      : "Like the Extism floor but without plugin.reset() after each call (the Extism call and output read alone).",
    async open(ctx) {
      const { counts } = ctx;
      // open: 1 check + warm-up; each round: up to 100 re-warm calls + its share of the sequential calls.
      const total = 1 + counts.warmupSequential + counts.rounds * Math.min(100, counts.warmupSequential) + counts.sequential;
      if (!options.reset && total >= 16_000) {
        throw new Error(`${options.id}: ${total} calls without reset would hit Extism 1.0.3's ~16k-call limit; lower the counts`);
      }
      const { createPlugin } = await import('@extism/extism');
      const wasm = await WebAssembly.compile(await readFile(echoWasmPath));
      const plugin = await createPlugin(
        { wasm: [{ module: wasm }] },
        {
          useWasi: true,
          enableWasiOutput: false,
          runInWorker: false,
          functions: { 'extism:host/user': { qmt_yield_chunk: () => undefined, qmt_log: () => undefined } },
        },
      );
      const call = async (): Promise<string | undefined> => {
        const output = await plugin.call('complete', completeInput);
        const text = output?.text();
        if (options.reset) await plugin.reset();
        return text;
      };
      const first = await call();
      expectEchoText((JSON.parse(first ?? 'null') as { text?: unknown } | null)?.text, options.id);
      return {
        reentrant: false,
        call,
        close: () => plugin.close(),
      };
    },
  });
}
