import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { HttpPolicy, QmtHttpRequest, QmtHttpResponse, TransportKind } from './types.js';

/** One request to the helper thread (workers/http/syncThread.ts). */
export type SyncRequest =
  | { op: 'request'; req: QmtHttpRequest; policy: HttpPolicy }
  | { op: 'open'; req: QmtHttpRequest; policy: HttpPolicy }
  | { op: 'next'; streamId: number }
  | { op: 'close'; streamId: number };

export type SyncReply =
  | { ok: true; resp?: QmtHttpResponse; streamId?: number; data?: Uint8Array | null }
  | { ok: false; kind: 'host_not_allowed' | 'transport' | 'cancelled' | 'invalid_request'; transport?: TransportKind; message: string };

/** What crosses the port: each reply carries the id of its request. */
export interface SyncEnvelope<T> {
  id: number;
  body: T;
}

/**
 * Synchronous HTTP for host functions: @extism/extism 1.0.3 needs in-process host functions to
 * return synchronously, so the calling thread hands the request to a helper thread and blocks
 * in Atomics.wait until the reply is on the port (read with receiveMessageOnPort). A reply that
 * comes after its wait gave up is stale: it is dropped by its id (a stale opened stream is
 * closed), so it can never be read as the answer to a later request.
 */
export class SyncHttp {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly channel = new MessageChannel();
  private readonly worker: Worker;
  private nextId = 0;

  constructor(private readonly waitLimitMs: number) {
    this.worker = new Worker(new URL('./syncThread.js', import.meta.url), {
      workerData: { port: this.channel.port2, flag: this.flag },
      transferList: [this.channel.port2],
      env: {},
    });
    this.worker.unref();
    this.channel.port1.unref();
  }

  call(request: SyncRequest): SyncReply {
    const id = this.post(request);
    // The helper's own timeouts end every wait; this limit only guards against a dead or stuck helper.
    const deadline = performance.now() + this.waitLimitMs;
    for (;;) {
      // Cleared before the port is read: a reply posted after the read sets it again, so the wait below returns.
      Atomics.store(this.flag, 0, 0);
      for (let message = receiveMessageOnPort(this.channel.port1); message; message = receiveMessageOnPort(this.channel.port1)) {
        const { id: replyTo, body } = message.message as SyncEnvelope<SyncReply>;
        if (replyTo === id) return body;
        if (body.ok && body.streamId !== undefined) this.post({ op: 'close', streamId: body.streamId });
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        return { ok: false, kind: 'transport', transport: 'timeout', message: `no answer from the HTTP helper thread within ${this.waitLimitMs} ms` };
      }
      Atomics.wait(this.flag, 0, 0, left);
    }
  }

  private post(request: SyncRequest): number {
    const id = (this.nextId = (this.nextId % 0x7fffffff) + 1);
    this.channel.port1.postMessage({ id, body: request } satisfies SyncEnvelope<SyncRequest>);
    return id;
  }
}
