import { BadRequestError } from './errors.js';
import type { QmtHttpRequest } from './types.js';

/** A `*_request` export's output (`{"req":{"head":{…},"body":[…]}}`) → the request; BadRequestError when malformed. */
export function requestFromOutput(text: string | null, fn: string): QmtHttpRequest {
  let output: unknown;
  try {
    output = JSON.parse(text ?? '');
  } catch {
    throw new BadRequestError(`${fn} returned invalid JSON: ${String(text).slice(0, 200)}`);
  }
  const req = (output as { req?: unknown } | null)?.req as { head?: { uri?: unknown; method?: unknown }; body?: unknown } | undefined;
  if (!req || typeof req !== 'object' || !req.head || typeof req.head.uri !== 'string' || typeof req.head.method !== 'string') {
    throw new BadRequestError(`${fn} returned an unexpected value (expected an HTTP request {"req":{"head":{"method","uri","headers"},"body":[bytes]}})`);
  }
  if (req.body !== undefined && req.body !== null && !(Array.isArray(req.body) && req.body.every((b) => Number.isInteger(b) && b >= 0 && b < 256))) {
    throw new BadRequestError(`${fn} returned a request body that is not an array of bytes`);
  }
  return req as QmtHttpRequest;
}
