import type { PluginStatus } from '../../protocol/daemon.js';
import type { ToolPluginInfo } from '../../protocol/tools.js';
import type { ToolEntry } from '../config/schema.js';
import type { CancelSignal } from '../cancelSignal.js';
import { DaemonError, PluginLoadError, toErrorInfo } from '../errors.js';
import type { Logger } from '../log.js';
import { createHost } from '../plugins/createHost.js';
import { NativePluginHost } from '../plugins/nativeHost.js';
import type { PluginHost } from '../plugins/pluginHost.js';
import { hostStatus } from '../plugins/registry.js';
import { symbolOf } from '../../workers/native/symbols.js';
import { parseCommandOutput, parseCommands, parseNameList, parseToolDeclarations, parseToolOutput } from './declarations.js';
import type { CommandSpec, SourceChange, ToolOutput, ToolSource, ToolSpec } from './toolSource.js';

/**
 * A tool plugin file (docs/plugin-abi.md, "Tool plugins"): a Wasm module or a native library,
 * hosted by the same host as a provider of that kind ({@link createHost}: a piscina pool, or
 * native workers in their own processes), with its timeouts, cancellation and crash policy. Its
 * metadata exports are read once it has loaded, and `tools` again after each `initialize`.
 */
export class PluginToolSource implements ToolSource {
  readonly kind: 'wasm' | 'native';
  readonly host: PluginHost;
  readonly pid = null;
  onChange: ((reason: SourceChange) => void) | null = null;
  private declared: ToolSpec[] = [];
  /** The `tools` output `declared` was parsed from. */
  private declaredText: string | null = null;
  private approved = new Set<string>();
  private instructions: string | null = null;
  private userCommands: CommandSpec[] = [];
  private failure: DaemonError | null = null;
  private startup: Promise<void> | null = null;

  constructor(
    readonly entry: ToolEntry,
    private readonly logger: Logger,
  ) {
    this.host = createHost(entry, logger);
    this.kind = this.host instanceof NativePluginHost ? 'native' : 'wasm';
  }

  get name(): string {
    return this.entry.name;
  }
  get origin(): ToolEntry['foundIn'] {
    return this.entry.foundIn;
  }
  get source(): string {
    return this.entry.resolvedPath;
  }
  get fingerprint(): string {
    return this.host.fingerprint ?? '';
  }
  get configSchema(): Record<string, unknown> | null {
    return this.host.schema;
  }
  get defaultConfig(): Record<string, unknown> {
    return this.entry.config;
  }
  get pending(): number {
    return this.host.pending;
  }

  drain(timeoutMs: number): Promise<void> {
    return this.host.drain(timeoutMs);
  }

  /** The tool plugin's own state and error (a plugin whose tool exports are unreadable is failed). */
  hostStatus(): PluginStatus {
    const error = this.error();
    return { ...hostStatus(this.host, 'tool', null), state: this.state(), error: error ? toErrorInfo(error) : null };
  }

  /** Never `restarting`: a host restarts its workers behind calls, and stays `ready` meanwhile. */
  state(): Exclude<ToolPluginInfo['state'], 'restarting'> {
    if (this.failure) return 'failed';
    switch (this.host.state) {
      case 'starting':
        return 'loading';
      case 'ready':
        return this.ready ? 'ready' : 'loading';
      case 'failed':
        return 'failed';
      default:
        return 'stopped';
    }
  }

  private ready = false;
  /** The config of the last `initialize`, and the host's restart count when it ran; null when not initialized. */
  private initialized: { config: Record<string, unknown>; restarts: number } | null = null;
  private reinit: Promise<void> | null = null;

  error(): DaemonError | null {
    return this.failure ?? this.host.failure;
  }

  start(): Promise<void> {
    this.startup ??= this.load();
    return this.startup;
  }

  private async load(): Promise<void> {
    await this.host.start();
    if (this.host.state !== 'ready') return;
    const where = this.entry.resolvedPath;
    try {
      if (!this.host.hasExport('tools')) throw new PluginLoadError('MISSING_EXPORT', `${where}: a tool plugin must export ${this.export('tools')} (and ${this.export('call_tool')})`, { plugin: this.name });
      await this.readTools();
      if (this.declared.length > 0 && !this.host.hasExport('call_tool')) {
        throw new PluginLoadError('MISSING_EXPORT', `${where}: the plugin declares tools but does not export ${this.export('call_tool')}`, { plugin: this.name });
      }
      if (this.host.hasExport('auto_approved_tools')) this.approved = new Set(parseNameList(this.name, where, 'auto_approved_tools', await this.host.call('auto_approved_tools', null)));
      if (this.host.hasExport('system_instructions')) this.instructions = (await this.host.call('system_instructions', null))?.trim() || null;
      if (this.host.hasExport('user_commands')) {
        this.userCommands = parseCommands(this.name, where, await this.host.call('user_commands', null));
        if (this.userCommands.length > 0 && !this.host.hasExport('run_command')) {
          throw new PluginLoadError('MISSING_EXPORT', `${where}: the plugin declares user commands but does not export ${this.export('run_command')}`, { plugin: this.name });
        }
      }
      this.ready = true;
    } catch (error) {
      this.failure = error instanceof DaemonError ? error : new PluginLoadError('PLUGIN_LOAD', `${where}: ${(error as Error).message}`, { plugin: this.name });
      await this.host.dispose();
    }
  }

  /** How the plugin's file names an export: the Wasm export, or the C function of a native library. */
  private export(fn: string): string {
    return this.kind === 'native' ? `"${symbolOf(fn)}"` : `"${fn}"`;
  }

  private async readTools(): Promise<void> {
    const text = await this.host.call('tools', null);
    // The same declarations as last time (the usual case on expose): keep their compiled schemas.
    if (text !== null && text === this.declaredText) return;
    this.declared = parseToolDeclarations(this.name, this.entry.resolvedPath, text);
    this.declaredText = text;
  }

  tools(): ToolSpec[] {
    return this.declared;
  }
  autoApproved(): ReadonlySet<string> {
    return this.approved;
  }
  systemInstructions(): string | null {
    return this.instructions;
  }
  commands(): CommandSpec[] {
    return this.userCommands;
  }

  async initialize(config: Record<string, unknown>): Promise<void> {
    this.initialized = null;
    const restarts = this.host.restarts;
    if (this.host.hasExport('initialize')) await this.host.call('initialize', JSON.stringify(config));
    await this.readTools();
    this.initialized = { config, restarts };
  }

  async shutdown(): Promise<void> {
    this.initialized = null;
    if (this.host.hasExport('shutdown')) await this.host.call('shutdown', null);
  }

  /**
   * A worker that crashed, overran or was cancelled is replaced by a fresh one that never saw
   * `initialize`: before the next call, run it again with the config the plugin was exposed with.
   * (The plugin's other in-memory state is gone; docs/plugin-abi.md, "State between calls".)
   */
  private async reinitialized(): Promise<void> {
    const was = this.initialized;
    if (!was || was.restarts === this.host.restarts || !this.host.hasExport('initialize')) return;
    this.reinit ??= (async () => {
      const restarts = this.host.restarts;
      this.logger.info(`tool plugin "${this.name}": its worker was restarted; running initialize again`);
      await this.host.call('initialize', JSON.stringify(was.config));
      if (this.initialized === was) this.initialized = { config: was.config, restarts };
    })().finally(() => (this.reinit = null));
    await this.reinit;
  }

  async callTool(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<ToolOutput> {
    await this.reinitialized();
    const output = await this.host.call('call_tool', JSON.stringify({ name, arguments: args }), { signal });
    return parseToolOutput(this.name, name, output);
  }

  async runCommand(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<{ text: string; isError: boolean }> {
    await this.reinitialized();
    const output = await this.host.call('run_command', JSON.stringify({ name, args }), { signal });
    return parseCommandOutput(this.name, name, output);
  }

  dispose(): Promise<void> {
    return this.host.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
