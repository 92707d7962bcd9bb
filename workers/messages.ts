import type { MessagePort } from 'node:worker_threads';
import type { Board } from './callBoard.js';
import type { HttpTimeouts } from './http/types.js';

/**
 * The boundary between the daemon and a plugin's worker, as a discriminated union.
 *
 * Tasks queue at the worker (piscina's concurrentTasksPerWorker), which runs them one at a time:
 * an Extism instance is not re-entrant, and a thread handshake per call would cost more than the
 * call. To stop a call that overruns or is cancelled, the daemon marks it on the call board: a
 * call that has not started is skipped; a running one has its thread terminated, and the calls
 * queued behind it, which had not started, are sent again.
 *
 * Lifecycle: the daemon starts a worker with {@link WorkerStart} (piscina's workerData), sends a
 * `describe` task and waits (with a start timeout) for `ready`. Each plugin call is a `call` task;
 * a streaming call carries a MessagePort on which the worker posts `chunk` and `log` messages and
 * finally `end`, because port messages can arrive after the task's result (NOTES: piscina streaming).
 * Errors cross as plain `{name, message, code}` objects, never as Error instances.
 *
 * A worker of a plugin that streams HTTP (workers/http/streamTask.ts) also opens a stream lane when
 * it starts ({@link LaneOffer}): a port that stays open for the worker's life, on which the daemon
 * starts HTTP streams directly, without a piscina task and a new channel per stream. A stream's
 * messages, then its result, come back on the same lane, tagged with its call id.
 */

/** What a worker is started with. */
export interface WorkerStart {
  type: 'start';
  /** The configured plugin name, for messages. */
  plugin: string;
  /** The plugin, compiled once by the daemon (a Module is cloned to workers without recompiling). */
  module: WebAssembly.Module;
  /** The level passed to the plugin's `init_logging` export (0 = off … 5 = trace). */
  logLevel: number;
  /** The pool's call board: each call's state, shared with the daemon (see workers/callBoard.ts). */
  board: Board;
  /** The Extism manifest config visible through `config_get`: only this plugin's own settings. */
  config: Record<string, string>;
  /** Hosts the plugin may reach through host HTTP functions. */
  allowedHosts: string[];
  /** WASI preopens, guest path → host path (tool plugins' `allowed_paths`); none when absent. */
  allowedPaths?: Record<string, string>;
  /** For the legacy `qmt_http_*` host functions; absent: no configured base URL, default timeouts. */
  legacyHttp: LegacyHttpStart;
}

/** What the legacy `qmt_http_*` host functions need, fixed for the worker's life (never taken from a call's input). */
export interface LegacyHttpStart {
  /** `[providers.config].base_url`; when null, the plugin's own `base_url` export is used. */
  configBaseUrl: string | null;
  /** The entry's connect / first-byte / idle timeouts. */
  timeouts: HttpTimeouts;
  /** How long the plugin's thread waits for the HTTP helper thread; by default the sum of the timeouts plus 5 s. */
  waitLimitMs?: number;
}

/** Asks the worker to load the plugin and report what it exports. */
export interface DescribeTask {
  type: 'describe';
}

/** Calls one export. */
export interface CallTask {
  type: 'call';
  /** The daemon's id for this call (non-zero), published on the call board while it runs. */
  id: number;
  /** The export's name, e.g. `chat_stream`. */
  fn: string;
  /** The export's input (JSON text), or null for exports that take none. */
  input: string | null;
  /** For streaming exports: where `chunk`, `log` and `end` messages go. */
  port?: MessagePort;
}

export type WorkerTask = DescribeTask | CallTask;

/** The plugin is loaded; these are its metadata exports' answers. */
export interface ReadyResult {
  type: 'ready';
  /** The names of every function the module exports. */
  exports: string[];
  /** Output of the `name` export. */
  name: string;
  /** Output of `config_schema`, if exported (JSON text). */
  configSchema: string | null;
  /** Output of `api_key_name`, if exported and non-empty. */
  apiKeyName: string | null;
  /** Output of `base_url`, if exported and non-empty. */
  baseUrl: string | null;
  /** Plugin log records emitted while loading. */
  logs: LogRecord[];
}

/** A call finished; `output` is the export's output text (null when it set none). */
export interface CallResult {
  type: 'result';
  output: string | null;
  /** Plugin log records emitted during the call (non-streaming calls; streams send them on the port). */
  logs: LogRecord[];
}

/** A call failed inside the worker. */
export interface CallError {
  type: 'error';
  error: WireError;
  logs: LogRecord[];
}

export type WorkerResult = ReadyResult | CallResult | CallError;

/** Messages on a streaming call's port. */
export type StreamMessage =
  | { type: 'chunk'; data: string }
  | { type: 'log'; record: LogRecord }
  | { type: 'end' };

/** Worker → daemon on piscina's parent port (the pool's `message` event), once, as the worker starts. */
export interface LaneOffer {
  type: 'plugd:lane';
  /** The worker's thread, as the call board records it. */
  threadId: number;
  /** The worker's end is kept by the worker; this one goes to the daemon. */
  port: MessagePort;
}

/** Daemon → worker on a lane: start a stream (a `call` task without a port), or stop one. */
export type LaneInbound = { type: 'start'; task: CallTask } | { type: 'cancel'; id: number };

/** Worker → daemon on a lane: a stream's messages, then its result, tagged with its call id. */
export type LaneOutbound = { type: 'stream'; id: number; message: StreamMessage } | { type: 'result'; id: number; result: WorkerResult };

/** A plugin log record (`qmt_log` or Extism `log_*`). */
export interface LogRecord {
  /** 1 = error … 5 = trace, as QueryMT's `qmt_log` levels. */
  level: number;
  target: string;
  message: string;
}

/** An error as it crosses a thread or process boundary. */
export interface WireError {
  name: string;
  message: string;
  /** A local string code (see daemon/errors.ts). */
  code: string;
  /** For plugin errors: the plugin's typed payload, when it sent one. */
  payload?: { type: string; message: string; [extra: string]: unknown };
}

/**
 * Native plugins (workers/native/): one worker per process (`isolation = "process"`, over the
 * fork IPC channel) or per worker thread (`"thread"`, over its port). The same tasks and results
 * as a Wasm worker travel inside envelopes, because there is no piscina and no SharedArrayBuffer
 * across a process boundary: the daemon times each task itself
 * (a call that overruns has its process killed). Up to 16 tasks are sent ahead to a worker, which
 * runs them in order, so the daemon knows which one runs: the first without an answer. Stream
 * messages for a call arrive before its result, on the same channel; `seq` ties both to the task.
 */
export interface NativeWorkerStart {
  type: 'start';
  /** The configured plugin name, for messages. */
  plugin: string;
  /**
   * The shared library to load: a private copy of the plugin's file made for this worker, which
   * deletes it (and its directory) once loaded, as a loaded library's mapping outlives its file
   * (POSIX). Private, so that a worker thread, which shares the daemon's dynamic loader (it hands
   * out an already-loaded library for a path it has seen), gets this version's code.
   */
  path: string;
  /** The level passed to `plugd_init_logging` (0 = off … 5 = trace). */
  logLevel: number;
}

/**
 * Daemon → native worker. Tasks queue at the worker and run in arrival order; `cancel` makes the
 * worker skip a task that has not started (it still answers it, as cancelled, to keep the order).
 */
export type NativeInbound = NativeWorkerStart | { type: 'task'; seq: number; task: WorkerTask } | { type: 'cancel'; seq: number };

/** Native worker → daemon. `up`: the library is loaded (or failed to load: the first task says why). */
export type NativeOutbound =
  | { type: 'up' }
  | { type: 'result'; seq: number; result: WorkerResult }
  | { type: 'stream'; seq: number; message: StreamMessage };
