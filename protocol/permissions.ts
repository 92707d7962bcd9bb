import { RequestType } from 'vscode-jsonrpc';

/** A client's answer to a permission request. `allowAlways`/`denyAlways` also apply to this tool's later calls on the same connection. */
export type PermissionDecision = 'allow' | 'deny' | 'allowAlways' | 'denyAlways';

/**
 * How a tool call's permission was decided:
 * `denyList` / `allowList` (the config's lists by name or signature), `autoApproved` (the plugin's
 * `auto_approved_tools`), `default` (the policy's `default`), `client` (this connection answered
 * a `permissions/request`), `remembered` (an earlier `allowAlways`/`denyAlways` on this
 * connection), `timeout` (no answer within `ask_timeout_ms`), `disconnected` (the client went
 * away first), `noHandler` (the client answered the request with an error).
 */
export type PermissionSource = 'denyList' | 'allowList' | 'autoApproved' | 'default' | 'client' | 'remembered' | 'timeout' | 'disconnected' | 'noHandler';

/** The outcome of the permission check for one call. */
export interface PermissionOutcome {
  /** Whether the call may run. */
  allowed: boolean;
  /** What decided it. */
  source: PermissionSource;
  /** The pattern that matched, for `denyList`/`allowList`. */
  pattern?: string;
  /** The client's answer, for `client`. */
  decision?: PermissionDecision;
}

/**
 * Sent by the daemon to the client that made a `tools/call`, when the policy says `ask`. The
 * daemon waits up to the policy's `ask_timeout_ms`; no answer, an error answer, or a disconnect
 * means deny.
 */
export namespace PermissionsRequest {
  export const method = 'permissions/request' as const;
  export interface Params {
    /** The tool to be called. */
    tool: string;
    /** Its arguments (already validated against its input schema). */
    arguments: Record<string, unknown>;
    /** The plugin that owns it. */
    plugin: string;
    /** The call's signature, as the policy's glob patterns see it: `TOOL ARGUMENTS-JSON`. */
    signature: string;
    /** How long the daemon waits for the answer, in milliseconds. */
    timeoutMs: number;
  }
  export interface Result {
    /** The client's decision. */
    decision: PermissionDecision;
  }
  export const type = new RequestType<Params, Result, void>(method);
}
