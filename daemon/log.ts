/**
 * The daemon's log: one line per record on stderr (stdout may carry JSON-RPC). Levels follow
 * QueryMT's `qmt_log`: 0 off, 1 error, 2 warn, 3 info, 4 debug, 5 trace. `$PLUGD_LOG` picks the level
 * by name or number (default info).
 */
export type LogLevel = 0 | 1 | 2 | 3 | 4 | 5;

const names = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export function parseLogLevel(value: string | undefined): LogLevel {
  if (!value) return 3;
  const byName = names.indexOf(value.toLowerCase() as (typeof names)[number]);
  const level = byName >= 0 ? byName : Number(value);
  return (Number.isInteger(level) ? Math.min(5, Math.max(0, level)) : 3) as LogLevel;
}

export interface Logger {
  readonly level: LogLevel;
  log(level: number, target: string, message: string): void;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (at: number, target: string, message: string) => {
    if (at <= level) write(`${new Date().toISOString()} ${names[at]?.toUpperCase() ?? 'INFO'} ${target}: ${message}\n`);
  };
  return {
    level,
    log,
    error: (m) => log(1, 'plugd', m),
    warn: (m) => log(2, 'plugd', m),
    info: (m) => log(3, 'plugd', m),
    debug: (m) => log(4, 'plugd', m),
  };
}
