import { watch, type FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PlugdConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { isRemotePath } from '../sources/reference.js';
import { pluginFile } from '../tools/discover.js';

// Events closer together than this become one reload (an editor's save is several events).
const COALESCE_MS = 10;

/**
 * Watches plugins.toml, every local plugin file it names and the plugin files in `plugins_dir` (`*.wasm`, `*.so`, …); any change (in-place write,
 * write-then-rename, delete and re-create) asks for a reload, coalesced. It watches the files'
 * directories rather than the files: a watch on a file itself is lost when the file is replaced
 * or deleted, and a build that deletes its output first would never be seen again. `update`
 * re-targets it after each reload. It reports a change at once, even an in-place write still
 * under way: the reload checks the files it read were still (see ./stableFiles.ts).
 */
export class ConfigWatcher implements AsyncDisposable {
  private readonly watcher: FSWatcher;
  private files = new Set<string>();
  private dirs = new Set<string>();
  /** Directories where any plugin file (`*.wasm`, `*.so`, `*.dylib`, `*.dll`) counts (`plugins_dir`). */
  private anyWasmIn = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly listening: Promise<void>;

  constructor(
    configPath: string,
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {
    this.files.add(resolve(configPath));
    this.dirs.add(dirname(resolve(configPath)));
    this.watcher = watch([...this.dirs], {
      ignoreInitial: true,
      depth: 0,
      // No awaitWriteFinish: the reload itself makes sure it read still files (./stableFiles.ts),
      // waiting for that while it loads rather than before.
    });
    this.listening = new Promise((done) => this.watcher.once('ready', () => done()));
    this.watcher.on('all', (event, path) => {
      if (!this.files.has(resolve(path)) && !(this.anyWasmIn.has(dirname(resolve(path))) && pluginFile.test(path))) return;
      this.logger.debug(`watch: ${event} ${path}`);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onChange(), COALESCE_MS);
    });
    this.watcher.on('error', (error) => this.logger.warn(`watch: ${(error as Error).message}`));
  }

  /** Watches exactly the config file and the plugin files of `config`. */
  update(config: PlugdConfig): void {
    // Downloads are not watched: their files in the cache never change (`plugins/reload {refresh}` re-resolves them).
    const local = [...config.providers, ...(config.tools ?? [])].filter((p) => !isRemotePath(p.path));
    this.files = new Set([resolve(config.path), ...local.map((p) => resolve(p.resolvedPath))]);
    // A plugins_dir that does not exist yet is picked up by the next reload that finds it.
    this.anyWasmIn = new Set(config.pluginsDir && existsSync(config.pluginsDir) ? [resolve(config.pluginsDir)] : []);
    const dirs = new Set([...[...this.files].map((f) => dirname(f)), ...this.anyWasmIn]);
    const add = [...dirs].filter((d) => !this.dirs.has(d));
    const remove = [...this.dirs].filter((d) => !dirs.has(d));
    if (add.length) this.watcher.add(add);
    if (remove.length) this.watcher.unwatch(remove);
    this.dirs = dirs;
  }

  /** Resolves once the watcher is listening. */
  ready(): Promise<void> {
    return this.listening;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
