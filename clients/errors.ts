import { ConnectionError, ResponseError } from 'vscode-jsonrpc';
import {
  ErrorCodes,
  errorCodeName,
  type ErrorCodeName,
  type ErrorData,
  type PluginErrorPayload,
} from '../protocol/errors.js';

/**
 * An error the daemon answered with: a JSON-RPC error response carrying one of the numeric
 * codes in protocol/errors.ts. Subclasses exist for every code plugd defines; codes plugd does
 * not define arrive as a plain `PlugdError`.
 */
export class PlugdError extends Error {
  /** The numeric wire code. */
  readonly code: number;
  /** The code's symbolic name, e.g. `"PluginTimeout"`, or undefined for a code plugd does not define. */
  readonly codeName: ErrorCodeName | undefined;
  /** The error's `data` member, when the daemon sent an object. */
  readonly data: ErrorData | undefined;

  constructor(code: number, message: string, data?: ErrorData, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.codeName = errorCodeName(code);
    this.data = data;
  }

  /** The plugin involved, when the daemon named one. */
  get plugin(): string | undefined {
    return this.data?.plugin;
  }
}

/** Invalid JSON reached the daemon. */
export class ParseError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ParseError, message, data, options);
  }
}

/** The daemon did not receive a valid JSON-RPC request object. */
export class InvalidRequestError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.InvalidRequest, message, data, options);
  }
}

/** The daemon does not know the method (usually a client/daemon version mismatch). */
export class MethodNotFoundError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.MethodNotFound, message, data, options);
  }
}

/** The request's params failed validation; `path` names the offending field. */
export class InvalidParamsError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.InvalidParams, message, data, options);
  }

  /** The JSON path of the offending field, e.g. `"messages[0].role"`. */
  get path(): string | undefined {
    return this.data?.path;
  }
}

/** An unexpected daemon-side failure (a bug in plugd). */
export class InternalError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.InternalError, message, data, options);
  }
}

/** The request was cancelled: by the caller's `AbortSignal`, or by the daemon. */
export class CancelledError extends PlugdError {
  constructor(message = 'request cancelled', data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.RequestCancelled, message, data, options);
  }
}

/** No provider plugin with that name is configured. */
export class UnknownProviderError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.UnknownProvider, message, data, options);
  }
}

/** The provider handle was never built, was disposed, or belongs to another connection. */
export class UnknownHandleError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.UnknownHandle, message, data, options);
  }
}

/** The plugin is still loading or restarting; retrying shortly may succeed. */
export class PluginNotReadyError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.PluginNotReady, message, data, options);
  }
}

/** The plugin failed to load, or was stopped after repeated crashes. */
export class PluginFailedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.PluginFailed, message, data, options);
  }

  /** Why the plugin is failed. */
  get reason(): string | undefined {
    return this.data?.reason;
  }
}

/** The plugin itself returned an error. */
export class PluginError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.PluginError, message, data, options);
  }

  /** The plugin's typed `{type, message}` payload, when it sent one. */
  get payload(): PluginErrorPayload | undefined {
    return this.data?.payload;
  }
}

/** The plugin call ran past its time limit; the daemon replaced the worker. */
export class PluginTimeoutError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.PluginTimeout, message, data, options);
  }

  /** The limit that was exceeded, in milliseconds. */
  get timeoutMs(): number | undefined {
    return this.data?.timeoutMs;
  }
}

/** The plugin's worker died during the call (trap, abort, out of memory). */
export class PluginCrashedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.PluginCrashed, message, data, options);
  }

  /** What killed the worker. */
  get reason(): string | undefined {
    return this.data?.reason;
  }
}

/** The provider configuration does not satisfy the plugin's config schema. */
export class InvalidProviderConfigError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.InvalidProviderConfig, message, data, options);
  }

  /** The JSON path of the offending config field. */
  get path(): string | undefined {
    return this.data?.path;
  }
}

/** The plugin does not implement the requested capability (for example `embed`). */
export class UnsupportedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.Unsupported, message, data, options);
  }
}

/** The daemon is shutting down and accepts no new work. */
export class ShuttingDownError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ShuttingDown, message, data, options);
  }
}

/** The provider rejected the credentials (a missing, wrong or expired API key). */
export class ProviderAuthError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ProviderAuthentication, message, data, options);
  }
}

/** The provider is rate limiting this key; retry after `retryAfterSecs` when it is known. */
export class RateLimitedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ProviderRateLimited, message, data, options);
  }

  /** Seconds to wait before retrying, when the provider said. */
  get retryAfterSecs(): number | undefined {
    return this.data?.retryAfterSecs;
  }
}

/** The conversation does not fit the model's context window. */
export class ContextWindowExceededError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ContextWindowExceeded, message, data, options);
  }
}

/** The provider answered with a non-2xx HTTP status not covered by a more specific error. */
export class ProviderHttpError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ProviderHttpStatus, message, data, options);
  }

  /** The HTTP status. */
  get status(): number | undefined {
    return this.data?.status;
  }
}

/** The request to the provider failed below HTTP (refused, reset, timeout, DNS, TLS). */
export class ProviderTransportError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ProviderTransport, message, data, options);
  }

  /** How it failed. */
  get transport(): ErrorData['transport'] {
    return this.data?.transport;
  }
}

/** The plugin asked for a request to a host outside its `allowed_hosts`. */
export class HostNotAllowedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.HostNotAllowed, message, data, options);
  }

  /** The host the plugin asked for. */
  get host(): string | undefined {
    return this.data?.host;
  }
}

/** No exposed tool has that name. */
export class UnknownToolError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.UnknownTool, message, data, options);
  }
}

/** The tool's arguments do not satisfy its input schema; `path` names the field. */
export class InvalidToolArgumentsError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.InvalidToolArguments, message, data, options);
  }

  /** The JSON path of the offending argument, e.g. `"arguments.steps[0]"`. */
  get path(): string | undefined {
    return this.data?.path;
  }
}

/** The permission policy or the user denied the tool call. */
export class PermissionDeniedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.PermissionDenied, message, data, options);
  }

  /** How the call was denied (`denyList`, `default`, `client`, `remembered`, `timeout`, `disconnected`, `noHandler`). */
  get reason(): string | undefined {
    return this.data?.reason;
  }
}

/** The tool plugin is not exposed. */
export class ToolPluginNotExposedError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ToolPluginNotExposed, message, data, options);
  }
}

/** Exposing the plugin would give two tools the same name. */
export class ToolNameCollisionError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ToolNameCollision, message, data, options);
  }
}

/** No tool plugin or MCP server with that name exists. */
export class UnknownToolPluginError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.UnknownToolPlugin, message, data, options);
  }
}

/** No exposed plugin declares that user command. */
export class UnknownCommandError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.UnknownCommand, message, data, options);
  }
}

/** The MCP server behind the tool is down; the daemon is restarting it. */
export class ToolSourceUnavailableError extends PlugdError {
  constructor(message: string, data?: ErrorData, options?: ErrorOptions) {
    super(ErrorCodes.ToolSourceUnavailable, message, data, options);
  }

  /** Why the MCP server is unavailable (it went away, or cannot be connected to). */
  get reason(): string | undefined {
    return this.data?.reason;
  }
}

type WireErrorClass = new (message: string, data?: ErrorData, options?: ErrorOptions) => PlugdError;

const classesByCode = new Map<number, WireErrorClass>([
  [ErrorCodes.ParseError, ParseError],
  [ErrorCodes.InvalidRequest, InvalidRequestError],
  [ErrorCodes.MethodNotFound, MethodNotFoundError],
  [ErrorCodes.InvalidParams, InvalidParamsError],
  [ErrorCodes.InternalError, InternalError],
  [ErrorCodes.RequestCancelled, CancelledError],
  [ErrorCodes.UnknownProvider, UnknownProviderError],
  [ErrorCodes.UnknownHandle, UnknownHandleError],
  [ErrorCodes.PluginNotReady, PluginNotReadyError],
  [ErrorCodes.PluginFailed, PluginFailedError],
  [ErrorCodes.PluginError, PluginError],
  [ErrorCodes.PluginTimeout, PluginTimeoutError],
  [ErrorCodes.PluginCrashed, PluginCrashedError],
  [ErrorCodes.InvalidProviderConfig, InvalidProviderConfigError],
  [ErrorCodes.Unsupported, UnsupportedError],
  [ErrorCodes.ShuttingDown, ShuttingDownError],
  [ErrorCodes.ProviderAuthentication, ProviderAuthError],
  [ErrorCodes.ProviderRateLimited, RateLimitedError],
  [ErrorCodes.ContextWindowExceeded, ContextWindowExceededError],
  [ErrorCodes.ProviderHttpStatus, ProviderHttpError],
  [ErrorCodes.ProviderTransport, ProviderTransportError],
  [ErrorCodes.HostNotAllowed, HostNotAllowedError],
  [ErrorCodes.UnknownTool, UnknownToolError],
  [ErrorCodes.InvalidToolArguments, InvalidToolArgumentsError],
  [ErrorCodes.PermissionDenied, PermissionDeniedError],
  [ErrorCodes.ToolPluginNotExposed, ToolPluginNotExposedError],
  [ErrorCodes.ToolNameCollision, ToolNameCollisionError],
  [ErrorCodes.UnknownToolPlugin, UnknownToolPluginError],
  [ErrorCodes.UnknownCommand, UnknownCommandError],
  [ErrorCodes.ToolSourceUnavailable, ToolSourceUnavailableError],
]);

/** An error raised on the client side, never sent by the daemon. Carries a string code. */
export class PlugdLocalError extends Error {
  /** A stable string code, e.g. `"ENODAEMON"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Nothing is listening on the daemon's socket. */
export class DaemonNotRunningError extends PlugdLocalError {
  /** The socket path that was tried. */
  readonly socketPath: string;

  constructor(socketPath: string, options?: ErrorOptions) {
    super(
      'ENODAEMON',
      `no plugd daemon is running at ${socketPath}; start one with \`plugd serve\` (or \`npm start\` in the plugd repository)`,
      options,
    );
    this.socketPath = socketPath;
  }
}

/** The connection to the daemon closed (either side hung up, or the daemon exited) before the call finished. */
export class ConnectionClosedError extends PlugdLocalError {
  constructor(message = 'the connection to the plugd daemon closed', options?: ErrorOptions) {
    super('ECLOSED', message, options);
  }
}

// vscode-jsonrpc rejects requests with these codes itself when its transport fails or is
// disposed; they describe the connection, not anything the daemon said.
const transportFailureCodes: ReadonlySet<number> = new Set([
  -32099, // MessageWriteError
  -32097, // PendingResponseRejected
  -32096, // ConnectionInactive
]);

/**
 * Maps any thrown value to a typed error: JSON-RPC error responses become the `PlugdError`
 * subclass for their code, vscode-jsonrpc transport failures become `ConnectionClosedError`,
 * plugd errors and other `Error`s are returned unchanged, and anything else is wrapped in an `Error`.
 */
export function fromResponseError(error: unknown): Error {
  if (error instanceof PlugdError || error instanceof PlugdLocalError) return error;
  if (error instanceof ConnectionError) return new ConnectionClosedError(undefined, { cause: error });
  if (isResponseErrorLike(error)) {
    if (transportFailureCodes.has(error.code)) return new ConnectionClosedError(undefined, { cause: error });
    const data = isObject(error.data) ? (error.data as ErrorData) : undefined;
    const ErrorClass = classesByCode.get(error.code);
    return ErrorClass
      ? new ErrorClass(error.message, data, { cause: error })
      : new PlugdError(error.code, error.message, data, { cause: error });
  }
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : `non-error thrown: ${safeString(error)}`);
}

function isResponseErrorLike(value: unknown): value is { code: number; message: string; data?: unknown } {
  if (value instanceof ResponseError) return true;
  // Also accept plain `{code, message}` literals (e.g. an error object read off the wire by hand).
  return (
    isObject(value) &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
