import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { MessageConnection } from 'vscode-jsonrpc';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { loadConfig } from '../../daemon/config/load.js';
import { Daemon } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/log.js';
import { providersToml, type ProviderSpec } from './config.js';
import { DaemonProcess } from './daemonProcess.js';
import { cliMain } from './paths.js';
import type { TransportKind } from './transports.js';

/**
 * Plain vscode-jsonrpc connections (no PlugdClient in between), for tests that need to see the
 * wire: raw error codes, `seq` of chunk notifications, methods the typed client cannot send.
 * Also raw unix-socket framing for malformed-input tests.
 */

export interface RawConnected extends AsyncDisposable {
  connection: MessageConnection;
}

/** A daemon for `providers` and one raw JSON-RPC connection to it over the chosen transport. */
export async function rawConnectOver(kind: TransportKind, providers: ProviderSpec[]): Promise<RawConnected> {
  if (kind === 'socket') {
    const daemon = await DaemonProcess.start({ config: providers });
    const socket = connect(daemon.socketPath);
    await once(socket, 'connect');
    const connection = connectionOver(socket, socket);
    return {
      connection,
      [Symbol.asyncDispose]: async () => {
        connection.dispose();
        socket.destroy();
        await daemon.stop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'plugd-test-'));
  const configPath = join(dir, 'plugins.toml');
  writeFileSync(configPath, providersToml(providers));
  if (kind === 'stdio') {
    const child = spawn(process.execPath, [cliMain, 'serve', '--stdio', '--config', configPath], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin.on('error', () => undefined);
    const connection = connectionOver(child.stdout, child.stdin);
    return {
      connection,
      [Symbol.asyncDispose]: async () => {
        connection.dispose();
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, 'exit');
          child.stdin.end();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const daemon = new Daemon({ config: loadConfig(configPath), logger: createLogger(1, () => undefined) });
  const toDaemon = new PassThrough();
  const toClient = new PassThrough();
  daemon.serve(toDaemon, toClient);
  const connection = connectionOver(toClient, toDaemon);
  return {
    connection,
    [Symbol.asyncDispose]: async () => {
      connection.dispose();
      toDaemon.end();
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A listening vscode-jsonrpc connection over a stream pair. */
export function connectionOver(readable: NodeJS.ReadableStream, writable: NodeJS.WritableStream): MessageConnection {
  const connection = createMessageConnection(new StreamMessageReader(readable), new StreamMessageWriter(writable));
  connection.listen();
  return connection;
}

/** A Content-Length framed message. */
export function frame(body: string | object): Buffer {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

/** A unix-socket client that writes raw bytes and parses the daemon's framed answers. */
export class RawSocket {
  readonly messages: Array<Record<string, unknown>> = [];
  /** Resolves once the socket has closed (either side). */
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.wake());
  }

  static async connect(path: string): Promise<RawSocket> {
    const socket = connect(path);
    await once(socket, 'connect');
    return new RawSocket(socket);
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  send(message: object): void {
    this.write(frame({ jsonrpc: '2.0', ...message }));
  }

  /** Waits for the first received message that satisfies `match` (default 10 s). */
  async next(match: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.isClosed) throw new Error(`socket closed before the expected message arrived; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected message did not arrive within ${timeoutMs} ms; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The response to request `id`. */
  response(id: number | string, timeoutMs?: number): Promise<Record<string, unknown>> {
    return this.next((m) => m.id === id && ('result' in m || 'error' in m), timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) break;
      const header = this.buffer.subarray(0, end).toString('ascii');
      const length = Number(/Content-Length:\s*(\d+)/i.exec(header)?.[1]);
      if (!Number.isFinite(length) || this.buffer.length < end + 4 + length) break;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.messages.push(JSON.parse(body) as Record<string, unknown>);
    }
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
