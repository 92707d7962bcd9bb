import { closeSync, openSync, readSync } from 'node:fs';
import type { ProviderEntry } from '../config/schema.js';
import type { Logger } from '../log.js';
import { detectPluginType } from './detect.js';
import { NativePluginHost } from './nativeHost.js';
import type { PluginHost } from './pluginHost.js';
import { WasmPluginHost } from './wasmHost.js';

/**
 * The host for one entry, chosen from its file: a native library (ELF, Mach-O or PE magic, or a
 * .so/.dylib/.dll name) gets a {@link NativePluginHost}; anything else a {@link WasmPluginHost},
 * which reports a missing, unreadable or unknown file when it loads.
 */
export function createHost(entry: ProviderEntry, logger: Logger, prepare?: (entry: ProviderEntry) => Promise<void>): PluginHost {
  const detected = detectPluginType(entry.resolvedPath, head(entry.resolvedPath));
  if (detected.type === 'native') return new NativePluginHost(entry, logger, prepare);
  return new WasmPluginHost(entry, logger, prepare);
}

function head(path: string): Uint8Array {
  const bytes = new Uint8Array(8);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, bytes, 0, bytes.length, 0);
    return bytes.subarray(0, n);
  } catch {
    return new Uint8Array(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
