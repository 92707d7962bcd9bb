import type { PluginErrorPayload } from '../protocol/errors.js';
import type { WireError } from '../workers/messages.js';

/**
 * Local errors: thrown inside the daemon, identified by a string code. They become numeric wire
 * errors only at the JSON-RPC edge (daemon/rpc/wireErrors.ts).
 */
export type LocalErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_SYNTAX'
  | 'CONFIG_INVALID'
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_TYPE'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_LOAD'
  | 'MISSING_EXPORT'
  | 'START_TIMEOUT'
  | 'PLUGIN_ERROR'
  | 'PLUGIN_TRAP'
  | 'PLUGIN_TIMEOUT'
  | 'PLUGIN_CRASHED'
  | 'PLUGIN_NOT_READY'
  | 'PLUGIN_FAILED'
  | 'PLUGIN_OUTPUT'
  | 'UNSUPPORTED'
  | 'CANCELLED'
  | 'SHUTTING_DOWN'
  | 'UNKNOWN_PROVIDER'
  | 'UNKNOWN_HANDLE'
  | 'INVALID_PROVIDER_CONFIG'
  | 'SOCKET_IN_USE'
  // Plugin sources (daemon/sources/): downloads from https URLs and OCI registries.
  | 'SOURCE_INVALID'
  | 'SOURCE_UNREACHABLE'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_AUTH'
  | 'SOURCE_DIGEST'
  | 'SOURCE_FORMAT'
  | 'SOURCE_UNSAFE'
  // Provider errors from host-side HTTP (HTTP-adapter plugins).
  | 'PROVIDER_AUTH'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_CONTEXT_WINDOW'
  | 'PROVIDER_HTTP_STATUS'
  | 'PROVIDER_TRANSPORT'
  | 'HOST_NOT_ALLOWED'
  // Tool plugins and MCP servers (daemon/tools/).
  | 'UNKNOWN_TOOL'
  | 'INVALID_TOOL_ARGUMENTS'
  | 'PERMISSION_DENIED'
  | 'TOOL_PLUGIN_NOT_EXPOSED'
  | 'TOOL_NAME_COLLISION'
  | 'UNKNOWN_TOOL_PLUGIN'
  | 'UNKNOWN_COMMAND'
  | 'TOOL_SOURCE_UNAVAILABLE';

export class DaemonError extends Error {
  override name = 'DaemonError';
  constructor(
    readonly code: LocalErrorCode,
    message: string,
    readonly details: {
      plugin?: string;
      payload?: PluginErrorPayload;
      path?: string;
      expected?: string;
      timeoutMs?: number;
      reason?: string;
      status?: number;
      retryAfterSecs?: number;
      transport?: 'refused' | 'reset' | 'timeout' | 'dns' | 'tls' | 'other';
      host?: string;
      tool?: string;
    } = {},
  ) {
    super(message);
  }
}

/** A problem with plugins.toml; the message names the file, line and key. */
export class ConfigError extends DaemonError {
  override name = 'ConfigError';
}

/** A plugin that could not be loaded. */
export class PluginLoadError extends DaemonError {
  override name = 'PluginLoadError';
}

/** A plugin call that failed (plugin error, trap, timeout, crash, cancellation). */
export class PluginCallError extends DaemonError {
  override name = 'PluginCallError';
}

/** Rebuilds a local error from its wire form (e.g. a worker's error result). */
export function fromWire(error: WireError, plugin: string): PluginCallError {
  return new PluginCallError(error.code as LocalErrorCode, error.message, {
    plugin,
    ...(error.payload ? { payload: error.payload } : {}),
  });
}

/** Turns anything thrown into a plain `{name, message, code}`. */
export function toErrorInfo(error: unknown): { name: string; message: string; code: string } {
  if (error instanceof DaemonError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof Error) return { name: error.name, message: error.message, code: 'INTERNAL' };
  return { name: 'Error', message: String(error), code: 'INTERNAL' };
}
