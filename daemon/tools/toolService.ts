import type { UserCommand } from '../../protocol/commands.js';
import type { PluginStatus } from '../../protocol/daemon.js';
import type { PermissionOutcome, PermissionsRequest } from '../../protocol/permissions.js';
import type { ExposeOutcome, ToolCallResult, ToolDeclaration, ToolNameCollision, ToolPluginInfo, ToolsDidChangeNotification } from '../../protocol/tools.js';
import type { CancelSignal } from '../cancelSignal.js';
import type { McpEntry, PermissionPolicy, PlugdConfig, ToolEntry } from '../config/schema.js';
import { TOOL_DEFAULTS } from '../config/toolSections.js';
import { DaemonError, toErrorInfo } from '../errors.js';
import type { Logger } from '../log.js';
import { validatePluginConfig } from '../providers/configValidator.js';
import { validateToolArguments } from './argValidator.js';
import { discoverPlugins } from './discover.js';
import { mcpFingerprint, McpToolSource } from './mcpToolSource.js';
import { decide, callSignature } from './permissionPolicy.js';
import type { SourceChange, ToolSource, ToolSpec } from './toolSource.js';
import { PluginToolSource } from './pluginToolSource.js';
import { currentFingerprint } from '../plugins/fingerprint.js';
import { drainReplaced } from '../plugins/drainReplaced.js';

/** Who is calling: the connection, for `permissions/request` and remembered decisions. */
export interface Caller {
  /** The session's id (remembered `allowAlways`/`denyAlways` are per connection). */
  id: number;
  /** Asks the caller's client; see askClient.ts. */
  ask(params: PermissionsRequest.Params, signal: CancelSignal): Promise<PermissionOutcome>;
}

/** One source the config asks for, before it is created: a reload compares its identity first. */
type Planned = { mcp: false; entry: ToolEntry } | { mcp: true; entry: McpEntry };

interface Exposed {
  config: Record<string, unknown>;
  /** Exposed because its entry says `expose = true` (not by a client's tools/expose). */
  byConfig: boolean;
}

const defaultPolicy: PermissionPolicy = { default: TOOL_DEFAULTS.permission, allow: [], deny: [], allowCalls: [], denyCalls: [], askTimeoutMs: TOOL_DEFAULTS.askTimeoutMs };

/**
 * The tool plugins (Wasm or native `[[tools]]`, files in `plugins_dir`, `[[mcp]]` servers), which of them
 * are exposed, the index of exposed tool names, and the call path: arguments checked against the
 * tool's input schema, then the permission policy, then the plugin. Exposure changes run one at
 * a time; every change of the exposed tool set is announced with `tools/didChange`.
 */
export class ToolService implements AsyncDisposable {
  private sources = new Map<string, ToolSource>();
  /** Sources a reload has created and is starting, not adopted yet: a dispose stops them too. */
  private readonly starting = new Set<ToolSource>();
  private readonly exposed = new Map<string, Exposed>();
  /** Exposed tool name → its owner. */
  private index = new Map<string, { source: ToolSource; spec: ToolSpec }>();
  private policy: PermissionPolicy = defaultPolicy;
  /** Per connection: tool → remembered decision (`allowAlways` true, `denyAlways` false). */
  private readonly remembered = new Map<number, Map<string, boolean>>();
  private queue: Promise<unknown> = Promise.resolve();
  private lastAnnounced = '';
  private disposed = false;

  constructor(
    private readonly logger: Logger,
    private readonly announce: (params: ToolsDidChangeNotification.Params) => void,
  ) {}

  private loaded: Promise<void> = Promise.resolve();

  /** Resolves once the initial load (every source started, configured ones exposed) is done. */
  ready(): Promise<void> {
    // A load that failed is reported where it failed (the sources' own state); requests still answer.
    return this.loaded.catch(() => undefined);
  }

  /** Creates and starts every source of `config`, then exposes those marked `expose`. */
  load(config: PlugdConfig): Promise<void> {
    return (this.loaded = this.serial(async () => {
      this.policy = config.permissions ?? defaultPolicy;
      for (const planned of this.plan(config)) this.adopt(this.create(planned));
      await Promise.all([...this.sources.values()].map((s) => s.start()));
      if (this.disposed) return;
      await this.exposeConfigured(config, new Set(this.sources.keys()));
      this.lastAnnounced = JSON.stringify(this.list());
    }));
  }

  /**
   * Applies a reloaded config: removed sources are unexposed and stopped, changed ones replaced
   * (re-exposed with their config when they were exposed; a replacement that fails to load leaves
   * the old version serving), new ones started and exposed when marked.
   */
  reload(config: PlugdConfig): Promise<void> {
    return this.serial(async () => {
      if (this.disposed) return;
      this.policy = config.permissions ?? defaultPolicy;
      const wanted = this.plan(config);
      const names = new Set(wanted.map((p) => p.entry.name));
      const changed: string[] = [];
      for (const [name, old] of this.sources) {
        if (!names.has(name)) {
          await this.hide(old);
          void retire(old);
          this.sources.delete(name);
          this.exposeErrors.delete(name);
          changed.push(name);
        }
      }
      // New or changed sources whose exposure the config decides (`expose = true` and its config).
      const configDecides = new Set<string>();
      // Only new or changed entries are created: an unchanged one (same entry, same file) keeps
      // its serving version, without loading another.
      const fresh = new Map<string, ToolSource>();
      try {
        await Promise.all(
          wanted.map(async (planned) => {
            const old = this.sources.get(planned.entry.name);
            if (old && old.state() !== 'failed' && old.fingerprint === (await fingerprintOf(planned))) return;
            const source = this.create(planned);
            fresh.set(planned.entry.name, source);
            this.starting.add(source);
            if (this.disposed) return;
            await source.start();
          }),
        );
      } finally {
        for (const source of fresh.values()) this.starting.delete(source);
      }
      // The daemon stopped while they started: dispose() stopped them, none is adopted.
      if (this.disposed) return;
      for (const planned of wanted) {
        const source = fresh.get(planned.entry.name);
        if (!source) continue;
        const old = this.sources.get(source.name);
        if (old && old.state() !== 'failed' && source.state() === 'failed') {
          this.logger.error(`reload: tool plugin "${source.name}" failed to load, the last good version keeps serving: ${source.error()?.message}`);
          void source.dispose();
          continue;
        }
        const was = old ? this.exposed.get(old.name) : undefined;
        if (old) {
          await this.hide(old);
          void retire(old);
        }
        // A refusal was about the old version.
        this.exposeErrors.delete(source.name);
        this.adopt(source);
        changed.push(source.name);
        // Exposed by a client: the new version is exposed again with the client's config. Otherwise
        // the edited entry decides: its `expose` flag and its `[tools.config]`.
        if (was && !was.byConfig) await this.tryExpose(source, was.config);
        else configDecides.add(source.name);
      }
      await this.exposeConfigured(config, configDecides);
      this.rebuildOrder(wanted.map((p) => p.entry.name));
      this.announceIfChanged('reload', changed);
    });
  }

  /** The sources `config` asks for, in tools/available's order: `[[tools]]`, then `plugins_dir`, then `[[mcp]]`. */
  private plan(config: PlugdConfig): Planned[] {
    const tools: ToolEntry[] = [...(config.tools ?? [])];
    const taken = new Set([...tools.map((t) => t.name), ...(config.mcp ?? []).map((m) => m.name)]);
    if (config.pluginsDir) tools.push(...discoverPlugins(config.pluginsDir, taken, this.logger));
    return [...tools.map((entry) => ({ mcp: false as const, entry })), ...(config.mcp ?? []).map((entry) => ({ mcp: true as const, entry }))];
  }

  private create(planned: Planned): ToolSource {
    return planned.mcp ? new McpToolSource(planned.entry, this.logger) : new PluginToolSource(planned.entry, this.logger);
  }

  private adopt(source: ToolSource): void {
    this.sources.set(source.name, source);
    source.onChange = (reason) => void this.sourceChanged(source, reason);
  }

  private rebuildOrder(order: string[]): void {
    const sorted = new Map<string, ToolSource>();
    for (const name of order) {
      const source = this.sources.get(name);
      if (source) sorted.set(name, source);
    }
    this.sources = sorted;
  }

  private async exposeConfigured(config: PlugdConfig, only: Set<string>): Promise<void> {
    const marked = [...(config.tools ?? []), ...(config.mcp ?? [])].filter((e) => e.expose && only.has(e.name));
    for (const entry of marked) {
      const source = this.sources.get(entry.name);
      if (source) await this.tryExpose(source, source.defaultConfig, true);
    }
  }

  /** Exposes without throwing (config-driven exposure): failures are logged and shown in tools/available. */
  private async tryExpose(source: ToolSource, config: Record<string, unknown>, byConfig = false): Promise<void> {
    try {
      await this.show(source, config, byConfig);
    } catch (error) {
      this.logger.error(`tool plugin "${source.name}" could not be exposed: ${(error as Error).message}`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  available(): { plugins: ToolPluginInfo[]; collisions: ToolNameCollision[] } {
    const plugins = [...this.sources.values()].map((s) => {
      const error = s.error() ?? this.exposeErrors.get(s.name) ?? null;
      return {
        name: s.name,
        kind: s.kind,
        origin: s.origin,
        source: s.source,
        state: s.state(),
        exposed: this.exposed.has(s.name),
        tools: s.tools().map((t) => t.name),
        error: error ? toErrorInfo(error) : null,
        pid: s.pid,
      };
    });
    return { plugins, collisions: this.collisions() };
  }

  /**
   * The name clashes as they stand now: an exposed plugin's tools that another exposed plugin
   * owns (an MCP server whose list changed), and refused plugins whose rival still holds the name.
   */
  private collisions(): ToolNameCollision[] {
    const out: ToolNameCollision[] = [];
    for (const source of this.sources.values()) {
      if (this.exposed.has(source.name)) {
        for (const spec of source.tools()) {
          const owner = this.index.get(spec.name)?.source;
          if (owner && owner !== source) out.push({ tool: spec.name, owner: owner.name, plugin: source.name });
        }
        continue;
      }
      const refusal = this.exposeErrors.get(source.name);
      if (!(refusal instanceof CollisionError)) continue;
      const clash = refusal.collision;
      const holder = clash.kind === 'command' ? this.commandOwner(clash.tool, source)?.name : this.index.get(clash.tool)?.source.name;
      if (holder === clash.owner) out.push(clash);
    }
    return out;
  }

  /** Why the last attempt to expose each plugin failed (cleared when it is exposed, replaced or removed). */
  private readonly exposeErrors = new Map<string, DaemonError>();

  expose(plugin: string, config?: Record<string, unknown>): Promise<string[]> {
    return this.serial(async () => {
      const source = this.sourceOf(plugin);
      await source.start();
      const current = this.exposed.get(plugin);
      if (current && config === undefined) return source.tools().map((t) => t.name);
      try {
        await this.show(source, config ?? source.defaultConfig);
      } finally {
        // Re-exposing unexposes first: a failed re-expose changed the exposed tools too.
        this.announceIfChanged('expose', [plugin]);
      }
      return source.tools().map((t) => t.name);
    });
  }

  unexpose(plugin: string): Promise<boolean> {
    return this.serial(async () => {
      const source = this.sourceOf(plugin);
      const was = await this.hide(source);
      this.announceIfChanged('unexpose', [plugin]);
      return was;
    });
  }

  exposeAll(configs: Record<string, Record<string, unknown>> = {}): Promise<ExposeOutcome[]> {
    return this.serial(async () => {
      const outcomes: ExposeOutcome[] = [];
      const unknown = Object.keys(configs).find((name) => !this.sources.has(name));
      if (unknown !== undefined) throw new DaemonError('UNKNOWN_TOOL_PLUGIN', `tools/exposeAll: configs names "${unknown}", which is not a tool plugin (see tools/available)`, { plugin: unknown });
      for (const source of this.sources.values()) {
        if (this.exposed.has(source.name)) continue;
        await source.start();
        try {
          await this.show(source, configs[source.name] ?? source.defaultConfig);
          outcomes.push({ plugin: source.name, exposed: true, error: null });
        } catch (error) {
          outcomes.push({ plugin: source.name, exposed: false, error: toErrorInfo(error) });
        }
      }
      this.announceIfChanged('expose', outcomes.filter((o) => o.exposed).map((o) => o.plugin));
      return outcomes;
    });
  }

  unexposeAll(): Promise<string[]> {
    return this.serial(async () => {
      const names = [...this.exposed.keys()];
      for (const name of names) {
        const source = this.sources.get(name);
        if (source) await this.hide(source);
      }
      this.announceIfChanged('unexpose', names);
      return names;
    });
  }

  list(): ToolDeclaration[] {
    const out: ToolDeclaration[] = [];
    for (const source of this.sources.values()) {
      if (!this.exposed.has(source.name)) continue;
      const approved = source.autoApproved();
      for (const spec of source.tools()) {
        if (this.index.get(spec.name)?.source !== source) continue;
        out.push({ ...spec, plugin: source.name, autoApproved: approved.has(spec.name) });
      }
    }
    return out;
  }

  systemInstructions(): { text: string; plugins: string[] } {
    const parts: Array<[string, string]> = [];
    for (const source of this.sources.values()) {
      const text = this.exposed.has(source.name) ? source.systemInstructions() : null;
      if (text) parts.push([source.name, text]);
    }
    return { text: parts.map(([, t]) => t).join('\n\n'), plugins: parts.map(([p]) => p) };
  }

  commands(): UserCommand[] {
    const out: UserCommand[] = [];
    for (const source of this.sources.values()) {
      if (!this.exposed.has(source.name)) continue;
      // Names are unique across exposed plugins: exposing refuses a plugin whose command is taken.
      for (const command of source.commands()) out.push({ ...command, plugin: source.name });
    }
    return out;
  }

  async runCommand(name: string, args: Record<string, unknown>, signal: CancelSignal): Promise<{ text: string; isError: boolean; shareWithModel: boolean; plugin: string }> {
    const command = this.commands().find((c) => c.name === name);
    if (!command) throw new DaemonError('UNKNOWN_COMMAND', `no exposed tool plugin has a user command "${name}" (see commands/list)`);
    const missing = (command.parameters ?? []).find((p) => p.required && !(p.name in args));
    if (missing) throw new DaemonError('INVALID_TOOL_ARGUMENTS', `command "${name}": missing required argument "${missing.name}"`, { plugin: command.plugin, path: `args.${missing.name}`, expected: 'a value' });
    const source = this.sourceOf(command.plugin);
    const result = await source.runCommand(name, args, signal);
    return { ...result, shareWithModel: command.shareWithModel, plugin: command.plugin };
  }

  /** One tool call: arguments, permission, then the plugin. */
  async call(name: string, args: Record<string, unknown>, caller: Caller, signal: CancelSignal): Promise<ToolCallResult> {
    const owner = this.index.get(name);
    if (!owner) {
      const declaredBy = [...this.sources.values()].find((s) => s.tools().some((t) => t.name === name));
      if (declaredBy && !this.exposed.has(declaredBy.name)) {
        throw new DaemonError('TOOL_PLUGIN_NOT_EXPOSED', `tool "${name}" belongs to tool plugin "${declaredBy.name}", which is not exposed (tools/expose it first)`, { plugin: declaredBy.name, tool: name });
      }
      throw new DaemonError('UNKNOWN_TOOL', `no exposed tool is named "${name}" (see tools/list)`, { tool: name });
    }
    const { source, spec } = owner;
    validateToolArguments(name, source.name, spec.inputSchema, args);
    const permission = await this.permit(source, name, args, caller, signal);
    if (!permission.allowed) {
      const how = permission.source === 'denyList' ? `the deny list (${permission.pattern})` : permission.source === 'client' ? `the client (${permission.decision})` : permission.source;
      throw new DaemonError('PERMISSION_DENIED', `tool "${name}" was not allowed to run: denied by ${how}`, { plugin: source.name, tool: name, reason: permission.source });
    }
    // Asking can take a while: the plugin may have been unexposed or replaced meanwhile, or a
    // reload may have put the tool on the deny list. The call runs only on what is exposed now.
    if (permission.source === 'client') {
      if (this.index.get(name)?.source !== source) {
        throw new DaemonError('TOOL_PLUGIN_NOT_EXPOSED', `tool "${name}": tool plugin "${source.name}" was unexposed or replaced while the call waited for permission; call it again`, { plugin: source.name, tool: name });
      }
      const now = decide(this.policy, name, args, false, undefined);
      if (now !== 'ask' && !now.allowed && now.source === 'denyList') {
        throw new DaemonError('PERMISSION_DENIED', `tool "${name}" was not allowed to run: denied by the deny list (${now.pattern}), changed while the call waited`, { plugin: source.name, tool: name, reason: now.source });
      }
    }
    const output = await source.callTool(name, args, signal);
    return { ...output, plugin: source.name, permission };
  }

  private async permit(source: ToolSource, tool: string, args: Record<string, unknown>, caller: Caller, signal: CancelSignal): Promise<PermissionOutcome> {
    const verdict = decide(this.policy, tool, args, source.autoApproved().has(tool), this.remembered.get(caller.id)?.get(tool));
    if (verdict !== 'ask') return verdict;
    const outcome = await caller.ask({ tool, arguments: args, plugin: source.name, signature: callSignature(tool, args), timeoutMs: this.policy.askTimeoutMs }, signal);
    if (outcome.decision === 'allowAlways' || outcome.decision === 'denyAlways') {
      let memory = this.remembered.get(caller.id);
      if (!memory) this.remembered.set(caller.id, (memory = new Map()));
      memory.set(tool, outcome.decision === 'allowAlways');
    }
    return outcome;
  }

  /** Forgets a closed connection's remembered decisions. */
  release(callerId: number): void {
    this.remembered.delete(callerId);
  }

  // ---------------------------------------------------------------------------------------------
  // Exposure

  private sourceOf(plugin: string): ToolSource {
    const source = this.sources.get(plugin);
    if (!source) throw new DaemonError('UNKNOWN_TOOL_PLUGIN', `no tool plugin is named "${plugin}" (see tools/available)`, { plugin });
    return source;
  }

  /** The exposed plugin other than `except` that offers user command `name`. */
  private commandOwner(name: string, except: ToolSource): ToolSource | undefined {
    for (const source of this.sources.values()) {
      if (source !== except && this.exposed.has(source.name) && source.commands().some((c) => c.name === name)) return source;
    }
    return undefined;
  }

  /** Runs `initialize` (after `shutdown` when already exposed) and indexes the tools; refuses a name collision. */
  private async show(source: ToolSource, config: Record<string, unknown>, byConfig = false): Promise<void> {
    try {
      await this.showUnchecked(source, config, byConfig);
      this.exposeErrors.delete(source.name);
    } catch (error) {
      if (error instanceof DaemonError) this.exposeErrors.set(source.name, error);
      throw error;
    }
  }

  private async showUnchecked(source: ToolSource, config: Record<string, unknown>, byConfig: boolean): Promise<void> {
    if (source.state() === 'failed' || source.state() === 'stopped') {
      const reason = source.error()?.message ?? 'it is stopped';
      throw new DaemonError('PLUGIN_FAILED', `tool plugin "${source.name}" cannot be exposed: ${reason}`, { plugin: source.name, reason });
    }
    if (source.configSchema) validatePluginConfig('tool plugin', source.name, source.configSchema, config);
    if (this.exposed.has(source.name)) await this.hide(source);
    try {
      await source.initialize(config);
    } catch (error) {
      // `initialize` may have run before the failure (its declarations were unreadable): undo it.
      await source.shutdown().catch(() => undefined);
      throw error;
    }
    const clash = this.clashOf(source);
    if (clash) {
      await source.shutdown().catch(() => undefined);
      throw clash;
    }
    for (const spec of source.tools()) this.index.set(spec.name, { source, spec });
    this.exposed.set(source.name, { config, byConfig });
    this.logger.info(`exposed tool plugin "${source.name}" (${source.tools().length} tools)`);
  }

  /** A tool or user command of `source` whose name an exposed plugin already has. */
  private clashOf(source: ToolSource): CollisionError | null {
    const tool = source.tools().find((t) => this.index.has(t.name) && this.index.get(t.name)!.source !== source);
    if (tool) {
      const owner = this.index.get(tool.name)!.source.name;
      return new CollisionError(
        `tool plugin "${source.name}" declares tool "${tool.name}", which tool plugin "${owner}" already exposes; unexpose "${owner}" first or rename the tool`,
        { tool: tool.name, owner, plugin: source.name },
      );
    }
    for (const command of source.commands()) {
      const owner = this.commandOwner(command.name, source)?.name;
      if (owner === undefined) continue;
      return new CollisionError(
        `tool plugin "${source.name}" declares user command "${command.name}", which exposed tool plugin "${owner}" already has; unexpose "${owner}" first or rename the command`,
        { tool: command.name, owner, plugin: source.name, kind: 'command' },
      );
    }
    return null;
  }

  /** Removes the plugin's tools and runs its `shutdown`; false when it was not exposed. */
  private async hide(source: ToolSource): Promise<boolean> {
    if (!this.exposed.has(source.name)) return false;
    this.exposed.delete(source.name);
    for (const [name, owner] of this.index) if (owner.source === source) this.index.delete(name);
    try {
      await source.shutdown();
    } catch (error) {
      this.logger.warn(`tool plugin "${source.name}": shutdown failed: ${(error as Error).message}`);
    }
    this.logger.info(`unexposed tool plugin "${source.name}"`);
    return true;
  }

  /** An MCP server's tool list changed or it restarted: re-index its tools. */
  private sourceChanged(source: ToolSource, reason: SourceChange): Promise<void> {
    return this.serial(async () => {
      if (this.disposed || this.sources.get(source.name) !== source) return;
      if (this.exposed.has(source.name)) {
        for (const [name, owner] of this.index) if (owner.source === source) this.index.delete(name);
        this.indexTools(source, true);
      }
      this.announceIfChanged(reason, [source.name], true);
    });
  }

  /** Indexes the tools of an exposed plugin whose names no other plugin holds; the others wait (tools/available's collisions). */
  private indexTools(source: ToolSource, warn: boolean): void {
    for (const spec of source.tools()) {
      const other = this.index.get(spec.name);
      if (other && other.source !== source) {
        if (warn) this.logger.warn(`tool plugin "${source.name}": tool "${spec.name}" collides with "${other.source.name}" and is not exposed`);
        continue;
      }
      this.index.set(spec.name, { source, spec });
    }
  }

  private announceIfChanged(reason: ToolsDidChangeNotification.Params['reason'], plugins: string[], always = false): void {
    // Every change ends here. A tool an MCP server could not expose because another plugin held
    // its name takes the name once that plugin has let go of it (not while it is re-exposed).
    for (const source of this.sources.values()) if (this.exposed.has(source.name)) this.indexTools(source, false);
    const tools = this.list();
    const key = JSON.stringify(tools);
    if (key === this.lastAnnounced && !always) return;
    this.lastAnnounced = key;
    this.announce({ reason, plugins, tools: tools.map((t) => t.name) });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The `daemon/status` entries of the tool plugins hosted in this daemon (Wasm and native files,
   * `kind: 'tool'`), in tools/available's order; MCP servers are in tools/available only.
   */
  status(): PluginStatus[] {
    return [...this.sources.values()].flatMap((s) => s.hostStatus() ?? []);
  }

  /** Tool calls in flight, on every tool plugin and MCP server. */
  get pending(): number {
    return [...this.sources.values()].reduce((n, s) => n + s.pending, 0);
  }

  /** Waits (up to `timeoutMs`) for every tool plugin's and MCP server's calls in flight. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.drain(timeoutMs)));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.disposeSources();
    // Every source is stopped, those a reload is starting too, so the queue settles quickly.
    await this.queue;
    await this.disposeSources();
  }

  private async disposeSources(): Promise<void> {
    await Promise.all([...this.sources.values(), ...this.starting].map((s) => s.dispose().catch(() => undefined)));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** A refused exposure because a name is taken; `collision` is what tools/available reports. */
class CollisionError extends DaemonError {
  constructor(
    message: string,
    readonly collision: ToolNameCollision,
  ) {
    super('TOOL_NAME_COLLISION', message, collision.kind === 'command' ? { plugin: collision.plugin } : { plugin: collision.plugin, tool: collision.tool });
  }
}

/** Lets a replaced or removed source finish its calls in flight (bounded), then stops it. */
async function retire(source: ToolSource): Promise<void> {
  await drainReplaced(source);
  await source.dispose().catch(() => undefined);
}

/** The identity a planned source will have once loaded, computed without loading it. */
function fingerprintOf(planned: Planned): Promise<string> | string {
  return planned.mcp ? mcpFingerprint(planned.entry) : currentFingerprint(planned.entry);
}
