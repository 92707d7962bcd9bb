import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageReader } from 'vscode-jsonrpc';

/** A header block longer than this without its blank line is not a JSON-RPC frame. */
const MAX_HEADER_BYTES = 8192;
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * A Content-Length message reader that delivers each message in the same turn its last byte
 * arrives. vscode-jsonrpc's StreamMessageReader decodes every message under a semaphore that
 * waits for a `setImmediate` and then awaits two decoder promises: a few hundred µs on the first
 * token's path on an idle machine (docs/performance.md §12.3). Frames are read in order, so
 * nothing needs the semaphore. Pairs with FramedMessageWriter.
 *
 * A malformed header or body is reported once through `onError` and ends reading: the stream is
 * out of sync and its owner closes it.
 */
export class FramedMessageReader extends AbstractMessageReader implements MessageReader {
  /** Bytes received and not yet consumed, in arrival order. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The body length of the message being read, once its header is in; -1 before. */
  private bodyLength = -1;
  private failed = false;
  private detach: (() => void) | undefined;

  constructor(private readonly readable: NodeJS.ReadableStream) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (data: Buffer | string) => this.onData(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, callback);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('close', onClose);
    this.detach = () => {
      this.readable.off('data', onData);
      this.readable.off('error', onError);
      this.readable.off('close', onClose);
    };
    return { dispose: () => this.detach?.() };
  }

  override dispose(): void {
    super.dispose();
    this.detach?.();
  }

  private onData(data: Buffer, callback: DataCallback): void {
    if (this.failed) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    for (;;) {
      if (this.bodyLength < 0) {
        const buffer = this.joined();
        const end = buffer.indexOf(HEADER_END);
        if (end < 0) {
          if (buffer.length > MAX_HEADER_BYTES) this.fail(`no end of header within ${MAX_HEADER_BYTES} bytes`);
          return;
        }
        const length = contentLength(buffer.toString('latin1', 0, end));
        if (typeof length === 'string') return this.fail(length);
        this.bodyLength = length;
        this.consume(end + HEADER_END.length);
      }
      if (this.pendingBytes < this.bodyLength) return;
      const body = this.joined().subarray(0, this.bodyLength);
      this.consume(this.bodyLength);
      this.bodyLength = -1;
      let message: Message;
      try {
        message = JSON.parse(body.toString('utf8')) as Message;
      } catch (error) {
        return this.fail(`the message body is not valid JSON (${(error as Error).message})`);
      }
      callback(message);
      if (this.failed || this.pendingBytes === 0) return;
    }
  }

  /** Everything pending, as one buffer (concatenated once, when a frame spans reads). */
  private joined(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0] ?? Buffer.alloc(0);
  }

  private consume(bytes: number): void {
    const rest = this.joined().subarray(bytes);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
  }

  private fail(reason: string): void {
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.fireError(new Error(reason));
  }
}

/** The body length a header block declares, or why it declares none. */
function contentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line ${JSON.stringify(line.slice(0, 80))} (expected "Name: value")`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return `Content-Length must be a number of bytes, got ${JSON.stringify(value.slice(0, 40))}`;
      length = Number(value);
    } else if (name === 'content-type') {
      const charset = /charset=([^;\s]+)/i.exec(value)?.[1]?.toLowerCase();
      if (charset && charset !== 'utf-8' && charset !== 'utf8') return `unsupported charset ${JSON.stringify(charset)} (only utf-8)`;
    }
  }
  return length ?? 'the header has no Content-Length';
}
