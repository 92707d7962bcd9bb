import { PlugdClient } from '../client.js';
import type { CliIo, ServeOptions } from './io.js';

/** The CLI's view of the real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readStdin,
    connect: (socketPath) => PlugdClient.connect({ socketPath }),
    onInterrupt: (handler) => {
      process.once('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    serve: loadAndServe,
    prompt: askOnTerminal,
  };
}

/** One question on the terminal (stderr, so stdout stays the command's output); undefined off a terminal or once `signal` aborts. */
async function askOnTerminal(question: string, signal: AbortSignal): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the question is Ctrl-C for the command (readline would take it for itself): the
  // question ends, unanswered, and the command is cancelled.
  rl.on('SIGINT', () => {
    rl.close();
    process.emit('SIGINT', 'SIGINT');
  });
  try {
    return await rl.question(question, { signal });
  } catch {
    // Withdrawn by the daemon; or Ctrl-D or Ctrl-C ended it: an empty answer, which denies.
    return signal.aborted ? undefined : '';
  } finally {
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  process.stdin.setEncoding('utf8');
  let text = '';
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}

async function loadAndServe(opts: ServeOptions): Promise<void> {
  // Loaded on demand so client commands never pay for the daemon's imports (Extism, piscina).
  const { serve } = await import('../../daemon/main.js');
  await serve(opts);
}
