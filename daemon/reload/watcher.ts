import { watch, type FSWatcher } from 'chokidar';
import type { PlugdConfig } from '../config/schema.js';
import type { Logger } from '../log.js';

// A write must be still for this long before it counts: chokidar 5 can report an in-place write
// before it is complete, with no event after it (NOTES: chokidar partial writes).
const STABLE_MS = 40;
// Events closer together than this become one reload (an editor's save is several events).
const COALESCE_MS = 20;

/**
 * Watches plugins.toml and every local plugin file it names; any change (in-place write,
 * write-then-rename, delete) asks for a reload, coalesced. `update` re-targets it after each
 * reload so added plugin files are watched and removed ones are not.
 */
export class ConfigWatcher implements AsyncDisposable {
  private readonly watcher: FSWatcher;
  private watched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly listening: Promise<void>;

  constructor(
    configPath: string,
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {
    this.watcher = watch(configPath, {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: STABLE_MS, pollInterval: 10 },
    });
    this.listening = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
    this.watched.add(configPath);
    this.watcher.on('all', (event, path) => {
      this.logger.debug(`watch: ${event} ${path}`);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onChange(), COALESCE_MS);
    });
    this.watcher.on('error', (error) => this.logger.warn(`watch: ${(error as Error).message}`));
  }

  /** Watches exactly the config file and the plugin files of `config`. */
  update(config: PlugdConfig): void {
    const wanted = new Set([config.path, ...config.providers.map((p) => p.resolvedPath)]);
    const add = [...wanted].filter((p) => !this.watched.has(p));
    const remove = [...this.watched].filter((p) => !wanted.has(p));
    if (add.length) this.watcher.add(add);
    if (remove.length) this.watcher.unwatch(remove);
    this.watched = wanted;
  }

  /** Resolves once the watcher is listening (tests and `serve` wait for it). */
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
