import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';
import type { ErrorInfo } from './daemon.js';
import type { PermissionOutcome } from './permissions.js';

/** One block of a tool result, in MCP's shape. Text is what plugd's own plugins produce. */
export type ToolContent =
  | {
      /** Plain text. */
      type: 'text';
      /** The text. */
      text: string;
    }
  | {
      /** Any other MCP content block (`image`, `audio`, `resource`, `resource_link`), passed through verbatim. */
      type: string;
      [field: string]: unknown;
    };

/** MCP tool annotations: hints about a tool's behaviour, never guarantees. */
export interface ToolAnnotations {
  /** A human-readable title. */
  title?: string;
  /** The tool does not modify its environment. */
  readOnlyHint?: boolean;
  /** The tool may perform destructive updates. */
  destructiveHint?: boolean;
  /** Calling it again with the same arguments has no further effect. */
  idempotentHint?: boolean;
  /** The tool interacts with an open world of external entities. */
  openWorldHint?: boolean;
  [hint: string]: unknown;
}

/** An exposed tool, in MCP's `Tool` shape plus where it comes from. */
export interface ToolDeclaration {
  /** The tool's name, unique across every exposed plugin (MCP tools are prefixed `SERVER__`). */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** A JSON Schema (an object schema) the call's `arguments` must satisfy. */
  inputSchema: Record<string, unknown>;
  /** A JSON Schema of `structuredContent`, when the tool declares one. */
  outputSchema?: Record<string, unknown>;
  /** MCP annotations, as the plugin declared them. */
  annotations?: ToolAnnotations;
  /** The tool plugin (or `[[mcp]]` server) that owns it. */
  plugin: string;
  /** Whether the plugin lists it in `auto_approved_tools` (it needs no permission unless denied). */
  autoApproved: boolean;
}

/** Where a tool plugin comes from: a Wasm module, a native shared library, or an MCP server. */
export type ToolPluginKind = 'wasm' | 'native' | 'mcp';

/** A tool name claimed by more than one plugin; only the first plugin exposed owns it. */
export interface ToolNameCollision {
  /** The contested name: a tool's, or a user command's when `kind` is `"command"`. */
  tool: string;
  /** `"command"` when the contested name is a user command's (names are unique across exposed plugins); absent for a tool. */
  kind?: 'command';
  /** The plugin that owns the name (exposed first). */
  owner: string;
  /** The plugin that was refused because it declares the same name. */
  plugin: string;
}

/** One discovered tool plugin. */
export interface ToolPluginInfo {
  /** The plugin's name: its `[[tools]]`/`[[mcp]]` name, or its file name without `.wasm` (or `.so`, `.dylib`, `.dll`) when discovered in `plugins_dir`. */
  name: string;
  /** A Wasm tool plugin, a native one (a shared library, docs/plugin-abi.md §14), or an MCP server. */
  kind: ToolPluginKind;
  /** How it was found: a config entry, or a file in `plugins_dir`. */
  origin: 'config' | 'plugins_dir';
  /** The plugin file, the server command, or the server URL. */
  source: string;
  /** `loading`, `ready`, `failed` (see `error`), `restarting` (an MCP server that died), or `stopped`. */
  state: 'loading' | 'ready' | 'failed' | 'restarting' | 'stopped';
  /** Whether its tools are exposed (listed by tools/list and callable). */
  exposed: boolean;
  /** The names of the tools it declares (exposed or not). */
  tools: string[];
  /** Why it failed to load, to expose, or why its server is down; null when healthy. */
  error: ErrorInfo | null;
  /** The process id of an MCP server started on stdio while it runs; null otherwise. */
  pid: number | null;
}

/** The discovered tool plugins and whether each is exposed. */
export namespace ToolsAvailableRequest {
  export const method = 'tools/available' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Every tool plugin: config entries first (in config order), then discovered ones, then MCP servers. */
    plugins: ToolPluginInfo[];
    /** Tool names declared by more than one plugin, and which plugin was refused. */
    collisions: ToolNameCollision[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

const configSchema = z.record(z.string(), z.unknown());

/**
 * Exposes one tool plugin: runs its `initialize(config)` and makes its tools callable. Exposing
 * an exposed plugin again with a config runs `shutdown` then `initialize` with the new config;
 * without a config it changes nothing. Fails with ToolNameCollision when one of its tools has
 * the name of an already exposed tool.
 */
export namespace ToolsExposeRequest {
  export const method = 'tools/expose' as const;
  export const paramsSchema = z.strictObject({
    /** The tool plugin's name (see tools/available). */
    plugin: z.string().min(1),
    /** Passed to the plugin's `initialize`; defaults to its `[tools.config]` table. */
    config: configSchema.optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The plugin's tools now exposed. */
    tools: string[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Hides a plugin's tools and runs its `shutdown`. Unexposing a plugin that is not exposed changes nothing. */
export namespace ToolsUnexposeRequest {
  export const method = 'tools/unexpose' as const;
  export const paramsSchema = z.strictObject({
    /** The tool plugin's name. */
    plugin: z.string().min(1),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Whether it was exposed before. */
    wasExposed: boolean;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** What happened to one plugin in tools/exposeAll. */
export interface ExposeOutcome {
  /** The plugin. */
  plugin: string;
  /** Whether it is exposed now. */
  exposed: boolean;
  /** Why it could not be exposed (a collision, a failed plugin, a failing `initialize`), or null. */
  error: ErrorInfo | null;
}

/** Exposes every ready tool plugin that is not exposed yet, in tools/available order; one failure does not stop the rest. */
export namespace ToolsExposeAllRequest {
  export const method = 'tools/exposeAll' as const;
  export const paramsSchema = z
    .strictObject({
      /** Configs by plugin name, for `initialize`; a plugin not named here gets its configured one. */
      configs: z.record(z.string(), configSchema).optional(),
    })
    .optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** One outcome per plugin that was not exposed before. */
    outcomes: ExposeOutcome[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Unexposes every exposed plugin (each gets its `shutdown`). */
export namespace ToolsUnexposeAllRequest {
  export const method = 'tools/unexposeAll' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The plugins that were exposed. */
    unexposed: string[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** The declarations of every exposed tool, in MCP's `tools/list` shape. */
export namespace ToolsListRequest {
  export const method = 'tools/list' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Exposed tools, grouped by plugin in tools/available order. */
    tools: ToolDeclaration[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** The result of one tool call, in MCP's `CallToolResult` shape, plus how its permission was decided. */
export interface ToolCallResult {
  /** What the tool produced. */
  content: ToolContent[];
  /** Structured output, when the tool gives one. */
  structuredContent?: Record<string, unknown>;
  /** True when the tool itself failed (the content says why); the call reached the tool. */
  isError: boolean;
  /** The plugin that ran the tool. */
  plugin: string;
  /** How the call was allowed. */
  permission: PermissionOutcome;
}

/**
 * Calls one exposed tool. `arguments` are checked against the tool's `inputSchema` first
 * (InvalidToolArguments); then the permission policy decides (PermissionDenied, possibly after a
 * `permissions/request` to this client). A tool's own failure is a result with `isError: true`.
 * Honours `$/cancelRequest` and the plugin's `timeout_ms`.
 */
export namespace ToolsCallRequest {
  export const method = 'tools/call' as const;
  export const paramsSchema = z.strictObject({
    /** The tool's name, as tools/list gives it. */
    name: z.string().min(1),
    /** The tool's arguments (default `{}`). */
    arguments: z.record(z.string(), z.unknown()).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = ToolCallResult;
  export const type = new RequestType<Params, Result, void>(method);
}

/** The `system_instructions` of every exposed plugin, joined, for the model's system prompt. */
export namespace ToolsSystemInstructionsRequest {
  export const method = 'tools/systemInstructions' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Each exposed plugin's instructions, separated by a blank line; empty when none give any. */
    text: string;
    /** The plugins whose instructions are included, in order. */
    plugins: string[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Sent to every client whenever the set of exposed tools changes. */
export namespace ToolsDidChangeNotification {
  export const method = 'tools/didChange' as const;
  export interface Params {
    /**
     * What changed it: `expose`/`unexpose` (a request), `reload` (config or plugin files),
     * `listChanged` (an MCP server's `notifications/tools/list_changed`), `restart` (an MCP
     * server that died came back, or went down).
     */
    reason: 'expose' | 'unexpose' | 'reload' | 'listChanged' | 'restart';
    /** The plugins involved. */
    plugins: string[];
    /** Every exposed tool name after the change. */
    tools: string[];
  }
  export const type = new NotificationType<Params>(method);
}
