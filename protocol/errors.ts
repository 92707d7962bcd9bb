/**
 * Numeric error codes that cross the wire in JSON-RPC error responses.
 *
 * The JSON-RPC 2.0 range (-32768..-32000) is used for transport-level failures;
 * plugd's own codes live in -32099..-32001 (the range the spec reserves for
 * implementation-defined server errors), except -32099..-32096, which vscode-jsonrpc uses locally
 * for transport failures and plugd never sends. Every code is documented in
 * docs/protocol.md; clients map them back to typed errors (see clients/errors.ts).
 */
export const ErrorCodes = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest: -32600,
  /** The method does not exist. */
  MethodNotFound: -32601,
  /** Invalid method parameters; `data.path` names the offending field. */
  InvalidParams: -32602,
  /** An unexpected daemon-side failure (a bug in plugd). */
  InternalError: -32603,
  /** The request was cancelled by the client (`$/cancelRequest` or disconnect). */
  RequestCancelled: -32800,

  /** No provider plugin with that name is configured. */
  UnknownProvider: -32001,
  /** The provider handle does not exist (never built, disposed, or owned by another connection). */
  UnknownHandle: -32002,
  /** The plugin is still loading (or restarting); retry shortly. */
  PluginNotReady: -32003,
  /** The plugin failed to load or was stopped after repeated crashes; `data.reason` says why. */
  PluginFailed: -32004,
  /** The plugin returned an error; `data.payload` carries its typed `{type, message}` payload when it sent one. */
  PluginError: -32010,
  /** The plugin call ran past its `timeout_ms` (queue time included); a running call's worker was replaced, a waiting one never runs. */
  PluginTimeout: -32011,
  /** The call failed abnormally: the plugin trapped (its instance is replaced), exceeded a runtime limit, or its worker thread died. */
  PluginCrashed: -32012,
  /** The provider configuration does not satisfy the plugin's config schema; `data.path` names the field. */
  InvalidProviderConfig: -32013,
  /** The plugin does not implement the requested capability (for example `embed`). */
  Unsupported: -32014,
  /** The daemon is shutting down and accepts no new work. */
  ShuttingDown: -32020,

  /** The provider rejected the credentials (HTTP 401/403 or the plugin's `auth_error`). */
  ProviderAuthentication: -32040,
  /** The provider is rate limiting; `data.retryAfterSecs` says when to retry, when it said. */
  ProviderRateLimited: -32041,
  /** The request does not fit the model's context window. */
  ContextWindowExceeded: -32042,
  /** The provider answered with another non-2xx status; `data.status` is the HTTP status. */
  ProviderHttpStatus: -32043,
  /** The request failed below HTTP; `data.transport` is `refused`, `reset`, `timeout`, `dns`, `tls` or `other`. */
  ProviderTransport: -32044,
  /** The plugin asked the host for a request to a host outside its `allowed_hosts`; `data.host` names it. */
  HostNotAllowed: -32045,
  /** No exposed tool has that name; `data.tool` names it. */
  UnknownTool: -32050,
  /** The tool's arguments do not satisfy its `inputSchema`; `data.path` names the field, `data.expected` what was expected. */
  InvalidToolArguments: -32051,
  /** The permission policy or the client denied the call; `data.reason` says how it was decided. */
  PermissionDenied: -32052,
  /** The tool plugin is not exposed (tools/expose it first). */
  ToolPluginNotExposed: -32053,
  /** A tool of the plugin has the name of a tool another exposed plugin owns; `data.tool` names it. */
  ToolNameCollision: -32054,
  /** No tool plugin (Wasm or MCP server) with that name was discovered. */
  UnknownToolPlugin: -32055,
  /** No exposed plugin declares a user command with that name. */
  UnknownCommand: -32056,
  /** The MCP server behind the tool is down (being restarted); `data.reason` says why. */
  ToolSourceUnavailable: -32057,
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The symbolic name of a wire error code, e.g. `"PluginTimeout"`. */
export type ErrorCodeName = keyof typeof ErrorCodes;

const namesByCode = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCodes).map(([name, code]) => [code, name as ErrorCodeName]),
);

/** Returns the symbolic name of a wire error code, or undefined for codes plugd does not define. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return namesByCode.get(code);
}

/** A typed error payload as a QueryMT plugin reports it (return code 1 with `{"payload": …}`). */
export interface PluginErrorPayload {
  /** The error kind as the plugin names it, e.g. `"InvalidRequest"`, `"Auth"`, `"ProviderError"`. */
  type: string;
  /** A human-readable message. */
  message: string;
  /** Any further fields the plugin sent, preserved verbatim. */
  [extra: string]: unknown;
}

/** The `data` member of a plugd JSON-RPC error. Every field is optional; which appear depends on the code. */
export interface ErrorData {
  /** The plugin involved, when there is one. */
  plugin?: string;
  /** The JSON path of the offending field for InvalidParams / InvalidProviderConfig / InvalidToolArguments, e.g. `"messages[0].role"`, `"config.api_key"`, `"arguments.steps[0]"`. */
  path?: string;
  /** What was expected at `path` (InvalidParams, InvalidProviderConfig, InvalidToolArguments), or what the plugin should have returned (PluginError). */
  expected?: string;
  /** The plugin's typed error payload (PluginError). */
  payload?: PluginErrorPayload;
  /** Why a plugin is failed or crashed (PluginFailed, PluginCrashed); what refused a tool call (PermissionDenied: a `PermissionSource`); why an MCP server is down (ToolSourceUnavailable). */
  reason?: string;
  /** The limit that was exceeded, in milliseconds (PluginTimeout). */
  timeoutMs?: number;
  /** The provider's HTTP status (ProviderAuthentication, ProviderRateLimited, ContextWindowExceeded, ProviderHttpStatus). */
  status?: number;
  /** Seconds to wait before retrying, from the provider's `Retry-After` or the plugin (ProviderRateLimited). */
  retryAfterSecs?: number;
  /** How the request failed below HTTP (ProviderTransport). */
  transport?: 'refused' | 'reset' | 'timeout' | 'dns' | 'tls' | 'other';
  /** The host the plugin asked for (HostNotAllowed). */
  host?: string;
  /** The tool involved (UnknownTool, InvalidToolArguments, PermissionDenied, ToolPluginNotExposed, ToolNameCollision, ToolSourceUnavailable). */
  tool?: string;
}
