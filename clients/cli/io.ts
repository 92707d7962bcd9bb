import type { PlugdClient } from '../client.js';

/** Somewhere to write text (stdout, stderr, or a test's buffer). */
export interface Output {
  write(text: string): unknown;
}

/** What `plugd serve` hands to the daemon; mirrors daemon/main.ts `serve`'s options. */
export interface ServeOptions {
  configPath?: string;
  socketPath?: string;
  stdio?: boolean;
  watch?: boolean;
}

/** Everything the CLI touches outside itself, so commands can run against fakes in tests. */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdin is a terminal (reading it then waits for the user to type and press Ctrl-D). */
  readonly stdinIsTTY: boolean;
  /** Whether stderr is a terminal (download progress is drawn there only then). */
  readonly stderrIsTTY?: boolean;
  /** The whole of stdin, as UTF-8. */
  readStdin(): Promise<string>;
  /** Connects to the daemon at `socketPath`. */
  connect(socketPath: string): Promise<PlugdClient>;
  /** Calls `handler` on the next Ctrl-C instead of exiting; returns an unsubscribe function. */
  onInterrupt(handler: () => void): () => void;
  /** Runs the daemon in this process. */
  serve(opts: ServeOptions): Promise<void>;
  /**
   * Asks the user one question on the terminal and resolves with the line typed; undefined when
   * there is no terminal to ask on (the tool-permission prompt then denies).
   */
  prompt?(question: string, signal: AbortSignal): Promise<string | undefined>;
}
