import { fork, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { NativeInbound, NativeOutbound } from '../../workers/messages.js';

const workerFile = new URL('../../workers/native/worker.js', import.meta.url);

/** How a native worker ended: an exit code, a signal, or an error starting it. */
export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/**
 * One native worker as the daemon sees it, whatever isolates it: send messages, receive
 * messages, learn when it is gone, kill it. Both kinds speak NativeInbound/NativeOutbound.
 */
export interface NativeRunner {
  send(message: NativeInbound): void;
  /** Stops it at once; `exited` settles when it is gone. */
  kill(): void;
  readonly exited: Promise<RunnerExit>;
}

export function startRunner(kind: 'process' | 'thread', onMessage: (message: NativeOutbound) => void): NativeRunner {
  return kind === 'process' ? new ProcessRunner(onMessage) : new ThreadRunner(onMessage);
}

/** A child process: a crash in the plugin ends only this process. */
class ProcessRunner implements NativeRunner {
  readonly exited: Promise<RunnerExit>;
  private readonly child: ChildProcess;

  constructor(onMessage: (message: NativeOutbound) => void) {
    this.child = fork(workerFile, [], {
      // The plugin sees no environment (as a Wasm plugin) and cannot write on the daemon's
      // stdout, which may be a JSON-RPC stream: its stdout goes to the daemon's stderr.
      env: {},
      execArgv: [],
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'json',
    });
    this.exited = new Promise((resolve) => {
      let settled = false;
      this.child.once('exit', (code, signal) => {
        settled = true;
        resolve({ code, signal });
      });
      // `on`, not `once`: a send() to a process that just died also emits 'error' (EPIPE), once per
      // pipelined message, and an 'error' with no listener would crash the daemon.
      this.child.on('error', (error) => {
        // 'error' without 'exit' means the process never ran (or could not be killed).
        if (settled) return;
        setTimeout(() => {
          if (!settled) resolve({ code: null, signal: null, error });
        }, 50);
      });
    });
    this.child.on('message', (message) => onMessage(message as NativeOutbound));
  }

  send(message: NativeInbound): void {
    if (this.child.connected) this.child.send(message);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** A worker thread in the daemon's process: faster, but a crash in the plugin ends the daemon. */
class ThreadRunner implements NativeRunner {
  readonly exited: Promise<RunnerExit>;
  private readonly worker: Worker;
  private stopping = false;

  constructor(onMessage: (message: NativeOutbound) => void) {
    this.worker = new Worker(workerFile, { env: {}, stdout: false, stderr: false });
    this.exited = new Promise((resolve) => {
      let error: Error | undefined;
      this.worker.once('error', (e) => (error = e));
      this.worker.once('exit', (code) => resolve({ code, signal: null, ...(error ? { error } : {}) }));
    });
    this.worker.on('message', (message: NativeOutbound) => onMessage(message));
  }

  send(message: NativeInbound): void {
    this.worker.postMessage(message);
  }

  kill(): void {
    // Interrupts JavaScript only: a call stuck in native code keeps its thread until it returns.
    if (this.stopping) return;
    this.stopping = true;
    abandoned++;
    void this.worker.terminate().then(
      () => abandoned--,
      () => undefined,
    );
  }
}

/** Worker threads told to stop that have not stopped yet (a call stuck in native code). */
let abandoned = 0;

/**
 * Ends the process. Node's own exit joins every worker thread, and waits forever for one stuck in
 * native code (thread isolation, after a timeout); the C library's `_exit` does not wait.
 */
export function exitProcess(code: number): never {
  if (abandoned > 0) {
    try {
      // Loaded only here: a daemon without stuck threads never pays for koffi in its main thread.
      const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
      const libc = koffi.load(process.platform === 'darwin' ? 'libSystem.dylib' : 'libc.so.6');
      libc.func('void _exit(int status)')(code);
    } catch {
      process.kill(process.pid, 'SIGKILL');
    }
  }
  process.exit(code);
}
