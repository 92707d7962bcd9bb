/** A duplex byte channel to a daemon, plus how to release it. */
export interface Transport {
  /** Bytes from the daemon (Content-Length framed JSON-RPC). */
  readonly readable: NodeJS.ReadableStream;
  /** Bytes to the daemon. */
  readonly writable: NodeJS.WritableStream;
  /** Hangs up and releases the channel's resources (socket, child process). Called at most once. */
  close(): Promise<void>;
  /**
   * Why the channel ended, once it has, when the transport knows better than "closed" (e.g. a
   * child's exit code). Never rejects.
   */
  closeReason?(): Promise<string | undefined>;
}

/** Wraps caller-owned streams; closing ends the writable side, which tells the daemon we left. */
export function streamTransport(readable: NodeJS.ReadableStream, writable: NodeJS.WritableStream): Transport {
  return {
    readable,
    writable,
    close: async () => {
      writable.end();
    },
  };
}
