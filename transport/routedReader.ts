import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageReader } from 'vscode-jsonrpc';

/**
 * A reader that offers every message to `route` as soon as it is read; what `route` takes (returns
 * true for) never reaches the connection. vscode-jsonrpc's connection queues what it reads and
 * dispatches one message per event-loop turn; a message routed here is handled in the turn it
 * arrives.
 */
export class RoutedMessageReader extends AbstractMessageReader implements MessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly route: (message: Message) => boolean,
  ) {
    super();
    inner.onError((error) => this.fireError(error));
    inner.onClose(() => this.fireClose());
    inner.onPartialMessage((info) => this.firePartialMessage(info));
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => {
      if (!this.route(message)) callback(message);
    });
  }

  override dispose(): void {
    super.dispose();
    this.inner.dispose();
  }
}
