import { PassThrough } from 'node:stream';
import type { CancellationToken, MessageConnection } from 'vscode-jsonrpc';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { PlugdClient } from '../clients/client.js';
import type { StreamChunk } from '../protocol/chat.js';
import type { DaemonStatusRequest, PluginStatus } from '../protocol/daemon.js';
import type { FactoryInfo } from '../protocol/factories.js';

/**
 * A scripted JSON-RPC peer on an in-memory stream pair, standing in for the daemon so the
 * client's own behaviour (chunk routing, cancellation, hang-ups) can be tested exactly.
 */

/** Answers one method; throw a `ResponseError` to answer with an error. */
export type FakeHandler = (params: any, token: CancellationToken, fake: FakeDaemon) => unknown;

export interface FakeDaemon {
  readonly client: PlugdClient;
  readonly server: MessageConnection;
  /** Every request the fake received, in order. */
  readonly requests: Array<{ method: string; params: unknown }>;
  /** Sends one `providers/chatChunk` notification. */
  chunk(streamId: string | number, seq: number, chunk: StreamChunk): Promise<void>;
  /** The daemon side hangs up (like a daemon that exits). */
  hangUp(): void;
  /** Resolves once the client side has hung up. */
  readonly clientGone: Promise<void>;
}

/** Starts a fake daemon with the given method handlers and a client connected to it. */
export function fakeDaemon(handlers: Record<string, FakeHandler>): FakeDaemon {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createMessageConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const requests: FakeDaemon['requests'] = [];
  const clientGone = new Promise<void>((resolve) => server.onClose(() => resolve()));
  const fake: FakeDaemon = {
    client: PlugdClient.fromStreams(toClient, toServer),
    server,
    requests,
    chunk: (streamId, seq, chunk) => server.sendNotification('providers/chatChunk', { streamId, seq, chunk }),
    hangUp: () => {
      server.dispose();
      toClient.end();
    },
    clientGone,
  };
  for (const [method, handler] of Object.entries(handlers)) {
    server.onRequest(method, (params: unknown, token: CancellationToken) => {
      requests.push({ method, params });
      return handler(params, token, fake);
    });
  }
  server.listen();
  return fake;
}

/** Resolves when `token` is cancelled (i.e. the client sent `$/cancelRequest`). */
export function cancelled(token: CancellationToken): Promise<void> {
  return new Promise((resolve) => {
    if (token.isCancellationRequested) resolve();
    else token.onCancellationRequested(() => resolve());
  });
}

/** A plugin status with every field filled; override what the test cares about. */
export function pluginStatus(overrides: Partial<PluginStatus> = {}): PluginStatus {
  return {
    name: 'echo',
    kind: 'provider',
    reloadError: null,
    type: 'wasm',
    source: '/opt/plugd/echo.wasm',
    origin: { type: 'file', ref: '/opt/plugd/echo.wasm', digest: null, fromCache: false, warning: null },
    state: 'ready',
    error: null,
    pluginName: 'echo',
    loadTimeMs: 92,
    readyAt: '2026-01-01T00:00:00.000Z',
    threads: 1,
    timeoutMs: 30000,
    calls: 12,
    errors: 1,
    restarts: 0,
    ...overrides,
  };
}

/** A daemon status with one ready and one failed plugin. */
export function daemonStatus(overrides: Partial<DaemonStatusRequest.Result> = {}): DaemonStatusRequest.Result {
  return {
    version: '0.1.0',
    pid: 4242,
    uptimeMs: 192_000,
    startedAt: '2026-01-01T00:00:00.000Z',
    configPath: '/home/me/.config/plugd/plugins.toml',
    socketPath: '/run/user/1000/plugd/plugd.sock',
    clients: 1,
    configError: null,
    reloads: 0,
    watching: true,
    plugins: [
      pluginStatus(),
      pluginStatus({
        name: 'broken',
        type: null,
        source: '/opt/plugd/missing.wasm',
        state: 'failed',
        error: { name: 'PluginLoadError', message: 'cannot read /opt/plugd/missing.wasm (ENOENT)', code: 'ENOENT' },
        pluginName: null,
        loadTimeMs: null,
        readyAt: null,
        calls: 0,
        errors: 0,
      }),
    ],
    ...overrides,
  };
}

/** A factory entry; override what the test cares about. */
export function factoryInfo(overrides: Partial<FactoryInfo> = {}): FactoryInfo {
  return {
    name: 'echo',
    state: 'ready',
    error: null,
    capabilities: { chat: true, stream: true, embed: true, complete: false, listModels: true },
    apiKeyName: null,
    baseUrl: 'http://localhost/echo',
    ...overrides,
  };
}
