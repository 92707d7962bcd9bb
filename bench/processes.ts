import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlugdClient } from '../clients/client.js';
import type { ProviderSpec } from '../test/helpers/config.js';
import { DaemonProcess } from '../test/helpers/daemonProcess.js';
import type { CallTarget } from './measure.js';
import { echoWasmPath } from './echoPlugin.js';

const echoServerMain = fileURLToPath(new URL('./echoServer.js', import.meta.url));

/** A running bench/echoServer.ts process. */
export interface EchoServer {
  socketPath: string;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns the plain vscode-jsonrpc echo server on a private socket and waits for it to listen. */
export async function startEchoServer(): Promise<EchoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-bench-'));
  const socketPath = join(dir, 'echo.sock');
  const child = spawn(process.execPath, [echoServerMain, socketPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the echo server did not start within 10 s')), 10_000);
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the echo server exited with code ${code} before listening`));
    });
  });
  return {
    socketPath,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EchoDaemonOptions {
  threads?: number;
  profileDir?: string | null;
  /** Overrides for the `echo` provider entry, e.g. the native echo's path and its isolation. */
  provider?: Partial<ProviderSpec>;
}

/**
 * Starts a real `plugd serve` (dist/clients/cli/main.js) on a private socket with the echo plugin
 * as provider `echo`, logging at info (the daemon's default). With `profileDir`, the daemon runs
 * under `--cpu-prof` and writes its profiles (main thread and workers) there when stopped.
 */
export function startEchoDaemon(options: EchoDaemonOptions = {}): Promise<DaemonProcess> {
  return DaemonProcess.start({
    config: [{ name: 'echo', path: echoWasmPath, ...(options.threads ? { threads: options.threads } : {}), ...options.provider }],
    env: { PLUGD_LOG: 'info' },
    ...(options.profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] } : {}),
  });
}

/**
 * Opens a call target on a fresh echo daemon: `prepare` connects and returns the call to measure;
 * the daemon is stopped (with its stderr in the error) if preparing fails, and on close.
 */
export function echoDaemonTarget(
  options: EchoDaemonOptions,
  prepare: (client: PlugdClient, daemon: DaemonProcess) => Promise<() => Promise<unknown>>,
): Promise<CallTarget> {
  return daemonTarget(() => startEchoDaemon(options), prepare);
}

/** {@link echoDaemonTarget} for any daemon `start` starts. */
export async function daemonTarget(
  start: () => Promise<DaemonProcess>,
  prepare: (client: PlugdClient, daemon: DaemonProcess) => Promise<() => Promise<unknown>>,
): Promise<CallTarget> {
  const daemon = await start();
  try {
    const client = await daemon.connect();
    const call = await prepare(client, daemon);
    return {
      reentrant: true,
      // A native plugin's worker processes (or an MCP server) are the daemon's children: their CPU counts too.
      processes: [{ name: 'daemon', pid: daemon.pid }, ...childPids(daemon.pid).map((pid) => ({ name: 'plugin', pid }))],
      call,
      async close() {
        await client.close();
        await daemon.stop();
      },
    };
  } catch (error) {
    await daemon.stop();
    throw new Error(`${(error as Error).message}\n--- daemon stderr ---\n${daemon.stderr}`, { cause: error });
  }
}

/** The pids of a process's children (Linux /proc; none elsewhere). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}
