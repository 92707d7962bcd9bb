import type { PluginType } from '../../protocol/daemon.js';
import type { LogRecord, ReadyResult, WorkerResult } from '../../workers/messages.js';
import type { ProviderEntry } from '../config/schema.js';
import type { CancelSignal } from '../cancelSignal.js';
import { DaemonError, PluginCallError, PluginLoadError } from '../errors.js';
import type { Logger } from '../log.js';
import { compileConfigSchema } from '../providers/configValidator.js';
import { CrashBudget } from './crashBudget.js';
import { fingerprintOf, readHashed } from './fingerprint.js';
import { InFlight } from './inFlight.js';

export type HostState = 'starting' | 'ready' | 'draining' | 'stopped' | 'failed';

export interface CallOptions {
  /** Aborting it cancels the call and stops the plugin's work (its worker is replaced). */
  signal?: CancelSignal;
  /** For streaming exports: receives each streamed chunk payload, in order. */
  onChunk?: (data: string) => void;
}

/**
 * One loaded plugin, whatever runs it: the lifecycle (starting → ready → draining → stopped, or
 * failed with the reason), the counters, the crash budget and the drain. A subclass supplies the
 * runtime: `open` loads it and answers the metadata exports, `dispatch` runs one call, `close`
 * stops it. The registry, the provider service and the reloader only see this class.
 */
export abstract class PluginHost implements AsyncDisposable {
  state: HostState = 'starting';
  type: PluginType | null = null;
  info: ReadyResult | null = null;
  /** The parsed output of `config_schema`, or null when the plugin exports none. */
  schema: Record<string, unknown> | null = null;
  failure: DaemonError | null = null;
  loadTimeMs: number | null = null;
  readyAt: Date | null = null;
  readonly stats = { calls: 0, errors: 0, restarts: 0 };
  /** This version's identity (config entry + file content), set once the file has been read. */
  fingerprint: string | null = null;

  protected readonly budget = new CrashBudget();
  private readonly inFlight = new InFlight();
  private startup: Promise<void> | null = null;

  constructor(
    readonly entry: ProviderEntry,
    protected readonly logger: Logger,
    /** Turns the entry's path into a local file before anything else (daemon/sources/). */
    private readonly prepare?: (entry: ProviderEntry) => Promise<void>,
  ) {}

  get name(): string {
    return this.entry.name;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  /** Times the runtime was restarted (a crash, or a call stopped by a timeout or cancel). */
  get restarts(): number {
    return this.stats.restarts;
  }

  /** How the plugin is isolated from the daemon, for status: null for Wasm (always a worker thread). */
  get isolation(): 'process' | 'thread' | null {
    return null;
  }

  /** Loads the runtime and answers the metadata exports; the runtime is up when this resolves. */
  protected abstract open(): Promise<ReadyResult>;
  /** Runs one call on the runtime. */
  protected abstract dispatch(fn: string, input: string | null, options: CallOptions): Promise<string | null>;
  /** Stops the runtime (after a failure, a dispose, or a load that is no longer wanted). */
  protected abstract close(): Promise<void>;
  /** Whether the runtime is up (the state alone does not say: a failed load leaves none). */
  protected abstract get live(): boolean;

  /** Loads the plugin (once). Never rejects: a failure leaves the host `failed` with the reason. */
  start(): Promise<void> {
    this.startup ??= this.load();
    return this.startup;
  }

  private async load(): Promise<void> {
    const began = performance.now();
    try {
      await this.prepare?.(this.entry);
      const info = await this.open();
      let schema: Record<string, unknown> | null;
      try {
        schema = this.parseSchema(info.configSchema);
      } catch (error) {
        await this.close();
        throw error;
      }
      if (this.state !== 'starting') {
        await this.close();
        return;
      }
      this.schema = schema;
      this.info = info;
      this.loadTimeMs = Math.round(performance.now() - began);
      this.readyAt = new Date();
      this.state = 'ready';
      this.logger.info(`loaded plugin "${this.name}" (${info.name}) from ${this.entry.resolvedPath} in ${this.loadTimeMs} ms`);
    } catch (error) {
      this.loadTimeMs = Math.round(performance.now() - began);
      // Disposed while loading: stopped is the outcome, not a failure to report.
      if (this.state === 'stopped') return;
      this.fail(error instanceof DaemonError ? error : new PluginLoadError('PLUGIN_LOAD', String((error as Error)?.message ?? error), { plugin: this.name }));
    }
  }

  /** The error for a plugin that did not finish loading within `start_timeout_ms`. */
  protected startTimeout(): PluginLoadError {
    return new PluginLoadError('START_TIMEOUT', `${this.entry.resolvedPath}: the plugin did not finish loading within ${this.entry.startTimeoutMs} ms (start_timeout_ms)`, {
      plugin: this.name,
      timeoutMs: this.entry.startTimeoutMs,
    });
  }

  /** The load error for a worker's answer to `describe` that is not `ready`. */
  protected loadFailure(result: Exclude<WorkerResult, ReadyResult>): PluginLoadError {
    const error = result.type === 'error' ? result.error : { code: 'PLUGIN_LOAD', message: 'unexpected worker answer', payload: undefined };
    // A plugin's own error, a trap or a crash while loading is a load failure.
    const code = ['PLUGIN_ERROR', 'PLUGIN_TRAP', 'PLUGIN_CRASHED'].includes(error.code) ? 'PLUGIN_LOAD' : error.code;
    return new PluginLoadError(code as 'PLUGIN_LOAD', `${this.entry.resolvedPath}: ${error.message}`, { plugin: this.name, ...(error.payload ? { payload: error.payload } : {}) });
  }

  /** Reads the plugin's file and records this version's fingerprint (a missing file is one too). */
  protected async readPluginFile(): Promise<Buffer> {
    const path = this.entry.resolvedPath;
    try {
      // Hashed once here: a reload asking whether this file changed need not read it again.
      const { bytes, hash } = await readHashed(path);
      this.fingerprint = fingerprintOf(this.entry, hash);
      return bytes;
    } catch (error) {
      this.fingerprint = fingerprintOf(this.entry, null);
      const code = (error as NodeJS.ErrnoException).code;
      throw new PluginLoadError('PLUGIN_NOT_FOUND', code === 'ENOENT' ? `${path}: plugin file not found` : `${path}: cannot read plugin file (${(error as Error).message})`, {
        plugin: this.name,
      });
    }
  }

  private parseSchema(text: string | null): Record<string, unknown> | null {
    if (text === null) return null;
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (error) {
      throw new PluginLoadError('PLUGIN_INVALID', `${this.entry.resolvedPath}: config_schema returned invalid JSON (${(error as Error).message})`, { plugin: this.name });
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new PluginLoadError('PLUGIN_INVALID', `${this.entry.resolvedPath}: config_schema must return a JSON Schema object`, { plugin: this.name });
    }
    try {
      compileConfigSchema(schema as Record<string, unknown>);
    } catch (error) {
      throw new PluginLoadError('PLUGIN_INVALID', `${this.entry.resolvedPath}: config_schema is not a valid JSON Schema (${(error as Error).message})`, { plugin: this.name });
    }
    return schema as Record<string, unknown>;
  }

  protected get serving(): boolean {
    return (this.state === 'ready' || this.state === 'draining') && this.live;
  }

  hasExport(fn: string): boolean {
    return this.info?.exports.includes(fn) ?? false;
  }

  /** Calls one export with JSON input; resolves with its output text. */
  async call(fn: string, input: string | null, options: CallOptions = {}): Promise<string | null> {
    // A draining host still takes the calls that reached it before it was replaced or the daemon
    // began to stop; the gate for new work is upstream (the registry and the session).
    if (!this.serving) throw this.unavailable();
    if (options.signal?.aborted) throw cancelled(this.name, fn);
    this.inFlight.begin();
    this.stats.calls++;
    try {
      return await this.dispatch(fn, input, options);
    } catch (error) {
      // A cancelled call is the client's choice, not the plugin's failure.
      if (!(error instanceof DaemonError && error.code === 'CANCELLED')) this.stats.errors++;
      throw error;
    } finally {
      this.inFlight.end();
    }
  }

  /**
   * The crash policy, shared by every runtime: counts a restart, and once the plugin has crashed
   * more than the budget allows in its window, marks it failed (until a reload) with the reason.
   * Returns the error for the call that was running.
   */
  protected crashed(message: string, reason: string): PluginCallError {
    this.stats.restarts++;
    const crash = new PluginCallError('PLUGIN_CRASHED', message, { plugin: this.name, reason });
    if (!this.budget.record()) {
      this.fail(
        new PluginLoadError('PLUGIN_FAILED', `plugin "${this.name}" crashed more than ${this.budget.maxCrashes} times in ${this.budget.windowMs / 1000} s; last: ${reason}`, {
          plugin: this.name,
          reason,
        }),
      );
    }
    return crash;
  }

  /** The error for a call this host cannot take in its current state. */
  unavailable(): DaemonError {
    if (this.state === 'starting') return new DaemonError('PLUGIN_NOT_READY', `plugin "${this.name}" is still loading`, { plugin: this.name });
    if (this.state === 'failed') {
      return new DaemonError('PLUGIN_FAILED', `plugin "${this.name}" failed: ${this.failure?.message ?? 'unknown reason'}`, {
        plugin: this.name,
        reason: this.failure?.message ?? 'unknown',
      });
    }
    return new DaemonError('SHUTTING_DOWN', `plugin "${this.name}" is ${this.state === 'draining' ? 'shutting down' : 'stopped'}`, { plugin: this.name });
  }

  /** Told when the host fails after it had loaded (a host wrapping this one follows it). */
  onFailure: ((error: DaemonError) => void) | null = null;

  protected fail(error: DaemonError): void {
    const wasLoaded = this.state !== 'starting';
    this.state = 'failed';
    this.failure = error;
    if (wasLoaded) this.onFailure?.(error);
    this.logger.error(`plugin "${this.name}" failed: ${error.message}`);
    void this.close().catch(() => undefined);
  }

  protected forwardLogs(records: LogRecord[]): void {
    for (const r of records) this.logger.log(r.level, `plugin:${this.name}${r.target && r.target !== this.name ? `:${r.target}` : ''}`, r.message);
  }

  /** Stops taking new calls and waits (up to `timeoutMs`) for calls in flight. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.state === 'ready') this.state = 'draining';
    await this.inFlight.idle(timeoutMs);
  }

  async dispose(): Promise<void> {
    if (this.state !== 'failed') this.state = 'stopped';
    await this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

export function cancelled(plugin: string, fn: string): PluginCallError {
  return new PluginCallError('CANCELLED', `${fn} on plugin "${plugin}" was cancelled`, { plugin });
}
