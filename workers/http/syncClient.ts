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

/**
 * Synchronous HTTP for host functions: @extism/extism 1.0.3 needs in-process host functions to
 * return synchronously, so the calling thread hands the request to a helper thread and blocks
 * in Atomics.wait until the reply is on the port (read with receiveMessageOnPort).
 */
export class SyncHttp {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly channel = new MessageChannel();
  private readonly worker: Worker;

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
    Atomics.store(this.flag, 0, 0);
    this.channel.port1.postMessage(request);
    // The helper's own timeouts end every wait; this limit only guards against a dead helper.
    const outcome = Atomics.wait(this.flag, 0, 0, this.waitLimitMs);
    const message = receiveMessageOnPort(this.channel.port1);
    if (!message) {
      return { ok: false, kind: 'transport', transport: 'timeout', message: outcome === 'timed-out' ? `no answer from the HTTP helper thread within ${this.waitLimitMs} ms` : 'the HTTP helper thread gave no answer' };
    }
    return message.message as SyncReply;
  }
}
