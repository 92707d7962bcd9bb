import type { Writable } from 'node:stream';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc';

/**
 * A Content-Length message writer that hands each message to the stream as one buffer.
 * vscode-jsonrpc's StreamMessageWriter writes the header and the body separately (two system
 * calls per message, each awaited under a lock); socket writes were a fifth of the daemon's busy
 * time under load (docs/performance.md). Stream writes keep their order, so no lock is needed.
 */
export class FramedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;

  /**
   * @param reportClose whether the stream's close ends the connection from the writer's side.
   * A client passes false and lets its reader report the close, after the last message read
   * has been handled (see drainingReader.ts).
   */
  constructor(
    private readonly stream: NodeJS.WritableStream | Writable,
    reportClose = true,
  ) {
    super();
    stream.on('error', (error: Error) => this.fireError(error));
    if (reportClose) stream.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    const body = JSON.stringify(message);
    const length = Buffer.byteLength(body, 'utf8');
    const header = `Content-Length: ${length}\r\n\r\n`;
    const frame = Buffer.allocUnsafe(header.length + length);
    frame.write(header, 0, 'latin1');
    frame.write(body, header.length, 'utf8');
    return new Promise((resolve, reject) => {
      this.stream.write(frame, (error?: Error | null) => {
        if (!error) return resolve();
        this.fireError(error, message, ++this.errorCount);
        reject(error);
      });
    });
  }

  end(): void {
    this.stream.end();
  }
}
