import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Transport } from './transport.js';
import { waitForEvent } from './waitFor.js';

/** Options for running a private daemon as a child process that speaks JSON-RPC on its stdio. */
export interface StdioOptions {
  /** Extra arguments appended to the command, e.g. `['--config', path]`. */
  args?: string[];
  /** The full command to run instead of `node <plugd>/dist/clients/cli/main.js serve --stdio`. */
  command?: string[];
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The child's working directory (default: this process's). */
  cwd?: string;
  /** Where the daemon's stderr (its logs) goes: inherited (default), discarded, or piped into a stream. */
  stderr?: 'inherit' | 'ignore' | NodeJS.WritableStream;
}

// The daemon gets this long to exit on its own once its stdin ends, then SIGTERM, then SIGKILL.
const EXIT_GRACE_MS = 3000;
const TERM_GRACE_MS = 2000;
// The child's stdout usually closes just before its exit event; wait this long for the exit status.
const EXIT_STATUS_WAIT_MS = 250;

/** The compiled CLI entry point, next to this compiled file (dist/clients/ → dist/clients/cli/main.js). */
export function cliMainPath(): string {
  return fileURLToPath(new URL('./cli/main.js', import.meta.url));
}

/** Spawns a daemon in `--stdio` mode; closing the transport ends its stdin and waits for it to exit. */
export async function spawnStdio(opts: StdioOptions = {}): Promise<Transport> {
  const command = opts.command ?? defaultCommand();
  const [file, ...commandArgs] = command;
  if (!file) throw new TypeError('spawnStdio: `command` must not be empty');
  const stderr = opts.stderr ?? 'inherit';
  const child = spawn(file, [...commandArgs, ...(opts.args ?? [])], {
    stdio: ['pipe', 'pipe', typeof stderr === 'string' ? stderr : 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  if (typeof stderr !== 'string') child.stderr?.pipe(stderr, { end: false });
  await once(child, 'spawn');
  const { stdin, stdout } = child;
  if (!stdin || !stdout) throw new Error('spawnStdio: the child has no stdio pipes');
  // A daemon that dies mid-write makes stdin emit EPIPE; the connection reports the close instead.
  stdin.on('error', () => {});

  return {
    readable: stdout,
    writable: stdin,
    close: () => stopChild(child),
    closeReason: async () => {
      if (!hasExited(child)) await waitForEvent(child, 'exit', EXIT_STATUS_WAIT_MS);
      return exitDescription(child);
    },
  };
}

function defaultCommand(): string[] {
  const main = cliMainPath();
  if (!existsSync(main)) throw new Error(`plugd is not built: ${main} does not exist (run \`npm run build\`)`);
  return [process.execPath, main, 'serve', '--stdio'];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = waitForEvent(child, 'exit', EXIT_GRACE_MS);
  child.stdin?.end();
  if (await exited) return;
  const terminated = waitForEvent(child, 'exit', TERM_GRACE_MS);
  child.kill('SIGTERM');
  if (await terminated) return;
  const killed = once(child, 'exit');
  child.kill('SIGKILL');
  await killed;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exitDescription(child: ChildProcess): string | undefined {
  if (child.exitCode !== null) return `the plugd daemon process exited with code ${child.exitCode}`;
  if (child.signalCode !== null) return `the plugd daemon process was killed by ${child.signalCode}`;
  return undefined;
}
