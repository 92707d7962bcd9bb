import type { HttpPolicy, QmtHttpRequest } from './types.js';

/**
 * The worker-side task that runs one streamed chat of an HTTP-adapter plugin. It is sent like an
 * export call (`host.call(HTTP_STREAM_TASK, …)`), but the worker does not treat it as one: it
 * opens the parser with `chat_stream_parser_start`, sends the request, feeds every line of the
 * body to `chat_stream_parser_parse` as it arrives, then `_finish` and `_close`. The parser's
 * state lives in that worker's Extism instance, so the whole stream stays on that worker, while
 * each parser call queues with the worker's other calls: the network wait holds no instance.
 */
export const HTTP_STREAM_TASK = 'plugd:http_chat_stream';

export interface HttpStreamInput {
  /** The provider config, passed to `chat_stream_parser_start`. */
  cfg: Record<string, unknown>;
  /** The request `chat_stream_request` built, already checked against `policy.allowedHosts` by the daemon. */
  req: QmtHttpRequest;
  policy: HttpPolicy;
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
