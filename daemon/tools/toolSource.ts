import type { PluginStatus } from '../../protocol/daemon.js';
import type { ToolCallResult, ToolDeclaration, ToolPluginInfo, ToolPluginKind } from '../../protocol/tools.js';
import type { UserCommand } from '../../protocol/commands.js';
import type { CancelSignal } from '../cancelSignal.js';
import type { DaemonError } from '../errors.js';

/** A tool as its source declares it (names already unique within the source). */
export type ToolSpec = Omit<ToolDeclaration, 'plugin' | 'autoApproved'>;

/** A user command as its source declares it. */
export type CommandSpec = Omit<UserCommand, 'plugin'>;

/** A tool call's outcome before the daemon adds `plugin` and `permission`. */
export type ToolOutput = Omit<ToolCallResult, 'plugin' | 'permission'>;

/** Why a source's declarations changed by themselves (not through expose/unexpose). */
export type SourceChange = 'listChanged' | 'restart';

/**
 * One tool plugin, whatever its kind: a Wasm plugin following the tool ABI, or an MCP server.
 * The tool service owns exposure; a source only knows how to load, run its lifecycle exports,
 * declare, and call.
 */
export interface ToolSource extends AsyncDisposable {
  readonly name: string;
  readonly kind: ToolPluginKind;
  readonly origin: 'config' | 'plugins_dir';
  /** The plugin file, the server command line, or the URL. */
  readonly source: string;
  /** This version's identity (entry + file); a reload replaces the source when it changes. */
  readonly fingerprint: string;
  /** The plugin's config schema, or null. */
  readonly configSchema: Record<string, unknown> | null;
  /** The config `initialize` gets when the plugin is exposed without one (its `[tools.config]`; `{}` for MCP). */
  readonly defaultConfig: Record<string, unknown>;
  /** The server's process id while an MCP server on stdio is connected; null otherwise. */
  readonly pid: number | null;
  /** Tool calls and user commands in flight. */
  readonly pending: number;
  /** Called by the source when its declarations change by themselves; set by the service. */
  onChange: ((reason: SourceChange) => void) | null;

  state(): ToolPluginInfo['state'];
  /** Why it failed or is down; null when healthy. */
  error(): DaemonError | null;
  /** Loads or connects (once). Never rejects: a failure shows in `state()`/`error()`. */
  start(): Promise<void>;
  tools(): ToolSpec[];
  autoApproved(): ReadonlySet<string>;
  systemInstructions(): string | null;
  commands(): CommandSpec[];
  /** Runs the plugin's `initialize` and re-reads its declarations (which may depend on the config). */
  initialize(config: Record<string, unknown>): Promise<void>;
  /** Runs the plugin's `shutdown`. */
  shutdown(): Promise<void>;
  callTool(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<ToolOutput>;
  runCommand(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<{ text: string; isError: boolean }>;
  /** Waits (up to `timeoutMs`) until no call is in flight. */
  drain(timeoutMs: number): Promise<void>;
  /** Its `daemon/status` entry when it is hosted in this daemon (Wasm, native); null for an MCP server. */
  hostStatus(): PluginStatus | null;
  dispose(): Promise<void>;
}
