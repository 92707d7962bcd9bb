import { join } from 'node:path';
import type { PluginFailure, ReloadSummary } from '../../protocol/plugins.js';
import { loadConfig } from '../config/load.js';
import type { PlugdConfig } from '../config/schema.js';
import { DaemonError, toErrorInfo } from '../errors.js';
import type { Logger } from '../log.js';
import { currentFingerprint } from '../plugins/fingerprint.js';
import { pluginFilesIn } from '../tools/discover.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { drainReplaced } from '../plugins/drainReplaced.js';
import type { PluginHost } from '../plugins/pluginHost.js';
import { mergeSummaries } from './mergeSummaries.js';
import { StableFiles } from './stableFiles.js';

export type ReloadTrigger = 'request' | 'watch' | 'signal';

/** How often one reload reads its files again because one changed meanwhile, before it gives up. */
const MAX_READ_ATTEMPTS = 10;

/**
 * The one reload path (file watcher, SIGHUP, `plugins/reload`). Reloads run one at a time; any
 * asked for while one runs are coalesced into a single next run, which sees the latest files,
 * and are answered with what both runs changed.
 */
export class Reloader {
  reloads = 0;
  configError: DaemonError | null = null;
  private current: Promise<ReloadSummary> | null = null;
  private next: Promise<ReloadSummary> | null = null;
  private refresh = false;

  constructor(
    private readonly configPath: string,
    private readonly registry: PluginRegistry,
    private readonly logger: Logger,
    private readonly done: (summary: ReloadSummary, trigger: ReloadTrigger, config: PlugdConfig | null) => void,
  ) {}

  /** `refresh`: re-resolve every downloaded plugin's tag or URL, not only changed entries'. */
  reload(trigger: ReloadTrigger, refresh = false): Promise<ReloadSummary> {
    // A refresh asked for while a reload runs is owed by the next run.
    this.refresh ||= refresh;
    if (!this.current) {
      const refreshing = this.refresh;
      this.refresh = false;
      this.current = this.run(trigger, refreshing).finally(() => (this.current = null));
      return this.current;
    }
    const during = this.current;
    this.next ??= this.current.then(
      () => this.startNext(trigger),
      () => this.startNext(trigger),
    );
    return Promise.all([during.catch(() => null), this.next]).then(([first, second]) => (first ? mergeSummaries(first, second) : second));
  }

  private startNext(trigger: ReloadTrigger): Promise<ReloadSummary> {
    this.next = null;
    return this.reload(trigger);
  }

  private async run(trigger: ReloadTrigger, refresh: boolean): Promise<ReloadSummary> {
    this.reloads++;
    for (let attempt = 1; ; attempt++) {
      const files = new StableFiles();
      const prepared = await this.prepare(files, refresh);
      const changed = await files.changed();
      if (changed === null) return this.apply(prepared, trigger);
      if ('plans' in prepared) for (const { fresh } of prepared.plans) void fresh?.dispose();
      if (attempt >= MAX_READ_ATTEMPTS) {
        // A file that never keeps still (a log, a build writing on and on) must not hold reloads
        // for ever; the watcher starts another reload after its next change.
        const error = new DaemonError('CONFIG_INVALID', `reload: ${changed} kept changing while it was read (${attempt} attempts); nothing was reloaded`);
        return this.apply({ error }, trigger);
      }
      this.logger.debug(`reload (${trigger}): ${changed} changed while it was read; reading it again`);
    }
  }

  /** Reads the config and loads every new or changed plugin beside the serving ones; changes nothing. */
  private async prepare(files: StableFiles, refresh: boolean): Promise<Prepared> {
    let config: PlugdConfig;
    try {
      await files.record(this.configPath);
      config = loadConfig(this.configPath);
    } catch (error) {
      return { error: error instanceof DaemonError ? error : new DaemonError('CONFIG_INVALID', String(error)) };
    }
    this.registry.sources?.configure(config);
    // Tool plugin files are loaded by the tool service once this reload has taken effect; they
    // must have been still too (an in-place write seen half-way would otherwise be loaded).
    for (const path of toolFiles(config)) await files.record(path);
    const plans = await Promise.all(
      config.providers.map(async (entry) => {
        const old = this.registry.get(entry.name);
        // Downloads first: from here on a remote entry's resolvedPath is its file in the cache.
        await this.registry.sources?.prepareForReload(entry, old?.entry, refresh);
        await files.record(entry.resolvedPath);
        // A failed plugin is always tried again: its cause (a start timeout, a crash loop) may be gone.
        if (old && old.state !== 'failed' && old.fingerprint === (await currentFingerprint(entry))) {
          // The same version, freshly resolved: status shows where it was found this time.
          if (entry.origin) old.entry.origin = entry.origin;
          return { old, fresh: null };
        }
        const fresh = this.registry.create(entry);
        await fresh.start();
        return { old, fresh };
      }),
    );
    return { config, plans };
  }

  private apply(prepared: Prepared, trigger: ReloadTrigger): ReloadSummary {
    const before = this.registry.list();
    if ('error' in prepared) {
      this.configError = prepared.error;
      this.logger.error(`reload (${trigger}): config rejected, the last good config keeps serving: ${this.configError.message}`);
      const summary = { added: [], removed: [], updated: [], unchanged: before.map((h) => h.name), failed: [], configError: toErrorInfo(this.configError) };
      this.done(summary, trigger, null);
      return summary;
    }
    this.configError = null;
    const { config, plans } = prepared;
    const summary: ReloadSummary = { added: [], removed: [], updated: [], unchanged: [], failed: [], configError: null };
    const serving: PluginHost[] = [];
    const retired: PluginHost[] = [];
    for (const { old, fresh } of plans) {
      if (!fresh) {
        // Unchanged means the serving version is the configured one again.
        this.registry.reloadErrors.delete(old!.name);
        summary.unchanged.push(old!.name);
        serving.push(old!);
        continue;
      }
      this.registry.reloadErrors.delete(fresh.name);
      const failure: PluginFailure | null = fresh.failure ? { name: fresh.name, error: toErrorInfo(fresh.failure) } : null;
      if (failure) summary.failed.push(failure);
      if (!old) {
        summary.added.push(fresh.name);
        serving.push(fresh);
      } else if (failure && old.state !== 'failed') {
        // A bad edit changes nothing that was working: the last good version keeps serving.
        summary.unchanged.push(old.name);
        serving.push(old);
        this.registry.reloadErrors.set(old.name, fresh.failure!);
        void fresh.dispose();
      } else {
        // A failed plugin retried with the same entry and file is not an update, whatever its error now.
        const same = failure !== null && old.state === 'failed' && old.fingerprint === fresh.fingerprint;
        (same ? summary.unchanged : summary.updated).push(fresh.name);
        serving.push(fresh);
        retired.push(old);
      }
    }
    const names = new Set(config.providers.map((e) => e.name));
    for (const name of this.registry.reloadErrors.keys()) if (!names.has(name)) this.registry.reloadErrors.delete(name);
    for (const host of before) {
      if (!names.has(host.name)) {
        summary.removed.push(host.name);
        retired.push(host);
      }
    }
    this.registry.replaceAll(serving);
    for (const host of retired) void this.retire(host);
    this.logger.info(
      `reload (${trigger}): ${summary.added.length} added, ${summary.updated.length} updated, ${summary.removed.length} removed, ${summary.unchanged.length} unchanged, ${summary.failed.length} failed`,
    );
    this.done(summary, trigger, config);
    return summary;
  }

  /** Lets a replaced host finish its calls in flight, then stops it. */
  private async retire(host: PluginHost): Promise<void> {
    await drainReplaced(host);
    await host.dispose();
  }
}

type Plan = { old: PluginHost | undefined; fresh: PluginHost | null };
type Prepared = { error: DaemonError } | { config: PlugdConfig; plans: Plan[] };

/** The tool plugin files a config names: `[[tools]]` paths and the plugin files in `plugins_dir` now. */
function toolFiles(config: PlugdConfig): string[] {
  const files = (config.tools ?? []).filter((t) => t.foundIn === 'config').map((t) => t.resolvedPath);
  // Only what discoverPlugins would load (and the watcher reacts to): an editor's swap file or a
  // data file there is no reason to read the config again.
  const dir = config.pluginsDir;
  if (dir) for (const name of pluginFilesIn(dir)) files.push(join(dir, name));
  return files;
}
