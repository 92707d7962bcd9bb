import { BadRequestError, HostNotAllowedError, HttpCancelledError, TransportError } from './errors.js';
import { checkRequest, lines, openRequest, readAll, type OpenResponse } from './hostHttp.js';
import { requestFromOutput } from './request.js';
import type { HttpStreamInput, HttpStreamOutput } from './streamTask.js';
import type { WireError } from '../messages.js';

/** What the stream needs from the worker that runs it. */
export interface StreamDeps {
  /** Runs one export in turn with the worker's other calls; rejects with a WireError. */
  call(fn: string, input: string): Promise<string | null>;
  /** Counts the worker's Extism instances: it changes when a trap discards the instance. */
  generation(): number;
  /** Receives each non-empty parser output (a JSON array of ExtismChatChunk) as it is produced. */
  emit(chunks: string): void;
  signal: AbortSignal;
}

/**
 * One streamed chat: parser start, request, body line by line (each line with its `\n`) through
 * `chat_stream_parser_parse`, then `_finish`; `_close` always, unless the instance that held the
 * parser is gone. A non-2xx answer is read whole and returned for the daemon to classify.
 */
export async function runStream(input: HttpStreamInput, deps: StreamDeps): Promise<HttpStreamOutput> {
  const req = requestFromOutput(await deps.call('chat_stream_request', input.request), 'chat_stream_request');
  checkRequest(req, input.policy.allowedHosts);
  // The request goes out while the parser starts: both before the first byte can come back.
  const opening = openRequest(req, input.policy, deps.signal);
  opening.catch(() => undefined);
  // Node writes the request to a kept-alive socket in a next tick queued when the request was
  // made; the parser's start (a microtask) would run before it. A next tick queued now runs just
  // after that write (a setImmediate would wait for the event loop's check phase as well).
  await new Promise((resolve) => process.nextTick(resolve));
  const generation = deps.generation();
  let started: string | null;
  try {
    started = await deps.call('chat_stream_parser_start', JSON.stringify(input.cfg));
  } catch (error) {
    void opening.then((res) => res.close(), () => undefined);
    throw error;
  }
  const parserId = Number(started);
  if (started === null || !Number.isSafeInteger(parserId)) {
    void opening.then((res) => res.close(), () => undefined);
    throw { name: 'PluginError', code: 'PLUGIN_OUTPUT', message: `chat_stream_parser_start returned ${JSON.stringify(started)} (expected an integer parser id)` } satisfies WireError;
  }
  const sameInstance = () => {
    if (deps.generation() !== generation) {
      throw {
        name: 'PluginTrap',
        code: 'PLUGIN_CRASHED',
        message: 'the plugin instance holding this stream\'s parser was discarded after a trap; the stream cannot continue',
      } satisfies WireError;
    }
  };
  try {
    const res: OpenResponse = await opening;
    if (res.status < 200 || res.status >= 300) {
      const { head, body } = await readAll(res);
      // An error answer, small: it crosses to the daemon inside the task's JSON result.
      return { ...head, body: Array.from(body) };
    }
    const prefix = `{"parser_id":${parserId},"chunk":[`;
    for await (const line of lines(res.body)) {
      sameInstance();
      const out = await deps.call('chat_stream_parser_parse', prefix + line.join(',') + ']}');
      if (out && out !== '[]') deps.emit(out);
    }
    sameInstance();
    const out = await deps.call('chat_stream_parser_finish', String(parserId));
    if (out && out !== '[]') deps.emit(out);
    return { status: res.status };
  } finally {
    if (deps.generation() === generation) await deps.call('chat_stream_parser_close', String(parserId)).catch(() => undefined);
  }
}

/** Anything the stream threw → the error that crosses back to the daemon. */
export function streamFailure(error: unknown): WireError {
  if (error instanceof TransportError) return { name: 'TransportError', code: 'PROVIDER_TRANSPORT', message: error.message, payload: { type: 'transport', kind: error.kind, message: error.message } };
  if (error instanceof HostNotAllowedError) return { name: 'HostNotAllowedError', code: 'HOST_NOT_ALLOWED', message: error.message, payload: { type: 'host_not_allowed', host: error.host, message: error.message } };
  if (error instanceof HttpCancelledError) return { name: 'CancelledError', code: 'CANCELLED', message: error.message };
  if (error instanceof BadRequestError) return { name: 'PluginError', code: 'PLUGIN_OUTPUT', message: error.message };
  if (typeof error === 'object' && error !== null && typeof (error as WireError).code === 'string' && !(error instanceof Error)) return error as WireError;
  return { name: 'PluginHostError', code: 'PLUGIN_CRASHED', message: `stream: ${(error as Error)?.message ?? String(error)}` };
}
