import type { PluginErrorPayload } from '../../protocol/errors.js';
import { BadRequestError, HostNotAllowedError, HttpCancelledError, TransportError } from '../../workers/http/errors.js';
import { retryAfter } from '../../workers/http/retryAfter.js';
import type { QmtHttpResponse, TransportKind } from '../../workers/http/types.js';
import { DaemonError, PluginCallError } from '../errors.js';

/**
 * Provider failures as typed local errors: HTTP failures of host-side requests, non-2xx answers,
 * and the typed payloads plugins report (`classify_chat_error`, parser errors). The payload
 * types are QueryMT's (`auth_error`, `rate_limited`, `http_status`, `transport`, `cancelled`, …);
 * other spellings seen in the wild are accepted too.
 */

const transportKinds = new Set<TransportKind>(['refused', 'reset', 'timeout', 'dns', 'tls', 'other']);

/** Anything the host HTTP client threw → a local error. */
export function fromHttpFailure(error: unknown, plugin: string, what: string): DaemonError {
  if (error instanceof DaemonError) return error;
  if (error instanceof HostNotAllowedError) return new DaemonError('HOST_NOT_ALLOWED', `plugin "${plugin}": ${what}: ${error.message}`, { plugin, host: error.host });
  if (error instanceof TransportError) return new DaemonError('PROVIDER_TRANSPORT', `provider "${plugin}": ${what}: ${error.message}`, { plugin, transport: error.kind });
  if (error instanceof HttpCancelledError) return new DaemonError('CANCELLED', `${what} on provider "${plugin}" was cancelled`, { plugin });
  if (error instanceof BadRequestError) return new PluginCallError('PLUGIN_OUTPUT', `plugin "${plugin}": ${what}: ${error.message}`, { plugin });
  return new DaemonError('PROVIDER_TRANSPORT', `provider "${plugin}": ${what}: ${(error as Error)?.message ?? String(error)}`, { plugin, transport: 'other' });
}

/** Errors that crossed from the worker's stream task carry their details in the payload. */
export function fromStreamTaskError(error: unknown, plugin: string): unknown {
  if (!(error instanceof DaemonError)) return error;
  const payload = error.details.payload;
  if (error.code === 'PROVIDER_TRANSPORT') return new DaemonError('PROVIDER_TRANSPORT', `provider "${plugin}": chat stream: ${error.message}`, { plugin, transport: kindOf(payload?.kind) });
  if (error.code === 'HOST_NOT_ALLOWED') return new DaemonError('HOST_NOT_ALLOWED', `plugin "${plugin}": chat stream: ${error.message}`, { plugin, host: String(payload?.host ?? '') });
  if (error.code === 'PLUGIN_ERROR' && payload) return fromPayload(payload, plugin, error.message);
  return error;
}

/** A plugin's typed error payload → the matching provider error (or a plain PluginError). */
export function fromPayload(payload: PluginErrorPayload, plugin: string, message?: string, response?: QmtHttpResponse): DaemonError {
  const type = payload.type.replace(/[_\s-]/g, '').toLowerCase();
  const text = message ?? `provider "${plugin}": ${payload.message}`;
  const status = numberOr(payload.status, response?.head.status);
  const details = { plugin, payload, ...(status !== undefined && { status }) };
  switch (type) {
    case 'autherror':
    case 'auth':
    case 'authentication':
    case 'unauthorized':
      return new DaemonError('PROVIDER_AUTH', text, details);
    case 'ratelimited':
    case 'ratelimit': {
      const retryAfterSecs = numberOr(payload.retry_after_secs, payload.retryAfterSecs, retryAfter(response));
      return new DaemonError('PROVIDER_RATE_LIMITED', text, { ...details, ...(retryAfterSecs !== undefined && { retryAfterSecs }) });
    }
    case 'contextwindowexceeded':
    case 'contextlengthexceeded':
    case 'contextlength':
      return new DaemonError('PROVIDER_CONTEXT_WINDOW', text, details);
    case 'httpstatus':
    case 'httperror':
    case 'http':
      return status === undefined ? new PluginCallError('PLUGIN_ERROR', text, details) : new DaemonError('PROVIDER_HTTP_STATUS', text, details);
    case 'transport':
      return new DaemonError('PROVIDER_TRANSPORT', text, { ...details, transport: kindOf(payload.kind) });
    case 'cancelled':
      return new DaemonError('CANCELLED', text, details);
    default:
      return new PluginCallError('PLUGIN_ERROR', text, details);
  }
}

/** The host's own reading of a non-2xx answer, for plugins without `classify_chat_error`. */
export function fromStatus(response: QmtHttpResponse, plugin: string, what: string): DaemonError {
  const status = response.head.status;
  const snippet = bodySnippet(response);
  const message = `provider "${plugin}": ${what}: HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  if (status === 401 || status === 403) return new DaemonError('PROVIDER_AUTH', message, { plugin, status });
  if (status === 429) {
    const retryAfterSecs = retryAfter(response);
    return new DaemonError('PROVIDER_RATE_LIMITED', message, { plugin, status, ...(retryAfterSecs !== undefined && { retryAfterSecs }) });
  }
  return new DaemonError('PROVIDER_HTTP_STATUS', message, { plugin, status });
}

/** The provider's error message from an OpenAI-style body, or the start of the body. */
function bodySnippet(response: QmtHttpResponse): string {
  const text = Buffer.from(response.body.slice(0, 2000)).toString('utf8');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // Not JSON: the raw text below.
  }
  return text.trim().slice(0, 300);
}

function numberOr(...values: unknown[]): number | undefined {
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

function kindOf(value: unknown): TransportKind {
  return transportKinds.has(value as TransportKind) ? (value as TransportKind) : 'other';
}
