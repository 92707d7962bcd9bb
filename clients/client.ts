import { randomUUID } from 'node:crypto';
import { CancellationTokenSource, ResponseError, type MessageConnection, type RequestParam, type RequestType } from 'vscode-jsonrpc';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import type { ChatMessage, ChatResult, ToolDefinition } from '../protocol/chat.js';
import { DaemonShutdownRequest, DaemonStatusRequest } from '../protocol/daemon.js';
import { ErrorCodes } from '../protocol/errors.js';
import {
  FactoriesConfigSchemaRequest,
  FactoriesListModelsRequest,
  FactoriesListRequest,
} from '../protocol/factories.js';
import { InitializeRequest } from '../protocol/initialize.js';
import { PluginsReloadRequest } from '../protocol/plugins.js';
import {
  ProvidersBuildRequest,
  ProvidersChatChunkNotification,
  ProvidersChatRequest,
  ProvidersChatStreamRequest,
  ProvidersCompleteRequest,
  ProvidersDisposeRequest,
  ProvidersEmbedRequest,
} from '../protocol/providers.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { CommandsListRequest, CommandsRunRequest } from '../protocol/commands.js';
import { PermissionsRequest } from '../protocol/permissions.js';
import {
  ToolsAvailableRequest,
  ToolsCallRequest,
  ToolsDidChangeNotification,
  ToolsExposeAllRequest,
  ToolsExposeRequest,
  ToolsListRequest,
  ToolsSystemInstructionsRequest,
  ToolsUnexposeAllRequest,
  ToolsUnexposeRequest,
} from '../protocol/tools.js';
import { ChatStreamState, type ChatStream } from './chatStream.js';
import { DrainingMessageReader, END_OF_INPUT } from '../transport/drainingReader.js';
import { FramedMessageWriter } from '../transport/framedWriter.js';
import { CancelledError, ConnectionClosedError, fromResponseError } from './errors.js';
import { connectSocket } from './socketTransport.js';
import { resolveSocketPath } from '../transport/socketPath.js';
import { spawnStdio, type StdioOptions } from './stdioTransport.js';
import { streamTransport, type Transport } from './transport.js';

/** Options for {@link PlugdClient.connect}. */
export interface ConnectOptions {
  /** The daemon's socket (default: `$PLUGD_SOCKET`, else the daemon's default path). */
  socketPath?: string;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborting it sends `$/cancelRequest` and rejects the call with `CancelledError` at once. */
  signal?: AbortSignal;
}

/** Options for {@link PlugdClient.chat} and {@link PlugdClient.chatStream}. */
export interface ChatOptions extends CallOptions {
  /** Tools the model may call. */
  tools?: ToolDefinition[];
}

/**
 * Answers the daemon's `permissions/request` for this connection's tool calls. Rejecting, or
 * having no handler at all, means deny; so does not answering within the daemon's timeout.
 */
export type PermissionHandler = (request: PermissionsRequest.Params, signal: AbortSignal) => Promise<PermissionsRequest.Result> | PermissionsRequest.Result;

export type { ChatStream } from './chatStream.js';
export type { StdioOptions } from './stdioTransport.js';

/**
 * A connection to a plugd daemon, with one method per protocol method.
 *
 * Every call rejects with a typed error from clients/errors.ts: daemon answers become
 * `PlugdError` subclasses, an aborted call `CancelledError`, and a dropped connection
 * `ConnectionClosedError`. Close it with `close()` or `await using`.
 */
export class PlugdClient implements AsyncDisposable {
  /** Resolves once the connection has closed, from either side. Never rejects. */
  readonly closed: Promise<void>;
  readonly #transport: Transport;
  readonly #connection: MessageConnection;
  readonly #streams = new Map<string, ChatStreamState>();
  /** Rejecters of the calls still waiting for an answer. */
  readonly #pending = new Set<(error: Error) => void>();
  #closeError: ConnectionClosedError | undefined;
  #markClosed!: () => void;
  #teardown: Promise<void> | undefined;
  #permissionHandler: PermissionHandler | undefined;
  readonly #toolListeners = new Set<(params: ToolsDidChangeNotification.Params) => void>();

  private constructor(transport: Transport) {
    this.#transport = transport;
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    const reader = new DrainingMessageReader(transport.readable);
    this.#connection = createMessageConnection(reader, new FramedMessageWriter(transport.writable, false));
    this.#connection.onNotification(END_OF_INPUT, () => reader.drained());
    reader.handleDirectly(ProvidersChatChunkNotification.method, (raw) => {
      const params = raw as Partial<ProvidersChatChunkNotification.Params> | undefined;
      if (typeof params?.seq !== 'number' || typeof params.chunk !== 'object' || params.chunk === null) return;
      this.#streams.get(String(params.streamId))?.push(params.seq, params.chunk);
    });
    this.#connection.onNotification(ToolsDidChangeNotification.type, (params) => {
      for (const listener of this.#toolListeners) listener(params);
    });
    this.#connection.onRequest(PermissionsRequest.type, async (params, token) => {
      const handler = this.#permissionHandler;
      if (!handler) throw new ResponseError(ErrorCodes.MethodNotFound, 'this client has no permission handler (deny)');
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return handler(params, abort.signal);
    });
    // A frame the client cannot read leaves the stream unusable: give up instead of hanging.
    this.#connection.onError(([error]) => {
      this.#shutDown(new ConnectionClosedError(`unreadable data from the daemon: ${error.message}`));
      this.#teardown ??= this.#transport.close();
    });
    this.#connection.onClose(() => {
      const closeReason = transport.closeReason?.();
      if (!closeReason) return this.#shutDown(new ConnectionClosedError());
      closeReason.then(
        (reason) => this.#shutDown(new ConnectionClosedError(reason)),
        () => this.#shutDown(new ConnectionClosedError()),
      );
    });
    this.#connection.listen();
  }

  /**
   * Connects to a running daemon over its unix socket.
   * @throws DaemonNotRunningError when nothing listens at the socket path.
   */
  static async connect(opts: ConnectOptions = {}): Promise<PlugdClient> {
    return new PlugdClient(await connectSocket(resolveSocketPath(opts.socketPath)));
  }

  /**
   * Starts a private daemon as a child process (`plugd serve --stdio ...args`) and talks to it
   * over its stdin/stdout. Closing the client ends the child's stdin and waits for it to exit,
   * killing it if it lingers.
   */
  static async spawnStdio(opts: StdioOptions = {}): Promise<PlugdClient> {
    return new PlugdClient(await spawnStdio(opts));
  }

  /**
   * Talks JSON-RPC (Content-Length framing) over the given streams, e.g. one end of an
   * in-memory `PassThrough` pair. Closing the client ends `writable`.
   */
  static fromStreams(readable: NodeJS.ReadableStream, writable: NodeJS.WritableStream): PlugdClient {
    return new PlugdClient(streamTransport(readable, writable));
  }

  /** True once the connection has closed. */
  get isClosed(): boolean {
    return this.#closeError !== undefined;
  }

  /** Handshake: learns the daemon's version and capabilities. Optional. */
  initialize(params: InitializeRequest.Params = {}, opts?: CallOptions): Promise<InitializeRequest.Result> {
    return this.#request(
      InitializeRequest.type,
      { clientName: 'plugd-client', protocolVersion: PROTOCOL_VERSION, ...params },
      opts?.signal,
    );
  }

  /** The daemon's identity and the state of every plugin. */
  status(opts?: CallOptions): Promise<DaemonStatusRequest.Result> {
    return this.#request(DaemonStatusRequest.type, {}, opts?.signal);
  }

  /** Asks the daemon to drain in-flight calls and exit; resolves once it has answered. */
  shutdown(params: DaemonShutdownRequest.Params = {}, opts?: CallOptions): Promise<DaemonShutdownRequest.Result> {
    return this.#request(DaemonShutdownRequest.type, params ?? {}, opts?.signal);
  }

  /**
   * Asks the daemon to re-read plugins.toml and the plugin files it names and swap in what
   * changed (as the file watcher and SIGHUP do). Resolves with what the reload changed; a
   * rejected config or a plugin that failed to load is reported in the summary, not thrown.
   * `refresh` also re-resolves oci:// tags and revalidates https:// URLs.
   */
  reload(opts?: CallOptions & { refresh?: boolean }): Promise<PluginsReloadRequest.Result> {
    return this.#request(PluginsReloadRequest.type, opts?.refresh ? { refresh: true } : {}, opts?.signal);
  }

  /** Every configured provider plugin, including failed ones. */
  listFactories(opts?: CallOptions): Promise<FactoriesListRequest.Result> {
    return this.#request(FactoriesListRequest.type, {}, opts?.signal);
  }

  /** A provider plugin's configuration JSON Schema. */
  configSchema(name: string, opts?: CallOptions): Promise<FactoriesConfigSchemaRequest.Result> {
    return this.#request(FactoriesConfigSchemaRequest.type, { name }, opts?.signal);
  }

  /** The models a provider offers; `config` is overlaid on the plugin's configured defaults. */
  listModels(
    name: string,
    config?: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<FactoriesListModelsRequest.Result> {
    return this.#request(FactoriesListModelsRequest.type, config ? { name, config } : { name }, opts?.signal);
  }

  /** Builds a provider; the handle stays valid on this connection until disposed. */
  build(params: ProvidersBuildRequest.Params, opts?: CallOptions): Promise<ProvidersBuildRequest.Result> {
    return this.#request(ProvidersBuildRequest.type, params, opts?.signal);
  }

  /** Releases a provider handle. */
  async dispose(handle: string, opts?: CallOptions): Promise<void> {
    await this.#request(ProvidersDisposeRequest.type, { handle }, opts?.signal);
  }

  /** One chat turn; resolves when the whole response is ready. */
  chat(handle: string, messages: ChatMessage[], opts?: ChatOptions): Promise<ChatResult> {
    return this.#request(ProvidersChatRequest.type, chatParams(handle, messages, opts), opts?.signal);
  }

  /**
   * One streamed chat turn. The request is sent immediately; iterate the returned stream for
   * chunks and/or await its `result`. See {@link ChatStream}.
   */
  chatStream(handle: string, messages: ChatMessage[], opts?: ChatOptions): ChatStream {
    const streamId = randomUUID();
    const abort = new AbortController();
    const userSignal = opts?.signal;
    const onUserAbort = (): void => abort.abort(userSignal?.reason);
    if (userSignal?.aborted) onUserAbort();
    else userSignal?.addEventListener('abort', onUserAbort, { once: true });

    const release = (): void => {
      this.#streams.delete(streamId);
      userSignal?.removeEventListener('abort', onUserAbort);
    };
    const result = this.#request(
      ProvidersChatStreamRequest.type,
      { ...chatParams(handle, messages, opts), streamId },
      abort.signal,
    );
    // Registering after sending loses nothing: the transport delivers chunks on later ticks.
    const stream = new ChatStreamState(streamId, abort, result, release);
    this.#streams.set(streamId, stream);
    return stream;
  }

  /** Embeds texts into vectors, one per input, in input order. */
  embed(handle: string, inputs: string[], opts?: CallOptions): Promise<ProvidersEmbedRequest.Result> {
    return this.#request(ProvidersEmbedRequest.type, { handle, inputs }, opts?.signal);
  }

  /** Text completion (fill-in-the-middle when `suffix` is given). */
  complete(params: ProvidersCompleteRequest.Params, opts?: CallOptions): Promise<ProvidersCompleteRequest.Result> {
    return this.#request(ProvidersCompleteRequest.type, params, opts?.signal);
  }

  /**
   * Sets (or with undefined, removes) the answerer of `permissions/request` for this connection's
   * tool calls. Without one, every call the policy asks about is denied.
   */
  onPermissionRequest(handler: PermissionHandler | undefined): void {
    this.#permissionHandler = handler;
  }

  /** Calls `listener` on every `tools/didChange`; returns an unsubscribe function. */
  onToolsDidChange(listener: (params: ToolsDidChangeNotification.Params) => void): () => void {
    this.#toolListeners.add(listener);
    return () => this.#toolListeners.delete(listener);
  }

  /** The discovered tool plugins, whether each is exposed, and name collisions. */
  toolsAvailable(opts?: CallOptions): Promise<ToolsAvailableRequest.Result> {
    return this.#request(ToolsAvailableRequest.type, {}, opts?.signal);
  }

  /** Exposes a tool plugin (its `initialize` runs with `config`, default its configured one). */
  exposeTools(plugin: string, config?: Record<string, unknown>, opts?: CallOptions): Promise<ToolsExposeRequest.Result> {
    return this.#request(ToolsExposeRequest.type, config ? { plugin, config } : { plugin }, opts?.signal);
  }

  /** Unexposes a tool plugin (its `shutdown` runs). */
  unexposeTools(plugin: string, opts?: CallOptions): Promise<ToolsUnexposeRequest.Result> {
    return this.#request(ToolsUnexposeRequest.type, { plugin }, opts?.signal);
  }

  /** Exposes every tool plugin not exposed yet. */
  exposeAllTools(configs?: Record<string, Record<string, unknown>>, opts?: CallOptions): Promise<ToolsExposeAllRequest.Result> {
    return this.#request(ToolsExposeAllRequest.type, configs ? { configs } : {}, opts?.signal);
  }

  /** Unexposes every exposed tool plugin. */
  unexposeAllTools(opts?: CallOptions): Promise<ToolsUnexposeAllRequest.Result> {
    return this.#request(ToolsUnexposeAllRequest.type, {}, opts?.signal);
  }

  /** The declarations of the exposed tools (MCP shape). */
  listTools(opts?: CallOptions): Promise<ToolsListRequest.Result> {
    return this.#request(ToolsListRequest.type, {}, opts?.signal);
  }

  /** Calls an exposed tool. A tool's own failure resolves with `isError: true`; see {@link onPermissionRequest}. */
  callTool(name: string, args: Record<string, unknown> = {}, opts?: CallOptions): Promise<ToolsCallRequest.Result> {
    return this.#request(ToolsCallRequest.type, { name, arguments: args }, opts?.signal);
  }

  /** The exposed plugins' system instructions, joined. */
  systemInstructions(opts?: CallOptions): Promise<ToolsSystemInstructionsRequest.Result> {
    return this.#request(ToolsSystemInstructionsRequest.type, {}, opts?.signal);
  }

  /** The user commands of the exposed plugins. */
  listCommands(opts?: CallOptions): Promise<CommandsListRequest.Result> {
    return this.#request(CommandsListRequest.type, {}, opts?.signal);
  }

  /** Runs a user command. */
  runCommand(name: string, args: Record<string, unknown> = {}, opts?: CallOptions): Promise<CommandsRunRequest.Result> {
    return this.#request(CommandsRunRequest.type, { name, args }, opts?.signal);
  }

  /**
   * Closes the connection and releases the transport (socket, child process). Calls still
   * pending reject with `ConnectionClosedError`. Idempotent.
   */
  close(): Promise<void> {
    this.#shutDown(new ConnectionClosedError('the client was closed'));
    this.#teardown ??= this.#transport.close();
    return this.#teardown;
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #request<P, R>(type: RequestType<P, R, void>, params: P, signal: AbortSignal | undefined): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.#closeError) return reject(this.#closeError);
      if (signal?.aborted) return reject(cancelledBy(signal));
      const source = new CancellationTokenSource();
      let done = false;
      const finish = (): void => {
        done = true;
        this.#pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
        source.dispose();
      };
      const fail = (error: Error): void => {
        if (done) return;
        finish();
        reject(error);
      };
      // Reject at once rather than wait for the daemon's RequestCancelled answer, which a
      // stuck plugin could delay; that late answer is then ignored.
      const onAbort = (): void => {
        if (done || !signal) return;
        source.cancel();
        fail(cancelledBy(signal));
      };
      this.#pending.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      let sent: Promise<R>;
      try {
        sent = this.#connection.sendRequest(type, params as RequestParam<P>, source.token);
      } catch (error) {
        fail(this.#typed(error));
        return;
      }
      sent.then(
        (value) => {
          if (done) return;
          finish();
          resolve(value);
        },
        (error: unknown) => fail(this.#typed(error)),
      );
    });
  }

  #typed(error: unknown): Error {
    return this.#closeError ?? fromResponseError(error);
  }

  #shutDown(error: ConnectionClosedError): void {
    if (this.#closeError) return;
    this.#closeError = error;
    for (const fail of [...this.#pending]) fail(error);
    this.#connection.dispose();
    this.#markClosed();
  }
}

function chatParams(handle: string, messages: ChatMessage[], opts: ChatOptions | undefined): ProvidersChatRequest.Params {
  return opts?.tools ? { handle, messages, tools: opts.tools } : { handle, messages };
}

function cancelledBy(signal: AbortSignal): CancelledError {
  return new CancelledError('request cancelled', undefined, { cause: signal.reason });
}
