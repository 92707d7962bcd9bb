import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { BadRequestError, HostNotAllowedError, HttpCancelledError, TransportError, transportFailure } from './errors.js';
import type { HttpPolicy, QmtHttpRequest, QmtHttpResponse } from './types.js';

/**
 * The HTTP client the host uses on a plugin's behalf: node:http(s) rather than fetch, because
 * plugd needs the three timeouts separately (connect, first byte, idle between body pieces) and
 * the socket error codes that say refused / reset / DNS / TLS. Every request is checked against
 * the plugin's allowed hosts first; nothing is logged here (headers carry API keys).
 */

// Keep-alive: the next request from this thread to the same server skips the handshake (plain
// calls go out from the daemon's main thread, streams from the plugin's worker: one pool each).
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
// For the one retry after a stale kept-alive socket: a new connection, closed after its answer
// (the next request opens a kept-alive one through `agents` again).
const freshAgents = { 'http:': new http.Agent({ keepAlive: false }), 'https:': new https.Agent({ keepAlive: false }) };

/** A response whose head has arrived; its body is read as it comes. */
export interface OpenResponse {
  status: number;
  headers: Record<string, string>;
  version: string;
  /** The body, piece by piece; throws TransportError on a reset or an idle timeout. */
  body: AsyncIterable<Buffer>;
  /** Stops reading and closes the connection. */
  close(): void;
}

/** The host part of a URL as allowed_hosts spells it (`host` or `host:port`). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Whether `url` may be requested under these patterns. */
function hostAllowed(url: URL, allowed: string[]): boolean {
  const host = hostOf(url).toLowerCase();
  const withPort = url.port ? `${host}:${url.port}` : host;
  return allowed.some((raw) => {
    const pattern = raw.toLowerCase();
    if (pattern === '*') return true;
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1);
      return host.endsWith(suffix) || withPort.endsWith(suffix);
    }
    return pattern === host || pattern === withPort;
  });
}

// The last URI that passed the check, under which allowed list: a provider sends every chat to
// the same URI, and parsing and matching it again cost tens of µs on a first token's path.
let lastAllowed: { uri: string; allowed: string; url: URL } | undefined;

/** Parses and checks a plugin-built request's URL; throws HostNotAllowedError or BadRequestError. */
export function checkRequest(req: QmtHttpRequest, allowed: string[]): URL {
  const uri = String(req?.head?.uri ?? '');
  const allowedKey = allowed.join('\n');
  if (lastAllowed && lastAllowed.uri === uri && lastAllowed.allowed === allowedKey) return lastAllowed.url;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new BadRequestError(`the plugin built a request with an invalid URI ${JSON.stringify(req?.head?.uri ?? null).slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequestError(`the plugin built a request for ${url.protocol} (only http: and https: are supported)`);
  if (!hostAllowed(url, allowed)) throw new HostNotAllowedError(url.port ? `${hostOf(url)}:${url.port}` : hostOf(url), allowed);
  lastAllowed = { uri, allowed: allowedKey, url };
  return url;
}

/** Sends a plugin-built request; resolves once the response head has arrived. */
export async function openRequest(req: QmtHttpRequest, policy: HttpPolicy, signal?: AbortSignal): Promise<OpenResponse> {
  try {
    return await attempt(req, policy, signal);
  } catch (error) {
    // A kept-alive connection the server closed while idle fails at once on reuse (Node's docs
    // name this race); the request never reached the server, so it is sent again on a new one.
    // (Plugin workers that stream wait for tasks in their event loop, so they see a server's FIN
    // while idle and this stays a race: daemon/plugins/wasmHost.ts.)
    if (error instanceof StaleSocketError) return attempt(req, policy, signal, false);
    throw error;
  }
}

class StaleSocketError extends Error {}

function attempt(req: QmtHttpRequest, policy: HttpPolicy, signal: AbortSignal | undefined, reuse = true): Promise<OpenResponse> {
  const url = checkRequest(req, policy.allowedHosts);
  const method = String(req.head.method ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new BadRequestError(`the plugin built a request with an invalid method ${JSON.stringify(req.head.method)}`);
  const bytes = req.body instanceof Uint8Array ? req.body : Array.isArray(req.body) ? Buffer.from(req.body) : undefined;
  const body = bytes?.length ? bytes : undefined;
  // Headers as a flat list, which node:http writes out as they are (an object costs a validated
  // setHeader each, about a third of building the request on a first token's path); so the Host
  // header is added here, as node:http adds it to an object's.
  const headers: string[] = [];
  let host = false;
  let length = false;
  for (const [k, v] of Object.entries(req.head.headers ?? {})) {
    const name = k.toLowerCase();
    host ||= name === 'host';
    length ||= name === 'content-length';
    headers.push(k, String(v));
  }
  if (!host) headers.push('Host', url.host);
  if (body && !length) headers.push('Content-Length', String(body.length));
  const { timeouts } = policy;
  const where = `${url.protocol}//${url.host}`;

  return new Promise<OpenResponse>((resolve, reject) => {
    if (signal?.aborted) return reject(new HttpCancelledError('the request was cancelled before it was sent'));
    const lib = url.protocol === 'https:' ? https : http;
    let timer: NodeJS.Timeout | undefined;
    let failure: Error | undefined;
    const arm = (ms: number, what: string, key: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        failure = new TransportError('timeout', `${what} ${where} took longer than ${ms} ms (${key})`);
        request.destroy(failure);
      }, ms);
    };
    const onAbort = () => {
      failure = new HttpCancelledError('the request was cancelled');
      request.destroy(failure);
    };
    const target = { protocol: url.protocol, hostname: hostOf(url), port: url.port, path: url.pathname + url.search };
    const request = lib.request({ ...target, method, headers, agent: reuse ? agents[url.protocol as 'http:' | 'https:'] : freshAgents[url.protocol as 'http:' | 'https:'] });
    signal?.addEventListener('abort', onAbort, { once: true });
    arm(timeouts.connectMs, 'connecting to', 'connect_timeout_ms');
    request.on('socket', (socket) => {
      const connected = () => arm(timeouts.firstByteMs, 'waiting for the response from', 'first_byte_timeout_ms');
      if (!socket.connecting) connected();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    });
    let responded = false;
    request.on('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const code = (error as NodeJS.ErrnoException).code;
      if (!failure && !responded && reuse && request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) return reject(new StaleSocketError());
      reject(failure ?? transportFailure(error, url));
    });
    request.on('response', (res: IncomingMessage) => {
      responded = true;
      clearTimeout(timer);
      const head: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) head[k] = Array.isArray(v) ? v.join(', ') : v;
      resolve({
        status: res.statusCode ?? 0,
        headers: head,
        version: `HTTP/${res.httpVersion}`,
        body: readBody(res, url, timeouts.idleMs, () => failure, () => signal?.removeEventListener('abort', onAbort)),
        close: () => res.destroy(),
      });
    });
    request.end(body);
  });
}

async function* readBody(res: IncomingMessage, url: URL, idleMs: number, failure: () => Error | undefined, done: () => void): AsyncGenerator<Buffer> {
  let idle: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = new TransportError('timeout', `the response body from ${url.protocol}//${url.host} stalled for more than ${idleMs} ms (idle_timeout_ms)`);
      res.destroy(idle);
    }, idleMs);
  };
  try {
    arm();
    for await (const piece of res) {
      arm();
      yield piece as Buffer;
    }
    // A body cut short without an error event (the peer closed mid-body).
    if (!res.complete) throw new TransportError('reset', `the connection to ${url.protocol}//${url.host} closed before the response body was complete`);
  } catch (error) {
    if (error instanceof TransportError || error instanceof HttpCancelledError) throw error;
    throw idle ?? failure() ?? transportFailure(error, url);
  } finally {
    clearTimeout(timer);
    done();
    res.destroy();
  }
}

/** Sends a request and reads the whole response. */
export async function sendRequest(req: QmtHttpRequest, policy: HttpPolicy, signal?: AbortSignal): Promise<QmtHttpResponse> {
  return readAll(await openRequest(req, policy, signal));
}

/** Reads an opened response to its end, in QueryMT's response shape (write it out with bodyJson.ts's responseJson). */
export async function readAll(res: OpenResponse): Promise<QmtHttpResponse> {
  const pieces: Buffer[] = [];
  for await (const piece of res.body) pieces.push(piece);
  return { head: { status: res.status, headers: res.headers, version: res.version }, body: Buffer.concat(pieces) };
}

/** Splits a byte stream into lines, each with its `\n` (the last one may lack it). */
export async function* lines(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let rest: Buffer | undefined;
  for await (const piece of body) {
    const data = rest ? Buffer.concat([rest, piece]) : piece;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      yield data.subarray(start, nl + 1);
      start = nl + 1;
    }
    rest = start < data.length ? data.subarray(start) : undefined;
  }
  if (rest?.length) yield rest;
}
