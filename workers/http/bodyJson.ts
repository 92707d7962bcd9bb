import type { QmtHttpResponse } from './types.js';

/**
 * QueryMT's JSON for HTTP bodies: an array with one number per byte. Written digit by digit into
 * a buffer: `JSON.stringify([...bytes])` first builds an array of one number per byte, ten times
 * slower for a 500 kB embeddings answer, on the daemon's main thread (docs/performance.md §12.6).
 */
export function byteArrayJson(bytes: Uint8Array | number[]): string {
  if (Array.isArray(bytes)) return JSON.stringify(bytes);
  if (bytes.length === 0) return '[]';
  const out = Buffer.allocUnsafe(bytes.length * 4 + 1);
  let n = 0;
  out[n++] = 0x5b;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 100) {
      out[n++] = 0x30 + ((b / 100) | 0);
      out[n++] = 0x30 + (((b / 10) | 0) % 10);
    } else if (b >= 10) {
      out[n++] = 0x30 + ((b / 10) | 0);
    }
    out[n++] = 0x30 + (b % 10);
    out[n++] = 0x2c;
  }
  out[n - 1] = 0x5d;
  return out.toString('latin1', 0, n);
}

/** A response as QueryMT's JSON (`{"head":{…},"body":[…]}`). */
export function responseJson(resp: QmtHttpResponse): string {
  return `{"head":${JSON.stringify(resp.head)},"body":${byteArrayJson(resp.body)}}`;
}
