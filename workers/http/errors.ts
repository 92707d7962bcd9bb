import type { TransportKind } from './types.js';

/** A request the host refused to send: its host is not in the plugin's allowed hosts. */
export class HostNotAllowedError extends Error {
  override name = 'HostNotAllowedError';
  constructor(
    readonly host: string,
    readonly allowed: string[],
  ) {
    super(
      `the plugin asked for a request to "${host}", which is not in its allowed hosts (${allowed.length ? allowed.map((h) => `"${h}"`).join(', ') : 'none'}); add it to allowed_hosts in plugins.toml`,
    );
  }
}

/** The plugin built a request the host cannot send (bad method, URI or header). */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

/** A request that failed below HTTP: connection refused or reset, a timeout, DNS, TLS. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly kind: TransportKind,
    message: string,
  ) {
    super(message);
  }
}

/** The request was aborted by its caller (cancellation or client disconnect). */
export class HttpCancelledError extends Error {
  override name = 'HttpCancelledError';
}

/** Maps a socket / TLS / DNS error (Node error codes) to a transport kind and message. */
export function transportFailure(error: unknown, url: URL): TransportError {
  const code = String((error as NodeJS.ErrnoException)?.code ?? '');
  const detail = `${(error as Error)?.message ?? String(error)}`;
  const where = `${url.protocol}//${url.host}`;
  if (code === 'ECONNREFUSED') return new TransportError('refused', `connection to ${where} refused`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || /socket hang up|aborted/i.test(detail)) {
    return new TransportError('reset', `connection to ${where} was reset (${detail})`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return new TransportError('dns', `cannot resolve ${url.hostname} (${code})`);
  // OpenSSL's own failures (a server that does not speak TLS: "wrong version number") come as EPROTO.
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SSL|TLS/.test(code) || (code === 'EPROTO' && /SSL routines/.test(detail))) {
    return new TransportError('tls', `TLS failure talking to ${where} (${code || detail})`);
  }
  if (code === 'ETIMEDOUT') return new TransportError('timeout', `connection to ${where} timed out`);
  return new TransportError('other', `request to ${where} failed (${code || detail})`);
}
