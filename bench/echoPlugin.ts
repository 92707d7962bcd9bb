import { fileURLToPath } from 'node:url';
import type { ProviderEntry } from '../daemon/config/schema.js';

/**
 * The trivial call every unary-call subject makes, spelled for each layer: the client's
 * `providers/complete` params and the plugin input the daemon builds from them
 * (daemon/providers/service.ts `complete`), so every layer moves the same bytes.
 */

/** The built sample plugin (this file compiles to dist/bench/echoPlugin.js). */
export const echoWasmPath = fileURLToPath(new URL('../plugins/echo.wasm', import.meta.url));

/** The native echo plugin (plugins/native-echo, built by scripts/buildNative.mjs): the same answers. */
export const echoNativePath = fileURLToPath(new URL(`../plugins/native-echo.${process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so'}`, import.meta.url));

/** A `[[providers]]` entry for the Wasm echo plugin, as the config loader would make it (threads = 1). */
export function echoEntry(config: Record<string, unknown> = {}): ProviderEntry {
  return { name: 'echo', path: echoWasmPath, resolvedPath: echoWasmPath, sha256: null, config, threads: 1, timeoutMs: 120_000, startTimeoutMs: 10_000, allowedHosts: [], isolation: 'process' };
}

/** The prompt sent; the echo plugin's `complete` answers `{"text": PROMPT}`. */
export const PROMPT = 'hello';

/** The model the provider is built with (`providers/build {provider: "echo", model}`). */
export const MODEL = 'echo-1';

/** `providers/complete` params for a handle. */
export function completeParams(handle: string): { handle: string; prompt: string } {
  return { handle, prompt: PROMPT };
}

/** The `complete` export's input, exactly as the daemon builds it for a handle built with {@link MODEL}. */
export const completeInput = JSON.stringify({
  cfg: { model: MODEL },
  req: { prompt: PROMPT, suffix: null, max_tokens: null, temperature: null },
});

/** Throws unless `text` is the echo plugin's answer to {@link PROMPT} (a guard against measuring an error path). */
export function expectEchoText(text: unknown, where: string): void {
  if (text !== PROMPT) throw new Error(`${where}: expected the completion "${PROMPT}", got ${JSON.stringify(text)}`);
}
