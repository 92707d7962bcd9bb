import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlugdClient } from '../clients/client.js';

/** The compiled `plugd` CLI (this file compiles to dist/bench/daemonProcess.js). */
const cliMain = fileURLToPath(new URL('../clients/cli/main.js', import.meta.url));

export interface DaemonOptions {
  /** The `[[providers]]` entries: name, plugin path, optional thread count. */
  providers: Array<{ name: string; path: string; threads?: number }>;
  /** Extra Node flags for the daemon process (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** `PLUGD_LOG` (default `info`, the daemon's own default). */
  logLevel?: string;
}

/**
 * A real `plugd serve` process on a private socket in a temp directory — the bench's own
 * equivalent of test/helpers/daemonProcess.ts, which can also pass Node flags (NODE_OPTIONS
 * refuses `--cpu-prof`). Stopping it sends SIGTERM, so the daemon shuts down the normal way
 * (and writes its CPU profile, if one was asked for).
 */
export class BenchDaemon {
  stderr = '';
  private constructor(
    private readonly dir: string,
    readonly socketPath: string,
    readonly child: ChildProcess,
  ) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      // Keep the tail only: a long run must not grow this without bound.
      this.stderr = (this.stderr + d).slice(-20_000);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: DaemonOptions): Promise<BenchDaemon> {
    const dir = mkdtempSync(join(tmpdir(), 'plugd-bench-'));
    const configPath = join(dir, 'plugins.toml');
    writeFileSync(
      configPath,
      options.providers
        .map((p) => ['[[providers]]', `name = ${JSON.stringify(p.name)}`, `path = ${JSON.stringify(p.path)}`, ...(p.threads ? [`threads = ${p.threads}`] : [])].join('\n'))
        .join('\n\n') + '\n',
    );
    const socketPath = join(dir, 'plugd.sock');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliMain, 'serve', '--config', configPath, '--socket', socketPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PLUGD_LOG: options.logLevel ?? 'info' },
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const daemon = new BenchDaemon(dir, socketPath, child);
    try {
      await daemon.waitForSocket(15_000);
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

  connect(): Promise<PlugdClient> {
    return PlugdClient.connect({ socketPath: this.socketPath });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Daemons still running; stopped (SIGTERM) if the bench exits without stopping them, e.g. after a crash. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
