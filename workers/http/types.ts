/**
 * QueryMT's serializable HTTP request and response (serde of `http::Request<Vec<u8>>` /
 * `http::Response<Vec<u8>>`), as HTTP-adapter plugins build and read them. Bodies are byte
 * arrays written as JSON arrays of numbers.
 */
export interface QmtHttpRequest {
  head: { method: string; uri: string; headers?: Record<string, string>; version?: string };
  /** Numbers on the wire; bytes once the host has decoded a plugin's output (workers/http/request.ts). */
  body?: number[] | Uint8Array;
}

export interface QmtHttpResponse {
  head: { status: number; headers: Record<string, string>; version: string };
  /** Numbers on the wire; bytes as the host reads them, written out by bodyJson.ts. */
  body: number[] | Uint8Array;
}

/** Per-provider HTTP timeouts, in milliseconds (`connect_timeout_ms` and friends in plugins.toml). */
export interface HttpTimeouts {
  /** From the start of the request until the TCP (and TLS) connection is up. */
  connectMs: number;
  /** From the connection being up until the response's status line and headers arrive. */
  firstByteMs: number;
  /** The longest gap between two pieces of a response body. */
  idleMs: number;
}

/** How a request failed below HTTP. */
export type TransportKind = 'refused' | 'reset' | 'timeout' | 'dns' | 'tls' | 'other';

/** What the host needs to send one request on a plugin's behalf. */
export interface HttpPolicy {
  /** Host patterns the plugin may reach (`api.openai.com`, `*.example.com`, `host:port`, `*`). */
  allowedHosts: string[];
  timeouts: HttpTimeouts;
}
