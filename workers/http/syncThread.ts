import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { lines, openRequest, readAll, sendRequest, type OpenResponse } from './hostHttp.js';
import { HostNotAllowedError, HttpCancelledError, TransportError } from './errors.js';
import type { SyncEnvelope, SyncReply, SyncRequest } from './syncClient.js';

/**
 * The helper thread behind the legacy synchronous host functions (`qmt_http_request`,
 * `qmt_http_stream_*`). The plugin's worker posts one request on `port` and blocks in
 * Atomics.wait; this thread does the asynchronous HTTP, posts the reply, and wakes it.
 */
const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };
const streams = new Map<number, { res: OpenResponse; lines: AsyncGenerator<Buffer> }>();
let nextStream = 1;

port.on('message', ({ id, body }: SyncEnvelope<SyncRequest>) => {
  void answer(body).then((reply) => {
    port.postMessage({ id, body: reply } satisfies SyncEnvelope<SyncReply>);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});

async function answer(request: SyncRequest): Promise<SyncReply> {
  try {
    switch (request.op) {
      case 'request': {
        const resp = await sendRequest(request.req, request.policy);
        return { ok: true, resp };
      }
      case 'open': {
        const res = await openRequest(request.req, request.policy);
        if (res.status < 200 || res.status >= 300) return { ok: true, resp: await readAll(res) };
        const id = nextStream++;
        streams.set(id, { res, lines: lines(res.body) });
        return { ok: true, streamId: id };
      }
      case 'next': {
        const stream = streams.get(request.streamId);
        if (!stream) return { ok: true, data: null };
        const next = await stream.lines.next();
        if (next.done) {
          streams.delete(request.streamId);
          return { ok: true, data: null };
        }
        return { ok: true, data: next.value };
      }
      case 'close': {
        const stream = streams.get(request.streamId);
        streams.delete(request.streamId);
        stream?.res.close();
        return { ok: true };
      }
    }
  } catch (error) {
    if (request.op === 'next') streams.delete(request.streamId);
    if (error instanceof HostNotAllowedError) return { ok: false, kind: 'host_not_allowed', message: error.message };
    if (error instanceof TransportError) return { ok: false, kind: 'transport', transport: error.kind, message: error.message };
    if (error instanceof HttpCancelledError) return { ok: false, kind: 'cancelled', message: error.message };
    return { ok: false, kind: 'invalid_request', message: (error as Error)?.message ?? String(error) };
  }
}

parentPort?.postMessage('ready');
