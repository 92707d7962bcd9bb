import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlugdClient } from '../../clients/client.js';
import { providersToml, type ProviderSpec } from './config.js';
import { cliMain } from './paths.js';
import { canConnect } from './serve.js';

export interface StartOptions {
  /** plugins.toml text, or provider entries to write one from. */
  config: string | ProviderSpec[];
  /** Extra environment for the daemon. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the socket (default 15 s). */
  readyTimeoutMs?: number;
  /** Node flags for the daemon process (e.g. `--cpu-prof`; NODE_OPTIONS refuses some). */
  nodeArgs?: string[];
}

/** Daemons still running; sent SIGTERM if this process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

/** A real `plugd serve` process on a private socket in a temp directory. */
export class DaemonProcess implements AsyncDisposable {
  stderr = '';
  private constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly socketPath: string,
    readonly child: ChildProcess,
  ) {
    child.stderr?.setEncoding('utf8');
    // Keep the tail only: a long benchmark must not grow this without bound.
    child.stderr?.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-1_000_000)));
    live.add(child);
    child.once('exit', () => live.delete(child));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(options: StartOptions): Promise<DaemonProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'plugd-test-'));
    const configPath = join(dir, 'plugins.toml');
    writeFileSync(configPath, typeof options.config === 'string' ? options.config : providersToml(options.config));
    const socketPath = join(dir, 'run', 'plugd.sock');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliMain, 'serve', '--config', configPath, '--socket', socketPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PLUGD_LOG: 'debug', ...options.env },
    });
    const daemon = new DaemonProcess(dir, configPath, socketPath, child);
    try {
      await daemon.waitForSocket(options.readyTimeoutMs ?? 15_000);
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  private async waitForSocket(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`plugd exited with code ${this.child.exitCode} before listening:\n${this.stderr}`);
      if (await canConnect(this.socketPath)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`plugd did not listen on ${this.socketPath} within ${timeoutMs} ms:\n${this.stderr}`);
  }

  /** A new client connection to this daemon. */
  connect(): Promise<PlugdClient> {
    return PlugdClient.connect({ socketPath: this.socketPath });
  }

  /** Resolves with the exit code (or signal) once the process has exited. */
  async exited(): Promise<number | string> {
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
    return this.child.exitCode ?? this.child.signalCode ?? -1;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await once(this.child, 'exit');
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
