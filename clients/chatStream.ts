import type { ChatResult, StreamChunk } from '../protocol/chat.js';

/**
 * A running `providers/chatStream` request.
 *
 * Iterate it (once) with `for await` to receive chunks in `seq` order as they arrive; the
 * iteration ends after the request settles and every chunk received so far was yielded, and
 * throws the request's typed error if it failed. Leaving the loop early (`break`, `return`,
 * a throw) cancels the request. `result` settles with the assembled answer; it is safe to
 * ignore (its rejection is never reported as unhandled).
 */
export interface ChatStream extends AsyncIterable<StreamChunk> {
  /** The client-generated id that tags this stream's chunk notifications. */
  readonly streamId: string;
  /** The final result; rejects with a typed error (`CancelledError` once cancelled). */
  readonly result: Promise<ChatResult>;
  /** Cancels the request if it is still running. */
  cancel(): void;
}

/**
 * The client-side state of one chat stream: reorders chunks by `seq`, buffers them until the
 * consumer asks, and ends the iteration when the request settles.
 */
export class ChatStreamState implements ChatStream {
  readonly streamId: string;
  readonly result: Promise<ChatResult>;
  readonly #abort: AbortController;
  readonly #release: () => void;
  /** Chunks in order, ready to yield. */
  #ready: StreamChunk[] = [];
  /** Chunks that arrived ahead of a gap, by seq. */
  readonly #early = new Map<number, StreamChunk>();
  #nextSeq = 0;
  #settled: { error: Error | undefined } | undefined;
  /** The consumer is done (iteration ended or was abandoned): later chunks are dropped. */
  #finished = false;
  #iterated = false;
  #waiters: Array<() => void> = [];

  /**
   * @param streamId the id the request was sent with
   * @param abort aborting it cancels the request
   * @param result the request's (typed-error) promise
   * @param release unregisters the stream from chunk routing
   */
  constructor(streamId: string, abort: AbortController, result: Promise<ChatResult>, release: () => void) {
    this.streamId = streamId;
    this.#abort = abort;
    this.#release = release;
    this.result = result;
    result.then(
      () => this.#settle(undefined),
      (error: Error) => this.#settle(error),
    );
  }

  /** Accepts one chunk notification. Duplicates and chunks after the end are dropped. */
  push(seq: number, chunk: StreamChunk): void {
    if (this.#finished || this.#settled || seq < this.#nextSeq) return;
    this.#early.set(seq, chunk);
    for (let next = this.#early.get(this.#nextSeq); next !== undefined; next = this.#early.get(this.#nextSeq)) {
      this.#early.delete(this.#nextSeq);
      this.#ready.push(next);
      this.#nextSeq++;
    }
    this.#wake();
  }

  cancel(): void {
    if (!this.#settled) this.#abort.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamChunk> {
    if (this.#iterated) throw new Error('a chat stream can be iterated only once');
    this.#iterated = true;
    return {
      next: () => this.#next(),
      return: async () => {
        this.#finish();
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  async #next(): Promise<IteratorResult<StreamChunk>> {
    for (;;) {
      if (this.#finished) return { done: true, value: undefined };
      const chunk = this.#ready.shift();
      if (chunk !== undefined) return { done: false, value: chunk };
      if (this.#settled) {
        this.#finish();
        if (this.#settled.error) throw this.#settled.error;
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #settle(error: Error | undefined): void {
    this.#settled = { error };
    this.#release();
    // Whatever arrived is still delivered, even across a gap the daemon never filled.
    const stragglers = [...this.#early.entries()].sort(([a], [b]) => a - b).map(([, chunk]) => chunk);
    this.#early.clear();
    this.#ready.push(...stragglers);
    this.#wake();
  }

  #finish(): void {
    this.#finished = true;
    this.#ready = [];
    this.#early.clear();
    this.#release();
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
