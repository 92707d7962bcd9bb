import type { WireError } from '../messages.js';

const PREFIX = 'Plugin-originated error: ';

/**
 * QueryMT's error convention: an export that fails sets its error text with `error_set` and
 * returns 1 for a typed error whose text is `{"payload":{"type","message",…}}`, any other
 * non-zero code for a raw message. @extism/extism 1.0.3 does not expose the return code, so the
 * text decides: a JSON `payload` object (or the older `{"kind","data"}` form) is typed, anything
 * else is raw. For well-behaved plugins this is the same decision QueryMT's host makes.
 */
export function decodePluginError(text: string, fn: string): WireError {
  const parsed = parseJson(text);
  const payload = (parsed as { payload?: unknown } | undefined)?.payload;
  if (isObject(payload) && typeof payload.type === 'string') {
    const message = typeof payload.message === 'string' ? payload.message : payload.type;
    return { name: 'PluginError', code: 'PLUGIN_ERROR', message: `${fn}: ${message}`, payload: { ...payload, type: payload.type, message } };
  }
  if (isObject(parsed) && typeof parsed.kind === 'string') {
    const data = parsed.data;
    const message = typeof data === 'string' ? data : isObject(data) && typeof data.message === 'string' ? data.message : parsed.kind;
    const extra = isObject(data) ? data : {};
    return { name: 'PluginError', code: 'PLUGIN_ERROR', message: `${fn}: ${message}`, payload: { ...extra, type: legacyKind(parsed.kind), message } };
  }
  return { name: 'PluginError', code: 'PLUGIN_ERROR', message: `${fn}: ${text || 'failed without a message'}` };
}

/** Maps whatever `plugin.call` threw to a wire error: plugin-reported, trap, or host failure. */
export function classifyCallFailure(error: unknown, fn: string): WireError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith(PREFIX)) return decodePluginError(message.slice(PREFIX.length), fn);
  if (/cannot assign to this block|Offset is outside the bounds of the DataView/.test(message)) {
    // @extism/extism 1.0.3 gives every allocation of one call its own block and never reuses a
    // slot within the call; past 32,767 blocks the addresses overflow.
    return {
      name: 'PluginLimitError',
      code: 'PLUGIN_CRASHED',
      message: `${fn}: the plugin made more memory allocations in one call than @extism/extism 1.0.3 supports (about 32,700; each streamed chunk takes one) (${message})`,
    };
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return { name: 'PluginTrap', code: 'PLUGIN_TRAP', message: `${fn}: the plugin trapped (${message})` };
  }
  if (error instanceof RangeError && /call stack/i.test(message)) {
    return { name: 'PluginTrap', code: 'PLUGIN_TRAP', message: `${fn}: the plugin overflowed the stack` };
  }
  return { name: 'PluginHostError', code: 'PLUGIN_CRASHED', message: `${fn}: ${message}` };
}

// QueryMT's older convention: `{"kind": …, "data": …}` with PascalCase kinds.
function legacyKind(kind: string): string {
  const map: Record<string, string> = {
    Generic: 'generic_error',
    Provider: 'provider_error',
    Auth: 'auth_error',
    InvalidRequest: 'invalid_request',
    RateLimited: 'rate_limited',
    Http: 'http_error',
    NotImplemented: 'not_implemented',
    Cancelled: 'cancelled',
  };
  return map[kind] ?? kind;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
