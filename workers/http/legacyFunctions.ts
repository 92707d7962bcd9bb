import type { CallContext } from '@extism/extism';
import { responseJson } from './bodyJson.js';
import { policyFor } from './policy.js';
import { retryAfter } from './retryAfter.js';
import { SyncHttp, type SyncReply } from './syncClient.js';
import type { HttpPolicy, HttpTimeouts, QmtHttpResponse } from './types.js';

/**
 * QueryMT's legacy host functions for plugins that do their own HTTP through the host
 * (`extism:host/user`): `qmt_http_request`, `qmt_http_stream_open`, `_next`, `_close`. They are
 * synchronous inside the plugin (see SyncHttp). Requests are checked against `allowed_hosts` plus
 * the host of the configured base URL, as for HTTP-adapter plugins (httpPolicy()).
 */
export interface LegacyContext {
  /** `allowed_hosts` from plugins.toml. */
  allowedHosts: string[];
  /**
   * `[providers.config].base_url`, else the plugin's `base_url` export: fixed when the worker
   * starts. Never a call's `cfg.base_url`, which the client chooses.
   */
  baseUrl(): string | null;
  timeouts: HttpTimeouts;
  /** How long the plugin's thread waits for the helper thread; by default the sum of the timeouts plus 5 s. */
  waitLimitMs?: number;
}

type HostFunction = (ctx: CallContext, offset: bigint) => unknown;

export interface LegacyHttp {
  functions: Record<string, HostFunction>;
  /** Closes the streams opened during the call that just ended and not closed by it (it returned or trapped first). */
  endCall(): void;
}

export function legacyHttp(context: LegacyContext): LegacyHttp {
  let sync: SyncHttp | undefined;
  const { connectMs, firstByteMs, idleMs } = context.timeouts;
  const http = () => (sync ??= new SyncHttp(context.waitLimitMs ?? connectMs + firstByteMs + idleMs + 5000));
  const policy = (): HttpPolicy => policyFor(context.allowedHosts, context.baseUrl(), context.timeouts);
  const open = new Set<number>();
  const readRequest = (ctx: CallContext, offset: bigint) => {
    const parsed = JSON.parse(ctx.read(offset)?.text() ?? 'null') as { req?: unknown } | null;
    return (parsed?.req ?? parsed) as never;
  };
  const readId = (ctx: CallContext, offset: bigint) => Number(ctx.read(offset)?.text() ?? '0');

  const functions: Record<string, HostFunction> = {
    qmt_http_request(ctx, offset) {
      let reply: SyncReply;
      try {
        reply = http().call({ op: 'request', req: readRequest(ctx, offset), policy: policy() });
      } catch (error) {
        reply = { ok: false, kind: 'invalid_request', message: (error as Error).message };
      }
      // Failures below HTTP come back as a response, as under QueryMT (status 500 with the reason
      // as the body; 403 for a host outside allowed_hosts), so the plugin decides what to report.
      const resp: QmtHttpResponse = reply.ok && reply.resp ? reply.resp : errorResponse(reply);
      return ctx.store(`{"resp":${responseJson(resp)}}`);
    },
    qmt_http_stream_open(ctx, offset) {
      let reply: SyncReply;
      try {
        reply = http().call({ op: 'open', req: readRequest(ctx, offset), policy: policy() });
      } catch (error) {
        reply = { ok: false, kind: 'invalid_request', message: (error as Error).message };
      }
      if (reply.ok && reply.streamId !== undefined) {
        open.add(reply.streamId);
        return ctx.store(JSON.stringify({ status: 'ok', stream_id: reply.streamId }));
      }
      if (!reply.ok && reply.kind === 'cancelled') return ctx.store(JSON.stringify({ status: 'cancelled' }));
      const payload = reply.ok ? statusPayload(reply.resp!) : failurePayload(reply);
      return ctx.store(JSON.stringify({ status: 'error', plugin_error: JSON.stringify({ payload }), error_code: 1 }));
    },
    qmt_http_stream_next(ctx, offset) {
      const streamId = readId(ctx, offset);
      const reply = http().call({ op: 'next', streamId });
      // 0 is end of stream; a failure mid-body also ends it (the plugin sees no [DONE]).
      if (!reply.ok || !reply.data) {
        open.delete(streamId);
        return 0n;
      }
      // A copy: Extism 1.0.3 stores a Uint8Array's whole underlying buffer, ignoring its offset and
      // length, and a line is a view into the socket's larger piece.
      return ctx.store(new Uint8Array(reply.data));
    },
    qmt_http_stream_close(ctx, offset) {
      const streamId = readId(ctx, offset);
      open.delete(streamId);
      http().call({ op: 'close', streamId });
    },
  };
  return {
    functions,
    endCall() {
      for (const streamId of open) http().call({ op: 'close', streamId });
      open.clear();
    },
  };
}

function errorResponse(reply: SyncReply): QmtHttpResponse {
  const message = reply.ok ? 'no response' : reply.message;
  const status = !reply.ok && reply.kind === 'host_not_allowed' ? 403 : 500;
  return { head: { status, headers: { 'content-type': 'text/plain', 'x-plugd-error': reply.ok ? 'unknown' : reply.kind }, version: 'HTTP/1.1' }, body: [...Buffer.from(message)] };
}

function failurePayload(reply: Extract<SyncReply, { ok: false }>): Record<string, unknown> {
  if (reply.kind === 'transport') return { type: 'transport', kind: reply.transport ?? 'other', message: reply.message };
  return { type: 'invalid_request', message: reply.message };
}

function statusPayload(resp: QmtHttpResponse): Record<string, unknown> {
  const status = resp.head.status;
  const message = `HTTP ${status}: ${Buffer.from(resp.body.slice(0, 300)).toString('utf8')}`;
  if (status === 401 || status === 403) return { type: 'auth_error', message, status };
  if (status === 429) {
    const retry = retryAfter(resp);
    return { type: 'rate_limited', message, status, ...(retry !== undefined && { retry_after_secs: retry }) };
  }
  return { type: 'http_status', message, status };
}
