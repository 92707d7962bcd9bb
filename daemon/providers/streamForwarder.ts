import type { ChatResult, StreamChunk } from '../../protocol/chat.js';
import { StreamAccumulator, toStreamChunks } from '../translate/results.js';

/**
 * Turns what a plugin streams (QueryMT chunk envelopes as JSON text) into protocol chunks: each is
 * forwarded as it comes and accumulated for the final result; nothing is forwarded after `done`.
 * Shared by the legacy `chat_stream` export and the HTTP-adapter parser.
 */
export class StreamForwarder {
  private readonly acc = new StreamAccumulator();

  /**
   * @param forward receives each protocol chunk
   * @param invalid called (instead of failing the stream) for output that is not JSON
   */
  constructor(
    private readonly forward: (chunk: StreamChunk) => void,
    private readonly invalid: () => void,
  ) {}

  /** One piece of plugin output: a chunk envelope, or an array of them (a parser's output). */
  take(data: string): void {
    let items: unknown;
    try {
      items = JSON.parse(data);
    } catch {
      this.invalid();
      return;
    }
    for (const item of Array.isArray(items) ? items : [items]) {
      for (const chunk of toStreamChunks(item)) {
        if (this.acc.done) return;
        this.acc.add(chunk);
        this.forward(chunk);
      }
    }
  }

  /** Ends the stream. Plugins may end it by returning; the protocol promises a final `done` chunk. */
  finish(): ChatResult {
    if (!this.acc.done) {
      const done: StreamChunk = { type: 'done', finishReason: this.acc.result().toolCalls.length ? 'toolCalls' : 'stop' };
      this.acc.add(done);
      this.forward(done);
    }
    return this.acc.result();
  }
}
