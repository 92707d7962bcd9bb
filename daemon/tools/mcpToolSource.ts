import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ToolPluginInfo } from '../../protocol/tools.js';
import type { CancelSignal } from '../cancelSignal.js';
import type { McpEntry } from '../config/schema.js';
import { DaemonError, PluginCallError } from '../errors.js';
import type { Logger } from '../log.js';
import { InFlight } from '../plugins/inFlight.js';
import { VERSION } from '../version.js';
import { isObject, normalizeToolOutput } from './declarations.js';
import { compileConfigSchema } from '../providers/configValidator.js';
import { loadMcpSdk, type McpSdk } from './mcpSdk.js';
import type { CommandSpec, SourceChange, ToolOutput, ToolSource, ToolSpec } from './toolSource.js';

/** Separates an MCP server's name from its tools' names: server `fs`, tool `read_file` → `fs__read_file`. */
const MCP_PREFIX_SEPARATOR = '__';

interface CheckedSchema {
  /** The schema as JSON text, to tell a changed one. */
  text: string;
  /** The schema, or null when it could not be compiled (the tool is left out). */
  schema: Record<string, unknown> | null;
}
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 5_000;

const NONE_APPROVED: ReadonlySet<string> = new Set();

/** An `[[mcp]]` entry's identity: a reload restarts the server exactly when this changes. */
export function mcpFingerprint(entry: McpEntry): string {
  return JSON.stringify(entry);
}

/**
 * An MCP server as a tool source, through @modelcontextprotocol/sdk's client: started as a child
 * process on stdio, or reached over streamable HTTP. Its tools are prefixed with the server's
 * name; it follows `notifications/tools/list_changed`; when the connection drops (the process
 * died) it reconnects with a growing delay (100 ms doubling to 5 s) until it is disposed.
 */
export class McpToolSource implements ToolSource {
  readonly kind = 'mcp' as const;
  readonly origin = 'config' as const;
  readonly configSchema = null;
  readonly defaultConfig: Record<string, unknown> = {};
  readonly fingerprint: string;
  onChange: ((reason: SourceChange) => void) | null = null;
  private client: Client | null = null;
  private status: ToolPluginInfo['state'] = 'loading';
  private failure: DaemonError | null = null;
  private declared: ToolSpec[] = [];
  /** Prefixed name → the server's own name. */
  private remote = new Map<string, string>();
  /** Prefixed name → its input schema as last listed, and whether it compiled (the compiled validator is cached on the object). */
  private schemas = new Map<string, CheckedSchema>();
  private instructions: string | null = null;
  private startup: Promise<void> | null = null;
  /** The client of a connection being made: disposing closes it too, so a stop does not wait for a slow server. */
  private connecting: Client | null = null;
  private sdk: McpSdk | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RESTART_MIN_MS;
  private disposed = false;
  /** Child process ids, for diagnostics (tests kill them to check restarts). */
  pid: number | null = null;
  private readonly inFlight = new InFlight();

  constructor(
    readonly entry: McpEntry,
    private readonly logger: Logger,
  ) {
    this.fingerprint = mcpFingerprint(entry);
  }

  get name(): string {
    return this.entry.name;
  }

  get source(): string {
    const t = this.entry.transport;
    return t.type === 'http' ? t.url : [t.command, ...t.args].join(' ');
  }

  state(): ToolPluginInfo['state'] {
    return this.status;
  }
  error(): DaemonError | null {
    return this.failure;
  }
  tools(): ToolSpec[] {
    return this.declared;
  }
  autoApproved(): ReadonlySet<string> {
    // MCP's readOnlyHint is a hint from the server, not a grant: nothing is approved by itself.
    return NONE_APPROVED;
  }
  systemInstructions(): string | null {
    return this.instructions;
  }
  commands(): CommandSpec[] {
    return [];
  }

  start(): Promise<void> {
    this.startup ??= this.connect();
    return this.startup;
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    const sdk = (this.sdk ??= await loadMcpSdk());
    const client = new sdk.Client({ name: 'plugd', version: VERSION }, { capabilities: {} });
    const t = this.entry.transport;
    this.connecting = client;
    try {
      let transport: StdioClientTransport | StreamableHTTPClientTransport;
      let stdio: StdioClientTransport | null = null;
      if (t.type === 'stdio') {
        stdio = new sdk.StdioClientTransport({ command: t.command, args: t.args, env: { ...sdk.getDefaultEnvironment(), ...t.env }, cwd: t.cwd, stderr: 'pipe' });
        stdio.stderr?.on('data', (d: Buffer) => {
          for (const line of d.toString('utf8').split('\n')) if (line.trim()) this.logger.debug(`mcp:${this.name}: ${line}`);
        });
        transport = stdio;
      } else {
        transport = new sdk.StreamableHTTPClientTransport(new URL(t.url));
      }
      await client.connect(transport, { timeout: this.entry.timeoutMs });
      // Disposed while connecting (a reload removed it, the daemon is stopping): do not keep it.
      if (this.disposed) throw new Error('the source was stopped while it connected');
      this.pid = stdio?.pid ?? null;
      this.client = client;
      this.instructions = client.getInstructions()?.trim() || null;
      client.setNotificationHandler(sdk.ToolListChangedNotificationSchema, () => {
        void this.refresh().then(
          () => this.onChange?.('listChanged'),
          (error: Error) => this.logger.warn(`mcp:${this.name}: tools/list after list_changed failed: ${error.message}`),
        );
      });
      client.onclose = () => this.dropped(client);
      await this.refresh();
      if (this.disposed) throw new Error('the source was stopped while it connected');
      this.status = 'ready';
      this.failure = null;
      this.retryDelay = RESTART_MIN_MS;
      this.logger.info(`mcp:${this.name}: connected (${this.declared.length} tools)`);
    } catch (error) {
      client.onclose = undefined;
      await client.close().catch(() => undefined);
      if (this.client === client) this.client = null;
      if (this.disposed) return;
      this.down(`cannot connect to MCP server "${this.name}" (${this.source}): ${(error as Error).message}`);
    } finally {
      if (this.connecting === client) this.connecting = null;
    }
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const tools: ToolSpec[] = [];
    const remote = new Map<string, string>();
    const schemas = new Map<string, CheckedSchema>();
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.entry.timeoutMs });
      for (const tool of page.tools) {
        const name = `${this.name}${MCP_PREFIX_SEPARATOR}${tool.name}`;
        const text = JSON.stringify(tool.inputSchema);
        let checked = this.schemas.get(name);
        // A schema the last list had already went through this (a list change, a reconnect).
        if (checked?.text !== text) {
          checked = { text, schema: tool.inputSchema as Record<string, unknown> };
          try {
            // Compiled now (and kept) so that a schema the validator cannot use drops that one
            // tool here, with the reason, instead of failing every call of it.
            compileConfigSchema(checked.schema!);
          } catch (error) {
            this.logger.warn(`mcp:${this.name}: tool "${tool.name}" is left out: its inputSchema is not a JSON Schema plugd can check arguments with (${(error as Error).message})`);
            checked.schema = null;
          }
        }
        schemas.set(name, checked);
        if (!checked.schema) continue;
        remote.set(name, tool.name);
        const spec: ToolSpec = { name, inputSchema: checked.schema };
        if (tool.description !== undefined) spec.description = tool.description;
        if (tool.outputSchema) spec.outputSchema = tool.outputSchema as Record<string, unknown>;
        if (tool.annotations) spec.annotations = tool.annotations as ToolSpec['annotations'];
        tools.push(spec);
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.declared = tools;
    this.remote = remote;
    this.schemas = schemas;
  }

  /** The connection closed: unless we are stopping, the server died; start it again. */
  private dropped(client: Client): void {
    if (this.client !== client || this.disposed) return;
    this.client = null;
    this.pid = null;
    this.logger.warn(`mcp:${this.name}: the server went away; restarting it`);
    this.down(`MCP server "${this.name}" went away; restarting it`);
    this.onChange?.('restart');
  }

  private down(message: string): void {
    // Said once per distinct reason, not at every retry of a server that stays down.
    if (this.failure?.message !== message) this.logger.warn(`mcp:${this.name}: ${message}; retrying in ${this.retryDelay} ms (and backing off to ${RESTART_MAX_MS} ms)`);
    this.status = 'restarting';
    this.failure = new DaemonError('TOOL_SOURCE_UNAVAILABLE', message, { plugin: this.name, reason: message });
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      void this.connect().then(() => {
        if (this.status === 'ready') this.onChange?.('restart');
      });
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, RESTART_MAX_MS);
  }

  async initialize(): Promise<void> {
    // An MCP server has no per-exposure lifecycle: it was initialized when it connected.
  }

  async shutdown(): Promise<void> {}

  async callTool(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<ToolOutput> {
    const client = this.client;
    const remote = this.remote.get(name);
    if (!client || this.status !== 'ready' || remote === undefined) {
      throw new DaemonError('TOOL_SOURCE_UNAVAILABLE', this.failure?.message ?? `MCP server "${this.name}" is not connected`, { plugin: this.name, tool: name, reason: this.failure?.message ?? 'not connected' });
    }
    const abort = new AbortController();
    const unsubscribe = signal.onAbort(() => abort.abort());
    this.inFlight.begin();
    try {
      const result = await client.callTool({ name: remote, arguments: args }, undefined, { signal: abort.signal, timeout: this.entry.timeoutMs });
      const fail = (message: string) => new PluginCallError('PLUGIN_OUTPUT', `MCP server "${this.name}": ${name}: ${message}`, { plugin: this.name, tool: name });
      if (!isObject(result) || !Array.isArray(result.content)) throw fail('expected a CallToolResult with a "content" array');
      return normalizeToolOutput(result, fail);
    } catch (error) {
      throw this.callError(error, name, signal);
    } finally {
      unsubscribe();
      this.inFlight.end();
    }
  }

  get pending(): number {
    return this.inFlight.size;
  }

  drain(timeoutMs: number): Promise<void> {
    return this.inFlight.idle(timeoutMs);
  }

  hostStatus(): null {
    return null;
  }

  private callError(error: unknown, tool: string, signal: CancelSignal): Error {
    if (error instanceof DaemonError) return error;
    const { McpError, ErrorCode } = this.sdk!;
    if (signal.aborted) return new PluginCallError('CANCELLED', `${tool} on MCP server "${this.name}" was cancelled`, { plugin: this.name, tool });
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new PluginCallError('PLUGIN_TIMEOUT', `MCP server "${this.name}": ${tool} ran longer than ${this.entry.timeoutMs} ms (timeout_ms)`, { plugin: this.name, tool, timeoutMs: this.entry.timeoutMs });
    }
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      return new DaemonError('TOOL_SOURCE_UNAVAILABLE', `MCP server "${this.name}" went away during ${tool}`, { plugin: this.name, tool, reason: 'connection closed' });
    }
    return new PluginCallError('PLUGIN_ERROR', `MCP server "${this.name}": ${tool}: ${(error as Error)?.message ?? String(error)}`, { plugin: this.name, tool });
  }

  async runCommand(name: string): Promise<{ text: string; isError: boolean }> {
    throw new DaemonError('UNKNOWN_COMMAND', `MCP server "${this.name}" has no user command "${name}"`, { plugin: this.name });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.status = 'stopped';
    const client = this.client;
    this.client = null;
    if (client) {
      client.onclose = undefined;
      await client.close().catch(() => undefined);
    }
    await this.connecting?.close().catch(() => undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
