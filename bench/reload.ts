import { once } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { MessageConnection } from 'vscode-jsonrpc';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { ChatMessage } from '../protocol/chat.js';
import { DaemonStatusRequest, type PluginStatus } from '../protocol/daemon.js';
import { PluginsDidChangeNotification, PluginsReloadRequest, type ReloadSummary } from '../protocol/plugins.js';
import { providersToml, type ProviderSpec } from '../test/helpers/config.js';
import { echoWasmPath } from './echoPlugin.js';

/**
 * What the reload group's rows share: config versions the echo plugin makes visible, the
 * rename-over an editor does, a raw connection for `plugins/reload` and `plugins/didChange`, and
 * the daemon's log lines with their timestamps.
 */

/** The message every reload-group call sends; the echo plugin answers `PREFIX + "ping"`. */
export const PING: ChatMessage[] = [{ role: 'user', content: 'ping' }];

/** Version `n` of the config sets the echo plugin's `prefix` to `r<n>: `, so every answer names its version. */
export function versionPrefix(version: number): string {
  return `r${version}: `;
}

/** The config version an answer came from, or null when the text is not an answer to {@link PING}. */
export function versionOf(text: unknown): number | null {
  const match = typeof text === 'string' ? /^r(\d+): ping$/.exec(text) : null;
  return match ? Number(match[1]) : null;
}

/** plugins.toml entries of version `n`: the echo plugin alone, with that version's prefix. */
export function echoProviders(version: number): ProviderSpec[] {
  return [{ name: 'echo', path: echoWasmPath, config: { prefix: versionPrefix(version) } }];
}

/** A moment on both clocks: `performance.now()` and the wall clock (ms since the epoch, sub-ms). */
export interface Instant {
  at: number;
  wallMs: number;
}

export function wallMs(at: number): number {
  return performance.timeOrigin + at;
}

/**
 * Saves `text` as `path` the way most editors do: write a temporary file next to it, then rename
 * it over the original. Returns the moment of the rename (taken just before the system call; a
 * rename takes microseconds).
 */
export function renameOver(path: string, text: string): Instant {
  const temporary = `${path}.bench-save`;
  writeFileSync(temporary, text);
  const at = performance.now();
  renameSync(temporary, path);
  return { at, wallMs: wallMs(at) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A plain vscode-jsonrpc connection to a daemon: `daemon/status`, `plugins/reload`, and every `plugins/didChange` with its arrival time. */
export class ReloadRpc {
  readonly changes: Array<{ at: number; params: PluginsDidChangeNotification.Params }> = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly socket: Socket,
    private readonly connection: MessageConnection,
  ) {
    connection.onNotification(PluginsDidChangeNotification.type, (params) => {
      this.changes.push({ at: performance.now(), params });
      for (const wake of this.waiters.splice(0)) wake();
    });
    connection.listen();
  }

  static async connect(socketPath: string): Promise<ReloadRpc> {
    const socket = createConnection({ path: socketPath });
    await once(socket, 'connect');
    socket.on('error', () => undefined);
    return new ReloadRpc(socket, createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket)));
  }

  status(): Promise<DaemonStatusRequest.Result> {
    return this.connection.sendRequest(DaemonStatusRequest.type, {});
  }

  reload(): Promise<ReloadSummary> {
    return this.connection.sendRequest(PluginsReloadRequest.type, {});
  }

  /** The first `plugins/didChange` received after `after` (a `performance.now()` value) that satisfies `match`. */
  async nextChange(after: number, match: (p: PluginsDidChangeNotification.Params) => boolean, timeoutMs: number): Promise<{ at: number; params: PluginsDidChangeNotification.Params }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.changes.find((c) => c.at >= after && match(c.params));
      if (found) return found;
      const left = deadline - performance.now();
      if (left <= 0) {
        const seen = this.changes.filter((c) => c.at >= after).map((c) => JSON.stringify(c.params));
        throw new Error(`no matching plugins/didChange within ${timeoutMs} ms (received since: ${seen.join(' ') || 'none'})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Polls `daemon/status` until the echo plugin has finished loading (status does not wait for it). */
  async echoSettled(timeoutMs = 15_000): Promise<PluginStatus> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const echo = (await this.status()).plugins.find((p) => p.name === 'echo');
      if (echo && echo.state !== 'loading') return echo;
      if (performance.now() > deadline) throw new Error(`the echo plugin did not finish loading within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  close(): void {
    this.connection.dispose();
    this.socket.destroy();
  }
}

/** One line of the daemon's log, with its own timestamp (ms since the epoch, millisecond resolution). */
export interface LogLine {
  wallMs: number;
  text: string;
}

/**
 * The daemon's stderr, line by line, timestamped by the daemon (`2026-11-22T00:18:30.935Z LEVEL
 * target: message`). The reload rows read when the watcher fired and when the new version
 * finished loading from it: the bench process's own clock would add its event loop's delays.
 */
export class DaemonLog {
  readonly lines: LogLine[] = [];
  private partial = '';

  constructor(stderr: Readable) {
    stderr.on('data', (chunk: string | Buffer) => {
      const text = this.partial + chunk.toString();
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) {
        const stamp = Date.parse(line.slice(0, line.indexOf(' ')));
        if (Number.isFinite(stamp)) this.lines.push({ wallMs: stamp, text: line });
      }
    });
  }

  /**
   * The first line stamped no earlier than `fromWallMs` (less the stamps' 1 ms truncation) whose
   * text matches `pattern`.
   */
  find(pattern: RegExp, fromWallMs: number): { wallMs: number; match: RegExpExecArray } | null {
    for (const line of this.lines) {
      if (line.wallMs < Math.floor(fromWallMs) - 1) continue;
      const match = pattern.exec(line.text);
      if (match) return { wallMs: line.wallMs, match };
    }
    return null;
  }

  tail(count = 20): string {
    return this.lines
      .slice(-count)
      .map((l) => l.text)
      .join('\n');
  }
}

/** plugins.toml text of version `n`. */
export function echoConfigText(version: number): string {
  return providersToml(echoProviders(version));
}
