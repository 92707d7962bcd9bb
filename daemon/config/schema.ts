import { z } from 'zod';
import type { PluginOrigin } from '../../protocol/daemon.js';

/** Defaults for the per-plugin runtime settings (documented in docs/config.md). */
export const DEFAULTS = {
  threads: 1,
  timeoutMs: 120_000,
  startTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 300_000,
  idleTimeoutMs: 60_000,
} as const;

const hostPattern = /^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$|^\*$/;

/** One `[[providers]]` entry: QueryMT's keys (`name`, `path`, `config`) plus plugd's runtime settings. */
export const ProviderEntrySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"'),
  path: z.string().min(1, 'expected a non-empty path'),
  config: z.record(z.string(), z.unknown()).optional(),
  threads: z.number().int().min(1).max(64).optional(),
  timeout_ms: z.number().int().min(1).max(86_400_000).optional(),
  start_timeout_ms: z.number().int().min(1).max(600_000).optional(),
  isolation: z.enum(['process', 'thread'], 'expected "process" or "thread"').optional(),
  connect_timeout_ms: z.number().int().min(1).max(600_000).optional(),
  first_byte_timeout_ms: z.number().int().min(1).max(86_400_000).optional(),
  idle_timeout_ms: z.number().int().min(1).max(86_400_000).optional(),
  allowed_hosts: z.array(z.string().regex(hostPattern, 'expected a host name such as "api.openai.com" or "*.example.com"')).optional(),
  sha256: z.string().regex(/^(sha256:)?[0-9a-fA-F]{64}$/, 'expected 64 hex digits (the sha256 of the plugin file)').optional(),
});
export type ProviderEntryInput = z.infer<typeof ProviderEntrySchema>;

/** `[registries."host:port"]`: per-registry settings for `oci://` sources. */
const RegistrySettingsSchema = z.strictObject({
  insecure: z.boolean().optional(),
});

/** One `[[tools]]` entry: a Wasm or native tool plugin, with the same runtime settings as a provider. */
// Tool plugins load from local files in this version: no downloads (sha256) or host-side HTTP
// timeouts. `isolation` applies to a native library, as for a provider.
export const ToolEntrySchema = ProviderEntrySchema.omit({ sha256: true, connect_timeout_ms: true, first_byte_timeout_ms: true, idle_timeout_ms: true }).extend({
  /** Expose its tools as soon as it has loaded (default false). */
  expose: z.boolean().optional(),
});

/** One `[[mcp]]` entry: an MCP server started with `command` (stdio) or reached at `url` (streamable HTTP). */
export const McpEntrySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected a name of letters, digits, "_" or "-"'),
  command: z.string().min(1, 'expected a non-empty command').optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  expose: z.boolean().optional(),
  timeout_ms: z.number().int().min(1).max(86_400_000).optional(),
});

/** `[permissions]`: the tool-call permission policy (docs/config.md). */
export const PermissionsSchema = z.strictObject({
  default: z.enum(['allow', 'deny', 'ask']).optional(),
  allow: z.array(z.string().min(1)).optional(),
  deny: z.array(z.string().min(1)).optional(),
  allow_calls: z.array(z.string().min(1)).optional(),
  deny_calls: z.array(z.string().min(1)).optional(),
  ask_timeout_ms: z.number().int().min(1).max(3_600_000).optional(),
});

export const ConfigFileSchema = z.strictObject({
  providers: z.array(ProviderEntrySchema).optional(),
  registries: z.record(z.string(), RegistrySettingsSchema).optional(),
  tools: z.array(ToolEntrySchema).optional(),
  mcp: z.array(McpEntrySchema).optional(),
  permissions: PermissionsSchema.optional(),
  plugins_dir: z.string().min(1, 'expected a non-empty path').optional(),
  mcp_json: z.string().min(1, 'expected a non-empty path').optional(),
});

/** A validated provider entry with defaults applied and its path resolved. */
export interface ProviderEntry {
  /** The configured name, unique in the file. */
  name: string;
  /** The path as written. */
  path: string;
  /**
   * The absolute path of the plugin file. For an https:// or oci:// `path` it is the reference
   * until the download is resolved (daemon/sources/), then the file in the cache.
   */
  resolvedPath: string;
  /** `sha256`: the pinned content digest (`sha256:<hex>`) of an https:// download, or null. */
  sha256: string | null;
  /** Where the file came from, once resolved (daemon/sources/); not part of the entry's identity. */
  origin?: PluginOrigin;
  /** `[providers.config]`: default settings passed to the plugin. */
  config: Record<string, unknown>;
  threads: number;
  timeoutMs: number;
  startTimeoutMs: number;
  /** Native plugins: a child process per worker (`process`, default) or a worker thread (`thread`). */
  isolation: 'process' | 'thread';
  /** `allowed_hosts` merged with `[providers.config].allowed_hosts`. */
  allowedHosts: string[];
  /** Host-side HTTP timeouts for HTTP-adapter plugins (`connect_timeout_ms`, `first_byte_timeout_ms`, `idle_timeout_ms`). */
  http?: { connectMs: number; firstByteMs: number; idleMs: number };
  /** Absolute host directories the plugin may open through WASI (preopened as the same paths); none when absent. */
  allowedPaths?: string[];
}

/** A validated `[[tools]]` entry (or a plugin discovered in `plugins_dir`). */
export interface ToolEntry extends ProviderEntry {
  /** Expose once loaded. */
  expose: boolean;
  /** Where it was found. */
  foundIn: 'config' | 'plugins_dir';
}

/** A validated `[[mcp]]` entry (or one imported from `mcp_json`). */
export interface McpEntry {
  name: string;
  /** How to reach it: a child process on stdio, or streamable HTTP. */
  transport: { type: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd: string } | { type: 'http'; url: string };
  expose: boolean;
  /** Limit for one tool call and for connecting. */
  timeoutMs: number;
}

/** The validated `[permissions]` table. */
export interface PermissionPolicy {
  default: 'allow' | 'deny' | 'ask';
  allow: string[];
  deny: string[];
  allowCalls: string[];
  denyCalls: string[];
  askTimeoutMs: number;
}

export interface PlugdConfig {
  /** The absolute path of the file this came from. */
  path: string;
  providers: ProviderEntry[];
  /** Registries marked `insecure = true` (reached over plain http://). */
  insecureRegistries: string[];
  /** `[[tools]]` entries, then plugins found in `pluginsDir` (tools/available's order). */
  tools?: ToolEntry[];
  mcp?: McpEntry[];
  permissions?: PermissionPolicy;
  /** The directory scanned for tool plugins (`*.wasm`, and native `*.so`/`*.dylib`/`*.dll`). */
  pluginsDir?: string;
}
