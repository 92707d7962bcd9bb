import type { Server, Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { DaemonStatusRequest } from '../protocol/daemon.js';
import { PluginsDidChangeNotification, PluginsSourceProgressNotification, type ReloadSummary } from '../protocol/plugins.js';
import type { PlugdConfig } from './config/schema.js';
import { toErrorInfo } from './errors.js';
import type { Logger } from './log.js';
import { Reloader, type ReloadTrigger } from './reload/reloader.js';
import { ConfigWatcher } from './reload/watcher.js';
import { PluginRegistry } from './plugins/registry.js';
import { EntrySources } from './sources/entrySources.js';
import { HandleTable } from './providers/handles.js';
import { ProviderService } from './providers/service.js';
import { registerHandlers } from './rpc/handlers.js';
import { Session, shuttingDown } from './rpc/session.js';
import { listenUnixSocket } from './rpc/socketServer.js';
import { VERSION } from './version.js';
import { ToolsDidChangeNotification } from '../protocol/tools.js';
import { registerToolHandlers } from './tools/handlers.js';
import { ToolService } from './tools/toolService.js';

export interface DaemonOptions {
  config: PlugdConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * The daemon: the plugin registry, the provider handles, and the client sessions. Transports are
 * attached from outside (`serve(input, output)` for any stream pair, `listen(path)` for a unix
 * socket), so the same daemon can be driven over a socket, stdio or an in-memory pair.
 */
export class Daemon implements AsyncDisposable {
  readonly registry: PluginRegistry;
  readonly handles = new HandleTable();
  readonly service: ProviderService;
  /** Tool plugins, MCP servers, exposure and the tool-call path (daemon/tools/). */
  readonly tools: ToolService;
  readonly startedAt = new Date();
  /** Resolves once the daemon has shut down (after `daemon/shutdown`, or `close()`). */
  readonly exited: Promise<void>;

  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private socketPath: string | null = null;
  private stopping = false;
  private markExited!: () => void;
  private readonly reloader: Reloader;
  private watcher: ConfigWatcher | null = null;
  /** The tool side of the reload in progress (it follows the providers' swap). */
  private toolsReload: Promise<void> = Promise.resolve();

  constructor(private readonly options: DaemonOptions) {
    const sources = new EntrySources(options.config, options.logger, options.env, (name, p) => {
      const params = { name, ref: p.ref, phase: p.phase, bytes: p.bytes ?? null, total: p.total ?? null };
      for (const session of this.sessions) {
        if (!session.isClosed) session.connection.sendNotification(PluginsSourceProgressNotification.type, params).catch(() => undefined);
      }
    });
    this.registry = new PluginRegistry(options.logger, sources);
    this.service = new ProviderService(this.registry, this.handles, options.logger, options.env);
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    // Plugins load in the background: the daemon answers (status, factories) meanwhile, and a
    // call on a plugin that is still loading waits for it (ProviderService.host).
    void this.registry.load(options.config);
    this.tools = new ToolService(options.logger, (params) => {
      for (const session of this.sessions) {
        if (!session.isClosed) session.connection.sendNotification(ToolsDidChangeNotification.type, params).catch(() => undefined);
      }
    });
    void this.tools.load(options.config).catch((e: Error) => this.logger.error(`tool plugins: ${e.message}`));
    this.reloader = new Reloader(options.config.path, this.registry, options.logger, (summary, trigger, config) => {
      if (config) this.watcher?.update(config);
      if (config) this.toolsReload = this.tools.reload(config).catch((e: Error) => this.logger.error(`reload of tool plugins failed: ${e.message}`));
      for (const session of this.sessions) {
        if (!session.isClosed) session.connection.sendNotification(PluginsDidChangeNotification.type, { ...summary, trigger }).catch(() => undefined);
      }
    });
  }

  /** Re-reads the config and plugin files and swaps in what changed (see daemon/reload/). */
  async reload(trigger: ReloadTrigger, refresh = false): Promise<ReloadSummary> {
    const summary = await this.reloader.reload(trigger, refresh);
    await this.toolsReload;
    return summary;
  }

  /** Reloads whenever the config file or a plugin file changes. */
  async watch(): Promise<void> {
    if (this.watcher) return;
    this.watcher = new ConfigWatcher(this.options.config.path, () => void this.reload('watch').catch((e: Error) => this.logger.error(`reload failed: ${e.message}`)), this.logger);
    this.watcher.update(this.options.config);
    await this.watcher.ready();
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** Serves one client over a pair of streams. */
  serve(input: Readable, output: Writable): Session {
    const session = new Session(input, output, this.logger, () => (this.stopping ? shuttingDown() : undefined));
    registerHandlers(session, {
      version: VERSION,
      service: this.service,
      status: () => this.status(),
      shutdown: (ms) => this.shutdown(ms),
      reload: (refresh) => this.reload('request', refresh),
    });
    registerToolHandlers(session, this.tools);
    this.sessions.add(session);
    session.onClose(() => {
      this.sessions.delete(session);
      const released = this.handles.release(session.id);
      this.logger.debug(`client #${session.id} disconnected${released ? `; released ${released} provider handle(s)` : ''}`);
    });
    session.listen();
    this.logger.debug(`client #${session.id} connected`);
    return session;
  }

  /** Accepts clients on a unix socket. */
  async listen(path: string): Promise<void> {
    this.server = await listenUnixSocket(path, (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // A client that vanishes mid-write must not take the daemon down.
      socket.on('error', (error) => this.logger.debug(`socket error: ${error.message}`));
      this.serve(socket, socket);
    }, (error) => this.logger.error(`socket server: ${error.message}`));
    this.socketPath = path;
    this.logger.info(`listening on ${path}`);
  }

  status(): DaemonStatusRequest.Result {
    return {
      version: VERSION,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAt.getTime(),
      startedAt: this.startedAt.toISOString(),
      configPath: this.options.config.path,
      socketPath: this.socketPath,
      clients: this.sessions.size,
      plugins: [...this.registry.status(), ...this.tools.status()],
      configError: this.reloader.configError ? toErrorInfo(this.reloader.configError) : null,
      reloads: this.reloader.reloads,
      watching: this.watcher !== null,
    };
  }

  /**
   * Stops accepting work, waits for calls in flight (up to `drainTimeoutMs`), then finishes the
   * shutdown right after the caller's answer is written. Resolves with the number of calls that
   * were in flight when draining began.
   */
  async shutdown(drainTimeoutMs: number): Promise<number> {
    if (this.stopping) return 0;
    this.stopping = true;
    this.logger.info('shutting down: draining calls in flight');
    this.server?.close();
    // The shutdown request itself is not a plugin call, so it does not count.
    const inFlight = this.registry.pending + this.tools.pending;
    await Promise.all([this.registry.drain(drainTimeoutMs), this.tools.drain(drainTimeoutMs)]);
    // Close only once the answer to the shutdown request is on its way: vscode-jsonrpc writes it
    // a few promise turns after this resolves, and ending the sockets then flushes it.
    setTimeout(() => void this.close(), 25);
    return inFlight;
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.server?.close();
    await this.watcher?.close();
    await this.tools.dispose();
    await this.registry.dispose();
    // Let every socket flush what is queued (a drained stream's last chunks, the shutdown
    // answer) before the process exits; a client that stopped reading gets 5 s.
    await Promise.all(
      [...this.sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            setTimeout(resolve, 5000).unref();
            socket.end(() => resolve());
          }),
      ),
    );
    for (const session of this.sessions) session.dispose();
    this.logger.info('stopped');
    this.markExited();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
