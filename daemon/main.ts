import { resolveSocketPath } from '../transport/socketPath.js';
import { loadConfig } from './config/load.js';
import { locateConfig } from './config/locate.js';
import { Daemon } from './daemon.js';
import { DaemonError } from './errors.js';
import { exitProcess } from './plugins/nativeRunner.js';
import { createLogger, parseLogLevel } from './log.js';

export interface ServeOptions {
  /** plugins.toml; found by the usual search when absent. */
  configPath?: string;
  /** Where to listen; the default socket when absent. With `stdio`, only when given. */
  socketPath?: string;
  /** Serve one client on stdin/stdout. */
  stdio?: boolean;
  /** Reload when the config file or a plugin file changes (default true). */
  watch?: boolean;
}

/**
 * `plugd serve`: loads the config, starts the plugins, serves clients, and exits 0 after
 * `daemon/shutdown`, SIGTERM or SIGINT (or when stdin closes in --stdio mode). A config error
 * exits 1 with a message naming the file, line and key.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(parseLogLevel(process.env.PLUGD_LOG));
  let daemon: Daemon;
  try {
    const configPath = locateConfig(options.configPath);
    daemon = new Daemon({ config: loadConfig(configPath), logger });
    logger.info(`plugd starting (pid ${process.pid}) with ${configPath}`);
    // A bug in one request must not take every client's daemon down with it.
    process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
    if (options.stdio) {
      // The client owns our stdio: when it goes away, so do we.
      process.stdin.on('end', () => void daemon.shutdown(10_000));
      process.stdout.on('error', () => void daemon.shutdown(0));
      // However the client's session ends (stdin closed, unreadable frames), the daemon ends too.
      daemon.serve(process.stdin, process.stdout).onClose(() => void daemon.shutdown(10_000));
    }
    // Reload triggers are live before clients can connect: an edit or a SIGHUP sent as soon as
    // the socket answers must not be missed (or, for SIGHUP, kill the daemon).
    process.on('SIGHUP', () => {
      logger.info('received SIGHUP: reloading');
      daemon.reload('signal').catch((e: Error) => logger.error(`reload failed: ${e.message}`));
    });
    if (options.watch !== false) await daemon.watch();
    if (!options.stdio || options.socketPath) await daemon.listen(resolveSocketPath(options.socketPath));
  } catch (error) {
    process.stderr.write(`plugd: ${error instanceof DaemonError ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    logger.info(`received ${signal}`);
    void daemon.shutdown(10_000);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await daemon.exited;
  // In --stdio mode the last answer may still sit in stdout's buffer.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  exitProcess(0);
}
