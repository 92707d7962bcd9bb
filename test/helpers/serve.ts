import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { PlugdClient } from '../../clients/client.js';
import type { DaemonStatusRequest } from '../../protocol/daemon.js';
import { cliMain } from './paths.js';

/**
 * Spawning `plugd serve` with arbitrary arguments, cwd and environment (DaemonProcess always
 * passes its own --config and --socket), plus small waiting utilities shared by the daemon tests.
 */

/** This process's environment without the variables that steer plugd's config and socket search. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['PLUGD_CONFIG', 'PLUGD_SOCKET', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'PLUGD_LOG']) delete env[key];
  return { ...env, ...extra };
}

export interface ServeRun {
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  readonly stderr: string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited(): Promise<number | string>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Spawns `plugd serve ...args` (stdin ignored, stdout and stderr captured). */
export function spawnServe(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServeRun {
  const child = spawn(process.execPath, [cliMain, 'serve', ...args], {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  child.stdout?.resume();
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return {
    child,
    get stderr() {
      return stderr;
    },
    exited: () => exit,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `plugd serve ...args` to completion (killing it after `timeoutMs`), for config errors. */
export async function serveToExit(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | string; stderr: string }> {
  const run = spawnServe(args, options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
  const code = await run.exited();
  clearTimeout(timer);
  return { code, stderr: run.stderr };
}

/** Resolves once something accepts connections on the unix socket `path` (tried every `pollMs`). */
export async function waitForSocket(path: string, run: ServeRun, timeoutMs = 15_000, pollMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`plugd exited (${run.child.exitCode ?? run.child.signalCode}) before listening on ${path}:\n${run.stderr}`);
    }
    if (await canConnect(path)) return;
    await sleep(pollMs);
  }
  throw new Error(`plugd did not listen on ${path} within ${timeoutMs} ms:\n${run.stderr}`);
}

export function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a message naming `what` when `promise` has not settled within `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: did not settle within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `daemon/status` until no plugin is `loading`; returns that status. */
export async function waitSettled(client: PlugdClient, timeoutMs = 15_000): Promise<DaemonStatusRequest.Result> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.status();
    if (status.plugins.every((p) => p.state !== 'loading')) return status;
    if (Date.now() > deadline) throw new Error(`plugins still loading after ${timeoutMs} ms: ${JSON.stringify(status.plugins)}`);
    await sleep(20);
  }
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: still false after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The error a promise rejects with; throws if it resolves. */
export async function rejection(promise: Promise<unknown>, what = 'the call'): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${what} resolved, but it was expected to fail`);
}

export { once };

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `plugd` CLI as a separate process (`args` after `plugd`, `env` on top of a clean one), to completion. */
export async function runCli(args: string[], timeoutMs = 15_000, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [cliMain, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
