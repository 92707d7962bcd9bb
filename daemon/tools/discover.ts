import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, type ToolEntry } from '../config/schema.js';
import type { Logger } from '../log.js';

const pluginName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A plugin file in `plugins_dir`: a Wasm module, or a native library (in its own process, the default isolation). */
export const pluginFile = /\.(wasm|so|dylib|dll)$/;

/**
 * The tool plugins in `plugins_dir`: every `NAME.wasm` (or native `NAME.so`, `.dylib`, `.dll`)
 * directly inside it, named NAME, with the default runtime settings, not exposed until asked. A
 * name that a config entry or an earlier file (in name order) already uses is skipped (the entry
 * wins). A missing directory is no plugins.
 */
export function discoverPlugins(dir: string, taken: ReadonlySet<string>, logger: Logger): ToolEntry[] {
  let names: string[];
  try {
    names = listPluginFiles(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') logger.warn(`plugins_dir ${dir}: cannot list it (${(error as Error).message})`);
    return [];
  }
  const entries: ToolEntry[] = [];
  const found = new Set<string>();
  for (const file of names) {
    const name = file.replace(pluginFile, '');
    if (!pluginName.test(name)) {
      logger.warn(`plugins_dir: skipping ${join(dir, file)}: "${name}" is not a valid plugin name (letters, digits, ".", "_", "-")`);
      continue;
    }
    if (taken.has(name)) {
      logger.debug(`plugins_dir: ${join(dir, file)} is shadowed by the config entry "${name}"`);
      continue;
    }
    if (found.has(name)) {
      logger.warn(`plugins_dir: skipping ${join(dir, file)}: another file there is already the plugin "${name}"`);
      continue;
    }
    found.add(name);
    entries.push({
      name,
      path: join(dir, file),
      resolvedPath: join(dir, file),
      sha256: null,
      config: {},
      threads: DEFAULTS.threads,
      timeoutMs: DEFAULTS.timeoutMs,
      startTimeoutMs: DEFAULTS.startTimeoutMs,
      isolation: 'process',
      allowedHosts: [],
      expose: false,
      foundIn: 'plugins_dir',
    });
  }
  return entries;
}

/** The names of the plugin files directly in `dir`, sorted; throws when it cannot be listed. */
function listPluginFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && pluginFile.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** {@link discoverPlugins}' listing of `dir` without its checks: none when it cannot be listed. */
export function pluginFilesIn(dir: string): string[] {
  try {
    return listPluginFiles(dir);
  } catch {
    return [];
  }
}
