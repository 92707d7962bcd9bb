import type { ToolPluginInfo } from '../../protocol/tools.js';
import type { ToolEntry } from '../config/schema.js';
import type { CancelSignal } from '../cancelSignal.js';
import { DaemonError, PluginLoadError } from '../errors.js';
import type { Logger } from '../log.js';
import { WasmPluginHost } from '../plugins/wasmHost.js';
import { parseCommandOutput, parseCommands, parseNameList, parseToolDeclarations, parseToolOutput } from './declarations.js';
import type { CommandSpec, SourceChange, ToolOutput, ToolSource, ToolSpec } from './toolSource.js';

/**
 * A Wasm tool plugin (docs/plugin-abi.md, "Tool plugins"), hosted by the same WasmPluginHost as
 * providers: one piscina pool, timeouts, cancellation and crash policy. Its metadata exports are
 * read once it has loaded, and `tools` again after each `initialize`.
 */
export class WasmToolSource implements ToolSource {
  readonly kind = 'wasm' as const;
  readonly host: WasmPluginHost;
  onChange: ((reason: SourceChange) => void) | null = null;
  private declared: ToolSpec[] = [];
  private approved = new Set<string>();
  private instructions: string | null = null;
  private userCommands: CommandSpec[] = [];
  private failure: DaemonError | null = null;
  private startup: Promise<void> | null = null;

  constructor(
    readonly entry: ToolEntry,
    logger: Logger,
  ) {
    this.host = new WasmPluginHost(entry, logger);
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

  state(): ToolPluginInfo['state'] {
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
      if (!this.host.hasExport('tools')) throw new PluginLoadError('MISSING_EXPORT', `${where}: a tool plugin must export "tools" (and "call_tool")`, { plugin: this.name });
      await this.readTools();
      if (this.declared.length > 0 && !this.host.hasExport('call_tool')) {
        throw new PluginLoadError('MISSING_EXPORT', `${where}: the plugin declares tools but does not export "call_tool"`, { plugin: this.name });
      }
      if (this.host.hasExport('auto_approved_tools')) this.approved = new Set(parseNameList(this.name, where, 'auto_approved_tools', await this.host.call('auto_approved_tools', null)));
      if (this.host.hasExport('system_instructions')) this.instructions = (await this.host.call('system_instructions', null))?.trim() || null;
      if (this.host.hasExport('user_commands')) {
        this.userCommands = parseCommands(this.name, where, await this.host.call('user_commands', null));
        if (this.userCommands.length > 0 && !this.host.hasExport('run_command')) {
          throw new PluginLoadError('MISSING_EXPORT', `${where}: the plugin declares user commands but does not export "run_command"`, { plugin: this.name });
        }
      }
      this.ready = true;
    } catch (error) {
      this.failure = error instanceof DaemonError ? error : new PluginLoadError('PLUGIN_LOAD', `${where}: ${(error as Error).message}`, { plugin: this.name });
      await this.host.dispose();
    }
  }

  private async readTools(): Promise<void> {
    this.declared = parseToolDeclarations(this.name, this.entry.resolvedPath, await this.host.call('tools', null));
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
    if (this.host.hasExport('initialize')) await this.host.call('initialize', JSON.stringify(config));
    await this.readTools();
  }

  async shutdown(): Promise<void> {
    if (this.host.hasExport('shutdown')) await this.host.call('shutdown', null);
  }

  async callTool(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<ToolOutput> {
    const output = await this.host.call('call_tool', JSON.stringify({ name, arguments: args }), { signal });
    return parseToolOutput(this.name, name, output);
  }

  async runCommand(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<{ text: string; isError: boolean }> {
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
