import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, type ErrorData } from '../../protocol/errors.js';
import { DaemonError, type LocalErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

const wireCodes: Partial<Record<LocalErrorCode, number>> = {
  UNKNOWN_PROVIDER: ErrorCodes.UnknownProvider,
  UNKNOWN_HANDLE: ErrorCodes.UnknownHandle,
  PLUGIN_NOT_READY: ErrorCodes.PluginNotReady,
  PLUGIN_FAILED: ErrorCodes.PluginFailed,
  PLUGIN_NOT_FOUND: ErrorCodes.PluginFailed,
  PLUGIN_TYPE: ErrorCodes.PluginFailed,
  PLUGIN_INVALID: ErrorCodes.PluginFailed,
  PLUGIN_LOAD: ErrorCodes.PluginFailed,
  MISSING_EXPORT: ErrorCodes.PluginFailed,
  START_TIMEOUT: ErrorCodes.PluginFailed,
  SOURCE_INVALID: ErrorCodes.PluginFailed,
  SOURCE_UNREACHABLE: ErrorCodes.PluginFailed,
  SOURCE_NOT_FOUND: ErrorCodes.PluginFailed,
  SOURCE_AUTH: ErrorCodes.PluginFailed,
  SOURCE_DIGEST: ErrorCodes.PluginFailed,
  SOURCE_FORMAT: ErrorCodes.PluginFailed,
  SOURCE_UNSAFE: ErrorCodes.PluginFailed,
  PLUGIN_ERROR: ErrorCodes.PluginError,
  PLUGIN_OUTPUT: ErrorCodes.PluginError,
  PLUGIN_TRAP: ErrorCodes.PluginCrashed,
  PLUGIN_CRASHED: ErrorCodes.PluginCrashed,
  PLUGIN_TIMEOUT: ErrorCodes.PluginTimeout,
  UNSUPPORTED: ErrorCodes.Unsupported,
  CANCELLED: ErrorCodes.RequestCancelled,
  SHUTTING_DOWN: ErrorCodes.ShuttingDown,
  INVALID_PROVIDER_CONFIG: ErrorCodes.InvalidProviderConfig,
  PROVIDER_AUTH: ErrorCodes.ProviderAuthentication,
  PROVIDER_RATE_LIMITED: ErrorCodes.ProviderRateLimited,
  PROVIDER_CONTEXT_WINDOW: ErrorCodes.ContextWindowExceeded,
  PROVIDER_HTTP_STATUS: ErrorCodes.ProviderHttpStatus,
  PROVIDER_TRANSPORT: ErrorCodes.ProviderTransport,
  HOST_NOT_ALLOWED: ErrorCodes.HostNotAllowed,
  UNKNOWN_TOOL: ErrorCodes.UnknownTool,
  INVALID_TOOL_ARGUMENTS: ErrorCodes.InvalidToolArguments,
  PERMISSION_DENIED: ErrorCodes.PermissionDenied,
  TOOL_PLUGIN_NOT_EXPOSED: ErrorCodes.ToolPluginNotExposed,
  TOOL_NAME_COLLISION: ErrorCodes.ToolNameCollision,
  UNKNOWN_TOOL_PLUGIN: ErrorCodes.UnknownToolPlugin,
  UNKNOWN_COMMAND: ErrorCodes.UnknownCommand,
  TOOL_SOURCE_UNAVAILABLE: ErrorCodes.ToolSourceUnavailable,
};

/** Turns anything a handler threw into the JSON-RPC error the client receives. */
export function toResponseError(error: unknown, method: string, logger: Logger): ResponseError<ErrorData | undefined> {
  if (error instanceof ResponseError) return error as ResponseError<ErrorData | undefined>;
  if (error instanceof DaemonError) {
    const code = wireCodes[error.code];
    if (code !== undefined) {
      const { plugin, payload, path, expected, reason, timeoutMs, status, retryAfterSecs, transport, host, tool } = error.details;
      const data: ErrorData = {
        ...(plugin && { plugin }),
        ...(payload && { payload }),
        ...(path && { path }),
        ...(expected && { expected }),
        ...(reason && { reason }),
        ...(timeoutMs && { timeoutMs }),
        ...(tool && { tool }),
        ...(status !== undefined && { status }),
        ...(retryAfterSecs !== undefined && { retryAfterSecs }),
        ...(transport && { transport }),
        ...(host && { host }),
      };
      return new ResponseError(code, error.message, Object.keys(data).length ? data : undefined);
    }
  }
  logger.error(`${method}: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return new ResponseError(ErrorCodes.InternalError, `${method}: internal error: ${(error as Error)?.message ?? String(error)}`);
}
