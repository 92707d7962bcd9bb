import { BadRequestError } from './errors.js';
import type { QmtHttpRequest } from './types.js';

/**
 * A `*_request` export's output (`{"req":{"head":{…},"body":[…]}}`) → the request; BadRequestError
 * when malformed. The body, about four characters of JSON per byte, is decoded straight into
 * bytes: JSON.parse would build an array with one number per byte, which then has to be checked
 * and copied, four times the work for a long conversation (docs/performance.md §12.6). Output the
 * fast path does not understand takes the general one, which also words every error.
 */
export function requestFromOutput(text: string | null, fn: string): QmtHttpRequest {
  const fast = text === null ? undefined : withDecodedBody(text);
  if (fast) return checked(fast, fn);
  let output: unknown;
  try {
    output = JSON.parse(text ?? '');
  } catch {
    throw new BadRequestError(`${fn} returned invalid JSON: ${String(text).slice(0, 200)}`);
  }
  const req = checked((output as { req?: unknown } | null)?.req, fn);
  if (req.body !== undefined && req.body !== null && !(Array.isArray(req.body) && req.body.every((b) => Number.isInteger(b) && b >= 0 && b < 256))) {
    throw new BadRequestError(`${fn} returned a request body that is not an array of bytes`);
  }
  return req;
}

function checked(value: unknown, fn: string): QmtHttpRequest {
  const req = value as { head?: { uri?: unknown; method?: unknown } } | null | undefined;
  if (!req || typeof req !== 'object' || !req.head || typeof req.head.uri !== 'string' || typeof req.head.method !== 'string') {
    throw new BadRequestError(`${fn} returned an unexpected value (expected an HTTP request {"req":{"head":{"method","uri","headers"},"body":[bytes]}})`);
  }
  return req as QmtHttpRequest;
}

/** The request with its body decoded, or undefined when the output is not a well-formed request with a byte-array body. */
function withDecodedBody(text: string): unknown {
  const span = bodySpan(text);
  if (!span) return undefined;
  const body = decodeBytes(text, span[0] + 1, span[1]);
  if (!body) return undefined;
  let output: { req?: { body?: unknown } } | null;
  try {
    output = JSON.parse(`${text.slice(0, span[0])}null${text.slice(span[1] + 1)}`) as typeof output;
  } catch {
    return undefined;
  }
  const req = output?.req;
  if (!req || typeof req !== 'object' || req.body !== null) return undefined;
  req.body = body;
  return req;
}

/**
 * Where the array of `req.body` starts and ends (`[` and `]`), found by walking the JSON's
 * structure; the body itself is not walked (it holds only numbers, so it ends at the first `]`).
 */
function bodySpan(text: string): [number, number] | undefined {
  // One entry per open container: an object's current key, or undefined for an array.
  const path: Array<string | undefined> = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (keyNext) {
        try {
          path[path.length - 1] = JSON.parse(text.slice(i, end + 1)) as string;
        } catch {
          return undefined;
        }
        keyNext = false;
      }
      i = end;
    } else if (c === 0x7b) {
      path.push('');
      keyNext = true;
    } else if (c === 0x5b) {
      if (path.length === 2 && path[0] === 'req' && path[1] === 'body') {
        const close = text.indexOf(']', i);
        return close < 0 ? undefined : [i, close];
      }
      path.push(undefined);
    } else if (c === 0x7d || c === 0x5d) {
      path.pop();
    } else if (c === 0x2c) {
      keyNext = path.length > 0 && path[path.length - 1] !== undefined;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let q = text.indexOf('"', start + 1); q >= 0; q = text.indexOf('"', q + 1)) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return -1;
}

/** Decimal numbers 0–255 separated by commas (and JSON whitespace) in text[from, to) → bytes; undefined for anything else. */
function decodeBytes(text: string, from: number, to: number): Buffer | undefined {
  // One number per turn, its up to three digits read in line: the body is most of the output.
  const out = Buffer.allocUnsafe((to - from + 1) >> 1);
  let n = 0;
  let i = from;
  for (;;) {
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
    if (i >= to) return n === 0 ? out.subarray(0, 0) : undefined; // empty, or a trailing comma
    let value = c - 0x30;
    if (!(value >= 0 && value <= 9)) return undefined;
    c = text.charCodeAt(++i);
    let digit = c - 0x30;
    if (digit >= 0 && digit <= 9) {
      if (value === 0) return undefined; // a leading zero
      value = value * 10 + digit;
      c = text.charCodeAt(++i);
      digit = c - 0x30;
      if (digit >= 0 && digit <= 9) {
        value = value * 10 + digit;
        if (value > 255) return undefined;
        c = text.charCodeAt(++i);
      }
    }
    out[n++] = value;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
    if (i >= to) return out.subarray(0, n);
    if (c !== 0x2c) return undefined;
    i++;
  }
}
