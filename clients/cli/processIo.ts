import { PlugdClient } from '../client.js';
import type { CliIo, ServeOptions } from './io.js';

/** The CLI's view of the real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    readStdin,
    connect: (socketPath) => PlugdClient.connect({ socketPath }),
    onInterrupt: (handler) => {
      process.once('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    serve: loadAndServe,
  };
}

async function readStdin(): Promise<string> {
  process.stdin.setEncoding('utf8');
  let text = '';
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}

async function loadAndServe(opts: ServeOptions): Promise<void> {
  // A variable specifier keeps tsc from resolving daemon/main.js at compile time (the daemon is
  // built separately), and loads the daemon only for `plugd serve`, keeping client commands fast.
  const specifier = '../../daemon/main.js';
  const daemon = (await import(specifier)) as { serve(opts: ServeOptions): Promise<void> };
  await daemon.serve(opts);
}
