import type { HttpPolicy } from './types.js';

/**
 * The worker-side task that runs one streamed chat of an HTTP-adapter plugin. It is sent like an
 * export call (`host.call(HTTP_STREAM_TASK, …)`), but the worker does not treat it as one: it
 * builds the request with `chat_stream_request`, checks it against the allowed hosts, sends it
 * while `chat_stream_parser_start` opens the parser, feeds every line of the
 * body to `chat_stream_parser_parse` as it arrives, then `_finish` and `_close`. The parser's
 * state lives in that worker's Extism instance, so the whole stream stays on that worker, while
 * each parser call queues with the worker's other calls: the network wait holds no instance.
 */
export const HTTP_STREAM_TASK = 'plugd:http_chat_stream';

/** Whether a plugin's workers run HTTP streams (it has the parser exports); they then hold sockets between tasks. */
export function runsHttpStreams(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.kind === 'function' && e.name === 'chat_stream_parser_start');
}

export interface HttpStreamInput {
  /** The provider config, passed to `chat_stream_parser_start`. */
  cfg: Record<string, unknown>;
  /** The input for `chat_stream_request` (`{"cfg","messages","tools"}`, JSON text). */
  request: string;
  policy: HttpPolicy;
}

/**
 * The task's input text: `{"cfg","policy"}` as JSON, a newline, then the `chat_stream_request`
 * input as it is. Written inside the JSON as a string, a long conversation would be escaped here
 * and unescaped in the worker, which took longer than the rest of the hop (docs/performance.md
 * §12.6). JSON.stringify never writes a raw newline, so the first one ends the header.
 */
export function encodeStreamTask(input: HttpStreamInput): string {
  return `${JSON.stringify({ cfg: input.cfg, policy: input.policy })}\n${input.request}`;
}

export function decodeStreamTask(text: string): HttpStreamInput {
  const newline = text.indexOf('\n');
  if (newline < 0) throw new Error('a stream task without its header line');
  const header = JSON.parse(text.slice(0, newline)) as Omit<HttpStreamInput, 'request'>;
  return { cfg: header.cfg, policy: header.policy, request: text.slice(newline + 1) };
}

/**
 * The task's output: `{"status"}` when a 2xx body was streamed through the parser; for any other
 * status the whole response (`status`, `headers`, `body` bytes), which the daemon classifies.
 */
export interface HttpStreamOutput {
  status: number;
  headers?: Record<string, string>;
  version?: string;
  body?: number[];
}
