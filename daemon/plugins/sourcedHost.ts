import type { ReadyResult } from '../../workers/messages.js';
import type { ProviderEntry } from '../config/schema.js';
import { PluginLoadError } from '../errors.js';
import type { Logger } from '../log.js';
import { type CallOptions, PluginHost } from './pluginHost.js';

/**
 * A plugin whose file is downloaded first (an https:// or oci:// path). Whether it is a Wasm
 * module or a native library is known only once the file is there, so this host downloads it
 * (`prepare`, the first step of every host's load), then creates the host for that kind of file
 * and serves through it. Meanwhile it is listed, `loading`, and calls wait for it like for any
 * plugin that is loading. A failure of the inner host after it loaded (its crash budget spent)
 * is this host's failure.
 */
export class SourcedHost extends PluginHost {
  private inner: PluginHost | null = null;

  constructor(
    entry: ProviderEntry,
    logger: Logger,
    prepare: (entry: ProviderEntry) => Promise<void>,
    private readonly createInner: (entry: ProviderEntry) => PluginHost,
  ) {
    super(entry, logger, prepare);
  }

  override get isolation(): 'process' | 'thread' | null {
    return this.inner?.isolation ?? null;
  }

  override get restarts(): number {
    return this.stats.restarts + (this.inner?.restarts ?? 0);
  }

  protected get live(): boolean {
    const state = this.inner?.state;
    return state === 'ready' || state === 'draining';
  }

  protected async open(): Promise<ReadyResult> {
    const inner = this.createInner(this.entry);
    this.inner = inner;
    await inner.start();
    this.type = inner.type;
    this.fingerprint = inner.fingerprint;
    if (inner.failure || !inner.info) throw inner.failure ?? new PluginLoadError('PLUGIN_LOAD', `${this.entry.resolvedPath}: the plugin did not load`, { plugin: this.name });
    inner.onFailure = (error) => this.fail(error);
    return inner.info;
  }

  protected dispatch(fn: string, input: string | null, options: CallOptions): Promise<string | null> {
    if (!this.inner) throw this.unavailable();
    return this.inner.call(fn, input, options);
  }

  protected async close(): Promise<void> {
    const inner = this.inner;
    if (!inner) return;
    inner.onFailure = null;
    await inner.dispose();
  }
}
