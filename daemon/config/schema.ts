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
export const RegistrySettingsSchema = z.strictObject({
  insecure: z.boolean().optional(),
});

export const ConfigFileSchema = z.strictObject({
  providers: z.array(ProviderEntrySchema).optional(),
  registries: z.record(z.string(), RegistrySettingsSchema).optional(),
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
}

export interface PlugdConfig {
  /** The absolute path of the file this came from. */
  path: string;
  providers: ProviderEntry[];
  /** Registries marked `insecure = true` (reached over plain http://). */
  insecureRegistries: string[];
}
