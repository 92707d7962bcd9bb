import { RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';

/** Capabilities the daemon advertises in `initialize`. */
export interface ServerCapabilities {
  /** `providers/chatStream` with `providers/chatChunk` notifications. */
  chatStreaming: boolean;
  /** `$/cancelRequest` stops the plugin's work. */
  cancellation: boolean;
  /** Plugin kinds this daemon can load: `["wasm", "native"]` (native: shared libraries with the C ABI of plugins/include/plugd.h). */
  pluginTypes: string[];
}

/**
 * Handshake. Optional: every other method works without it, but clients should send it
 * to learn the protocol version and capabilities.
 */
export namespace InitializeRequest {
  export const method = 'initialize' as const;
  export const paramsSchema = z.strictObject({
    /** The client's name, for the daemon's logs. */
    clientName: z.string().optional(),
    /** The client's version. */
    clientVersion: z.string().optional(),
    /** The protocol version the client speaks. */
    protocolVersion: z.string().optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Always `"plugd"`. */
    serverName: string;
    /** The daemon's package version. */
    serverVersion: string;
    /** The wire protocol version (see protocol/version.ts). */
    protocolVersion: string;
    /** What this daemon supports. */
    capabilities: ServerCapabilities;
  }
  export const type = new RequestType<Params, Result, void>(method);
}
