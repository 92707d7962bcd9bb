import type { PluginStatus } from '../../protocol/daemon.js';
import type { PlugdConfig, ProviderEntry } from '../config/schema.js';
import { type DaemonError, toErrorInfo } from '../errors.js';
import type { Logger } from '../log.js';
import type { EntrySources } from '../sources/entrySources.js';
import { isRemotePath } from '../sources/reference.js';
import { createHost } from './createHost.js';
import type { HostState, PluginHost } from './pluginHost.js';
import { SourcedHost } from './sourcedHost.js';

/** A host's lifecycle state as the protocol names it. */
export function publicState(state: HostState): PluginStatus['state'] {
  return stateNames[state];
}

const stateNames: Record<HostState, PluginStatus['state']> = {
  starting: 'loading',
  ready: 'ready',
  draining: 'draining',
  stopped: 'stopped',
  failed: 'failed',
};

/** Every configured plugin by name, in config order. */
export class PluginRegistry implements AsyncDisposable {
  private readonly hosts = new Map<string, PluginHost>();
  /** Plugins whose new version failed to load at the last reload, while the old one serves. */
  readonly reloadErrors = new Map<string, DaemonError>();

  constructor(
    private readonly logger: Logger,
    /** Resolves downloads (https://, oci://) before a host loads; absent, paths are local files. */
    readonly sources?: EntrySources,
  ) {}

  /** Creates a host per entry and starts them all in parallel; resolves once every one has settled. */
  load(config: PlugdConfig): Promise<void> {
    for (const entry of config.providers) this.hosts.set(entry.name, this.create(entry));
    return Promise.all([...this.hosts.values()].map((h) => h.start())).then(() => undefined);
  }

  create(entry: ProviderEntry): PluginHost {
    const sources = this.sources;
    if (!sources) return createHost(entry, this.logger);
    const prepare = (e: ProviderEntry) => sources.prepare(e);
    // A file still to be downloaded decides the kind of its host only once it is there.
    if (isRemotePath(entry.path) && !entry.origin) return new SourcedHost(entry, this.logger, prepare, (e) => createHost(e, this.logger));
    return createHost(entry, this.logger, prepare);
  }

  /** Makes `hosts` the serving set, in that order (a reload's swap; callers retire what left). */
  replaceAll(hosts: PluginHost[]): void {
    this.hosts.clear();
    for (const host of hosts) this.hosts.set(host.name, host);
  }

  get(name: string): PluginHost | undefined {
    return this.hosts.get(name);
  }

  list(): PluginHost[] {
    return [...this.hosts.values()];
  }

  get pending(): number {
    return this.list().reduce((n, h) => n + h.pending, 0);
  }

  status(): PluginStatus[] {
    return this.list().map((h) => hostStatus(h, 'provider', this.reloadErrors.get(h.name) ?? null));
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.list().map((h) => h.drain(timeoutMs)));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.list().map((h) => h.dispose()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** One host's `daemon/status` entry (a provider's, or a tool plugin's with its source's state and error). */
export function hostStatus(h: PluginHost, kind: PluginStatus['kind'], reloadError: DaemonError | null): PluginStatus {
  return {
    name: h.name,
    kind,
    type: h.type,
    source: h.entry.resolvedPath,
    origin: h.entry.origin ?? null,
    state: publicState(h.state),
    error: h.failure ? toErrorInfo(h.failure) : null,
    reloadError: reloadError ? toErrorInfo(reloadError) : null,
    pluginName: h.info?.name ?? null,
    loadTimeMs: h.loadTimeMs,
    readyAt: h.readyAt?.toISOString() ?? null,
    threads: h.entry.threads,
    isolation: h.isolation,
    timeoutMs: h.entry.timeoutMs,
    calls: h.stats.calls,
    errors: h.stats.errors,
    restarts: h.restarts,
  };
}
