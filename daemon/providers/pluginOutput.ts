import { DaemonError, PluginCallError } from '../errors.js';
import type { PluginHost } from '../plugins/pluginHost.js';

/** What provider exports return, checked the same way on the direct and the HTTP-adapter paths. */

export function requireExports(host: PluginHost, what: string, ...fns: string[]): void {
  for (const fn of fns) {
    if (!host.hasExport(fn)) throw new DaemonError('UNSUPPORTED', `provider "${host.name}" does not support ${what} (it does not export "${fn}")`, { plugin: host.name });
  }
}

export function parseOutput(host: PluginHost, fn: string, text: string | null): unknown {
  if (text === null || text === '') throw badOutput(host, fn, 'JSON output');
  try {
    return JSON.parse(text);
  } catch {
    throw new PluginCallError('PLUGIN_OUTPUT', `plugin "${host.name}": ${fn} returned invalid JSON: ${text.slice(0, 200)}`, { plugin: host.name });
  }
}

export function badOutput(host: PluginHost, fn: string, expected: string): PluginCallError {
  return new PluginCallError('PLUGIN_OUTPUT', `plugin "${host.name}": ${fn} returned an unexpected value (expected ${expected})`, { plugin: host.name, expected });
}

export function modelNames(host: PluginHost, fn: string, output: unknown): string[] {
  if (!Array.isArray(output) || !output.every((m) => typeof m === 'string')) throw badOutput(host, fn, 'an array of model names');
  return output;
}

export function embeddings(host: PluginHost, fn: string, output: unknown): number[][] {
  if (!Array.isArray(output) || !output.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) throw badOutput(host, fn, 'an array of number arrays');
  return output as number[][];
}
