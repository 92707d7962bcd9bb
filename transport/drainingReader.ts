import { AbstractMessageReader, Message, type DataCallback, type Disposable, type MessageReader, type NotificationMessage } from 'vscode-jsonrpc';
import { FramedMessageReader } from './framedReader.js';

/** The method of the marker queued behind the last message read; never sent on the wire. */
export const END_OF_INPUT = '$/plugd/endOfInput';

/**
 * A reader that reports the end of the stream only after every message read before it has been
 * dispatched. vscode-jsonrpc's connection queues incoming messages and dispatches one per
 * event-loop turn, but fires `onClose` as soon as the reader reports the close; a daemon that
 * wrote a long stream and then exited would otherwise have its last chunks and its answer dropped.
 * At the end of input this reader queues a marker notification behind the real messages; the
 * client calls `drained()` when the marker is dispatched, and only then is the close reported.
 * (Pair it with a writer that does not report the stream's close itself: FramedMessageWriter
 * with `reportClose` false.)
 */
export class DrainingMessageReader extends AbstractMessageReader implements MessageReader {
  private readonly inner: FramedMessageReader;
  private callback: DataCallback | undefined;
  private readonly direct = new Map<string, (params: unknown) => void>();

  constructor(readable: NodeJS.ReadableStream) {
    super();
    this.inner = new FramedMessageReader(readable);
    this.inner.onError((error) => this.fireError(error));
    this.inner.onClose(() => {
      if (this.callback) this.callback({ jsonrpc: '2.0', method: END_OF_INPUT } as Parameters<DataCallback>[0]);
      else this.fireClose();
    });
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    return this.inner.listen((message) => {
      const direct = Message.isNotification(message) ? this.direct.get(message.method) : undefined;
      if (direct) direct((message as NotificationMessage).params);
      else callback(message);
    });
  }

  /**
   * Hands notifications of `method` to `handler` as soon as they are read, instead of through the
   * connection's queue, which dispatches one message per event-loop turn (a `setImmediate` each).
   * For chat chunks: they are most of the traffic and the first one is the time to first token.
   * A request's answer still goes through the queue, so it is handled after every notification
   * read before it, as before.
   */
  handleDirectly(method: string, handler: (params: unknown) => void): Disposable {
    this.direct.set(method, handler);
    return { dispose: () => void this.direct.delete(method) };
  }

  /** Called when the marker is dispatched: everything read has been handled. */
  drained(): void {
    this.fireClose();
  }

  override dispose(): void {
    super.dispose();
    this.inner.dispose();
  }
}
