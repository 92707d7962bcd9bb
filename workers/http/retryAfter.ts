import type { QmtHttpResponse } from './types.js';

/** Seconds to wait from a response's `Retry-After` (seconds or an HTTP date), when it has one. */
export function retryAfter(response: QmtHttpResponse | undefined): number | undefined {
  const headers = response?.head.headers ?? {};
  const value = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (value === undefined) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : undefined;
}
