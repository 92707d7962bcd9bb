import { closeSync, copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc';
import { PlugdClient } from '../../clients/client.js';
import type { ChatMessage } from '../../protocol/chat.js';
import type { DaemonStatusRequest, PluginStatus } from '../../protocol/daemon.js';
import { PluginsDidChangeNotification } from '../../protocol/plugins.js';
import { providersToml, type ProviderSpec } from './config.js';
import { connectionOver } from './rawRpc.js';
import { cleanEnv, eventually, sleep, spawnServe, waitForSocket, waitSettled, type ServeRun } from './serve.js';
export { runCli, type CliRun } from './serve.js';

/**
 * Hot-reload test helpers: a `plugd serve` process whose config and plugin files live in one
 * temp directory the test edits (in place, by rename-over, or in chunks), and a log of the
 * `plugins/didChange` notifications one raw connection receives.
 */

export type DidChange = PluginsDidChangeNotification.Params;
export type WriteMode = 'inplace' | 'rename';

export const user = (content: string): ChatMessage[] => [{ role: 'user', content }];

/** Daemons still running; sent SIGTERM if this process exits without stopping them. */
const live = new Set<ServeRun>();
process.once('exit', () => {
  for (const run of live) run.child.kill('SIGTERM');
});

let tempCounter = 0;

/** Writes `data` to `path` either in place (truncate, write) or to a temp file renamed over it. */
export function writeFileAs(path: string, data: string | Uint8Array, mode: WriteMode): void {
  if (mode === 'inplace') {
    writeFileSync(path, data);
    return;
  }
  const temp = `${path}.tmp-${process.pid}-${++tempCounter}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

/** Copies `source` over `dest` in place (truncate + write, same inode) or by rename-over. */
export function copyFileAs(source: string, dest: string, mode: WriteMode): void {
  if (mode === 'inplace') {
    // Truncate and write the same inode (copyFileSync could clone or replace it).
    const bytes = readFileSync(source);
    const fd = openSync(dest, 'w');
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const temp = `${dest}.tmp-${process.pid}-${++tempCounter}`;
  copyFileSync(source, temp);
  renameSync(temp, dest);
}

/**
 * Writes `text` to `path` in place in two chunks with a pause between them (an editor or a
 * script writing a large file slowly): truncate + first chunk, pause, second chunk, close.
 */
export async function writeInChunks(path: string, first: string | Uint8Array, second: string | Uint8Array, pauseMs = 20): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, typeof first === 'string' ? Buffer.from(first) : first);
    fsyncSync(fd);
    await sleep(pauseMs);
    writeSync(fd, typeof second === 'string' ? Buffer.from(second) : second);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface ReloadDaemonOptions {
  /** Files to copy into the temp directory first: name in the directory -> source path. */
  files?: Record<string, string>;
  /** plugins.toml text, or entries to write one from (relative paths resolve in the temp dir). */
  config: string | ProviderSpec[];
  /** Pass `--no-watch` (default: watch). */
  watch?: boolean;
  /**
   * Return the moment the socket accepts a connection (polled every 2 ms): no waiting for the
   * plugins to load. For tests of what a client can do right after start.
   */
  early?: boolean;
}

/** A `plugd serve` process on a temp dir holding plugins.toml and the plugin files. */
export class ReloadDaemon implements AsyncDisposable {
  private constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly socketPath: string,
    readonly run: ServeRun,
  ) {}

  get pid(): number {
    return this.run.child.pid ?? -1;
  }

  get stderr(): string {
    return this.run.stderr;
  }

  /** Starts the daemon, waits for its socket and for every plugin to settle. */
  static async start(options: ReloadDaemonOptions): Promise<ReloadDaemon> {
    const dir = mkdtempSync(join(tmpdir(), 'plugd-reload-'));
    for (const [name, source] of Object.entries(options.files ?? {})) copyFileSync(source, join(dir, name));
    const configPath = join(dir, 'plugins.toml');
    writeFileSync(configPath, typeof options.config === 'string' ? options.config : providersToml(options.config));
    mkdirSync(join(dir, 'run'));
    const socketPath = join(dir, 'run', 'plugd.sock');
    const args = ['--config', configPath, '--socket', socketPath];
    if (options.watch === false) args.push('--no-watch');
    const run = spawnServe(args, { env: cleanEnv({ PLUGD_LOG: 'debug' }) });
    live.add(run);
    void run.exited().then(() => live.delete(run));
    const daemon = new ReloadDaemon(dir, configPath, socketPath, run);
    try {
      // The daemon's watcher is live before it listens (serve awaits watch() first), so an edit
      // made as soon as start() returns is seen (reload-triggers.test.ts checks it).
      if (options.early) {
        await waitForSocket(socketPath, run, 15_000, 2);
        return daemon;
      }
      await waitForSocket(socketPath, run, 15_000);
      await using client = await daemon.connect();
      await waitSettled(client);
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  /** Waits until `reloads` has not changed for `quietMs` (bounded by 10 s). */
  async quiet(client: PlugdClient, quietMs = 300): Promise<DaemonStatusRequest.Result> {
    const deadline = Date.now() + 10_000;
    let status = await client.status();
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (Date.now() > deadline) throw new Error(`reloads kept happening for 10 s (${status.reloads})`);
      await sleep(25);
      const next = await client.status();
      if (next.reloads !== status.reloads) since = Date.now();
      status = next;
    }
    return status;
  }

  /** A path inside the temp directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Rewrites plugins.toml. */
  writeConfig(config: string | ProviderSpec[], mode: WriteMode = 'rename'): void {
    writeFileAs(this.configPath, typeof config === 'string' ? config : providersToml(config), mode);
  }

  connect(): Promise<PlugdClient> {
    return PlugdClient.connect({ socketPath: this.socketPath });
  }

  /** A raw connection that records every `plugins/didChange` it receives. */
  async didChangeLog(): Promise<DidChangeLog> {
    const socket = connect(this.socketPath);
    await once(socket, 'connect');
    return new DidChangeLog(socket, connectionOver(socket, socket));
  }

  async stop(): Promise<void> {
    await this.run.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** The `plugins/didChange` notifications one connection received, in order. */
export class DidChangeLog implements AsyncDisposable {
  readonly events: DidChange[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    private readonly socket: Socket,
    readonly connection: MessageConnection,
  ) {
    connection.onNotification(PluginsDidChangeNotification.type, (params) => {
      this.events.push(params);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The first event at index >= `from` that satisfies `match` (default 15 s). */
  async next(match: (event: DidChange) => boolean, from = 0, timeoutMs = 15_000): Promise<DidChange> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching plugins/didChange within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(from))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Everything received from index `from` on. */
  since(from: number): DidChange[] {
    return this.events.slice(from);
  }

  async close(): Promise<void> {
    this.connection.dispose();
    this.socket.destroy();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Polls status until no plugin is loading (serve.ts `waitSettled`, under the name its callers use). */
export const waitSettledStatus = waitSettled;

/** One plugin's status by name (throws when it is not listed). */
export function pluginOf(status: DaemonStatusRequest.Result, name: string): PluginStatus {
  const plugin = status.plugins.find((p) => p.name === name);
  if (!plugin) throw new Error(`plugin "${name}" is not in the status: ${JSON.stringify(status.plugins.map((p) => p.name))}`);
  return plugin;
}

/** Sorted copy, for comparing name lists regardless of order. */
export function sorted(names: readonly string[]): string[] {
  return [...names].sort();
}

/** An echo entry whose replies start with `prefix`. */
export function echoEntry(name: string, path: string, prefix: string, extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return { name, path, config: { prefix }, ...extra };
}

/**
 * Polls a `complete` on `handle` until its text starts with `prefix` (the version with that
 * config now serves), returning the text.
 */
export async function untilPrefix(client: PlugdClient, handle: string, prefix: string, timeoutMs = 10_000): Promise<string> {
  let last = '';
  const deadline = AbortSignal.timeout(timeoutMs + 5000);
  await eventually(
    `replies start with ${JSON.stringify(prefix)} (last: ${JSON.stringify(last)})`,
    async () => {
      // Bounded too: a call that never answers must fail the test, not hang it.
      last = (await client.complete({ handle, prompt: 'probe' }, { signal: deadline })).text;
      return last === `${prefix}probe`;
    },
    timeoutMs,
  );
  return last;
}
