import type { PlugdConfig, ProviderEntry } from '../config/schema.js';
import { DaemonError } from '../errors.js';
import type { Logger } from '../log.js';
import { Cache, cacheDir } from './cache.js';
import { SourceError } from './errors.js';
import type { SourceProgress } from './progress.js';
import { canonicalRef, displayPath, isRemotePath } from './reference.js';
import { resolveSource, type ResolvedSource } from './resolve.js';

/**
 * The daemon's step between a config entry and its plugin host: turns an entry's https:// or
 * oci:// `path` into a file in the cache (its `resolvedPath`) and records where it came from
 * (`origin`). Each entry object is resolved once (concurrent callers share the download), and a
 * host runs it as the first part of its own loading, so one plugin's download never holds up
 * the daemon or any other plugin.
 */
export class EntrySources {
  readonly cache: Cache;
  private insecure: string[] = [];
  private readonly pending = new WeakMap<ProviderEntry, Promise<void>>();
  /**
   * Resolutions in flight by source, so entries naming the same artifact download it once. A
   * request that need not revalidate joins any flight; one that must, only a revalidating one.
   */
  private readonly inFlight = new Map<string, { promise: Promise<ResolvedSource>; names: Set<string>; revalidate: boolean }>();

  constructor(
    config: PlugdConfig,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Told each phase of a download, and its bytes at most every 250 ms. */
    private readonly onProgress?: (name: string, progress: SourceProgress) => void,
  ) {
    this.cache = new Cache(cacheDir(env));
    this.configure(config);
  }

  /** Takes the registry settings of a (re)loaded config. */
  configure(config: PlugdConfig): void {
    this.insecure = config.insecureRegistries;
  }

  /**
   * Resolves `entry` in place. `revalidate`: ask the registry or server even when the cache has an
   * answer for a tag or URL (pinned digests are never re-resolved). Rejects with a SourceError.
   */
  prepare(entry: ProviderEntry, revalidate = true): Promise<void> {
    let pending = this.pending.get(entry);
    if (!pending) {
      pending = this.resolve(entry, revalidate);
      this.pending.set(entry, pending);
    }
    return pending;
  }

  /**
   * Before a reload compares versions: a changed entry (or every one, with `refresh`) is resolved
   * afresh; an unchanged one is resolved from the cache only, so it stays as it is unless a
   * `plugd pull` moved its tag. Never rejects: a failure is reported by the new host's load.
   */
  async prepareForReload(entry: ProviderEntry, old: ProviderEntry | undefined, refresh: boolean): Promise<void> {
    const unchanged = old !== undefined && sameEntry(old, entry);
    await this.prepare(entry, refresh || !unchanged).catch(() => undefined);
  }

  private async resolve(entry: ProviderEntry, revalidate: boolean): Promise<void> {
    if (!isRemotePath(entry.path)) {
      entry.origin = { type: 'file', ref: entry.path, digest: null, fromCache: false, warning: null };
      return;
    }
    const began = performance.now();
    try {
      const key = JSON.stringify([canonicalRef(entry.path), entry.sha256]);
      let shared = this.inFlight.get(key);
      if (shared && (shared.revalidate || !revalidate)) shared.names.add(entry.name);
      else {
        const names = new Set([entry.name]);
        let lastLog = 0;
        let lastPhase = '';
        const promise = resolveSource(entry.path, entry.sha256, {
          cache: this.cache,
          insecureRegistries: this.insecure,
          env: this.env,
          revalidate,
          onProgress: (p) => {
            const finished = p.total != null && p.bytes === p.total;
            if (p.phase === 'downloading' && lastPhase === 'downloading' && !finished && performance.now() - lastLog < 250) return;
            lastLog = performance.now();
            lastPhase = p.phase;
            const bytes = p.bytes === undefined ? '' : ` ${p.bytes}${p.total ? `/${p.total}` : ''} bytes`;
            for (const name of names) {
              this.onProgress?.(name, p);
              this.logger.debug(`plugin "${name}": ${p.phase} ${p.ref}${bytes}`);
            }
          },
        }).finally(() => {
          if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
        });
        const flight = { promise, names, revalidate };
        shared = flight;
        this.inFlight.set(key, flight);
      }
      const resolved = await shared.promise;
      entry.resolvedPath = resolved.path;
      entry.origin = resolved.origin;
      if (resolved.warning) this.logger.warn(`plugin "${entry.name}": ${resolved.warning}`);
      else {
        const how = resolved.origin.fromCache ? 'from the cache' : `downloaded in ${Math.round(performance.now() - began)} ms`;
        this.logger.info(`plugin "${entry.name}": ${resolved.origin.ref} is ${resolved.origin.digest} (${how})`);
      }
    } catch (error) {
      if (error instanceof DaemonError) throw new SourceError(error.code, `plugin "${entry.name}": ${error.message}`, { plugin: entry.name });
      throw new SourceError('SOURCE_UNREACHABLE', `plugin "${entry.name}": ${displayPath(entry.path)}: ${(error as Error).message}`, { plugin: entry.name });
    }
  }
}

/** Whether two entries are configured the same (their resolution aside). */
function sameEntry(a: ProviderEntry, b: ProviderEntry): boolean {
  return configKey(a) === configKey(b);
}

function configKey(entry: ProviderEntry): string {
  const { resolvedPath: _path, origin: _origin, ...config } = entry;
  return JSON.stringify(config);
}
