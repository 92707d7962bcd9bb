import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { CallTask, LogRecord, NativeInbound, NativeOutbound, NativeWorkerStart, ReadyResult, WorkerResult, WorkerTask } from '../messages.js';
import { decodePluginError } from '../wasm/pluginErrors.js';
import { holdLifeline } from './lifeline.js';
import { LoadFailure, NativeLibrary } from './library.js';
import { symbolOf } from './symbols.js';

/**
 * A native plugin's worker: a child process of the daemon (fork IPC) or, with
 * `isolation = "thread"`, a worker thread (its port). It loads the library with koffi and runs
 * the tasks the daemon sends, one at a time; each call is synchronous native code, so the daemon
 * times calls from its side and kills the process of one that overruns.
 */
const send: (message: NativeOutbound) => void = parentPort
  ? (message) => parentPort!.postMessage(message)
  : (message) => void process.send?.(message);

if (!parentPort) holdLifeline();

let start: NativeWorkerStart | undefined;
let library: NativeLibrary | undefined;
let loadError: LoadFailure | undefined;
// The call in progress: where its chunks and logs go.
let current: { seq: number; stream: boolean; logs: LogRecord[] } | undefined;

const sink = {
  chunk(data: string) {
    if (current) send({ type: 'stream', seq: current.seq, message: { type: 'chunk', data } });
  },
  log(level: number, target: string, message: string) {
    const record: LogRecord = { level: level >= 1 && level <= 5 ? level : 3, target: target || (start?.plugin ?? ''), message };
    if (current?.stream) send({ type: 'stream', seq: current.seq, message: { type: 'log', record } });
    else current?.logs.push(record);
  },
};

function load(message: NativeWorkerStart): void {
  start = message;
  current = { seq: 0, stream: false, logs: [] };
  try {
    library = new NativeLibrary(message.path, sink);
    if (library.has('init_logging')) library.call('init_logging', String(message.logLevel));
  } catch (error) {
    loadError = error instanceof LoadFailure ? error : new LoadFailure({ name: 'PluginLoadError', code: 'PLUGIN_LOAD', message: `load: ${(error as Error).message}` });
  } finally {
    rmSync(dirname(message.path), { recursive: true, force: true });
  }
  send({ type: 'up' });
}

function describe(): WorkerResult {
  const logs = current?.logs ?? [];
  current = { seq: 0, stream: false, logs };
  try {
    if (loadError || !library) return { type: 'error', logs, error: (loadError ?? new LoadFailure({ name: 'PluginLoadError', code: 'PLUGIN_LOAD', message: 'not started' })).wire };
    const lib = library;
    const metadata = (fn: string): string | null => {
      const { code, output } = lib.call(fn, 'null');
      if (code !== 0) throw new LoadFailure({ name: 'PluginLoadError', code: 'PLUGIN_LOAD', message: `plugd_${fn} failed (code ${code}): ${output ?? 'no message'}` });
      return output?.trim() || null;
    };
    const name = metadata('name');
    if (!name) return { type: 'error', logs, error: { name: 'PluginLoadError', code: 'PLUGIN_INVALID', message: 'plugd_name returned an empty name' } };
    const optional = (fn: string) => (lib.has(fn) ? metadata(fn) : null);
    const ready: ReadyResult = {
      type: 'ready',
      exports: lib.exports,
      name,
      configSchema: optional('config_schema'),
      apiKeyName: optional('api_key_name'),
      baseUrl: optional('base_url'),
      logs,
    };
    return ready;
  } catch (error) {
    const wire = error instanceof LoadFailure ? error.wire : { name: 'PluginLoadError', code: 'PLUGIN_LOAD', message: (error as Error).message };
    return { type: 'error', logs, error: wire };
  } finally {
    current = undefined;
  }
}

function call(seq: number, task: CallTask): WorkerResult {
  const logs: LogRecord[] = [];
  current = { seq, stream: task.fn === 'chat_stream', logs };
  try {
    if (!library) return { type: 'error', logs, error: { name: 'PluginLoadError', code: 'PLUGIN_LOAD', message: loadError?.message ?? 'the plugin is not loaded' } };
    if (!library.has(task.fn)) return { type: 'error', logs, error: { name: 'UnsupportedError', code: 'UNSUPPORTED', message: `the plugin does not export "${symbolOf(task.fn)}"` } };
    const { code, output } = library.call(task.fn, task.input ?? 'null');
    if (code === 0) return { type: 'result', output, logs };
    // plugd.h: 1 = typed error JSON, anything else = a raw message.
    const error = code === 1 ? decodePluginError(output ?? '', task.fn) : { name: 'PluginError', code: 'PLUGIN_ERROR', message: `${task.fn}: ${output || `failed with code ${code} and no message`}` };
    return { type: 'error', logs, error };
  } catch (error) {
    return { type: 'error', logs, error: { name: 'PluginHostError', code: 'PLUGIN_CRASHED', message: `${task.fn}: ${(error as Error).message}` } };
  } finally {
    current = undefined;
  }
}

function run(task: WorkerTask, seq: number): WorkerResult {
  return task.type === 'describe' ? describe() : call(seq, task);
}

// Tasks queue here and run one at a time, in arrival order. Each runs from setImmediate, so the
// messages that arrived meanwhile (a cancel for a waiting task) are read before the next one runs.
const queue: Array<{ seq: number; task: WorkerTask }> = [];
const skip = new Set<number>();
let scheduled = false;

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  setImmediate(runNext);
}

function runNext(): void {
  scheduled = false;
  const next = queue.shift();
  if (!next) return;
  if (skip.delete(next.seq)) {
    const fn = next.task.type === 'call' ? next.task.fn : 'describe';
    send({ type: 'result', seq: next.seq, result: { type: 'error', logs: [], error: { name: 'CancelledError', code: 'CANCELLED', message: `${fn} was cancelled before it started` } } });
  } else {
    send({ type: 'result', seq: next.seq, result: run(next.task, next.seq) });
  }
  schedule();
}

function receive(message: NativeInbound): void {
  if (message.type === 'start') load(message);
  else if (message.type === 'cancel') {
    if (queue.some((t) => t.seq === message.seq)) skip.add(message.seq);
  } else {
    queue.push({ seq: message.seq, task: message.task });
    schedule();
  }
}

if (parentPort) parentPort.on('message', receive);
else process.on('message', (message) => receive(message as NativeInbound));
