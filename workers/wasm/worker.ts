import '../quietWarnings.js';
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import type { CallContext, Plugin } from '@extism/extism';
import type { CallTask, LaneInbound, LaneOffer, LaneOutbound, LogRecord, ReadyResult, StreamMessage, WireError, WorkerResult, WorkerStart, WorkerTask } from '../messages.js';
import { begin, finish, pause, resume } from '../callBoard.js';
import { classifyCallFailure } from './pluginErrors.js';
import { decodeStreamTask, HTTP_STREAM_TASK, runsHttpStreams } from '../http/streamTask.js';
// The HTTP code (node:http, node:https) loads only in workers that need it: a replacement
// worker for a plugin without HTTP starts as fast as before.
type LegacyModule = typeof import('../http/legacyFunctions.js');
let streamModule: typeof import('../http/runStream.js') | undefined;

/**
 * A piscina worker hosting one Extism plugin instance. Calls queue here and run one at a time,
 * in arrival order (Extism calls on an instance are not re-entrant). A trap discards the instance: the next
 * call gets a fresh one, so a plugin left in a broken state by a trap cannot poison later calls.
 */
const start = workerData as WorkerStart;
const exportNames = new Set(
  WebAssembly.Module.exports(start.module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name),
);

/** Where a streaming call's messages go: its own port (a piscina task's), or its worker's lane. */
interface StreamOut {
  post(message: StreamMessage): void;
}

function portOut(port: MessagePort): StreamOut {
  return { post: (message) => port.postMessage(message) };
}

// Where the current call's plugin output (chunks, logs) goes. One call at a time per worker.
let sink: { out: StreamOut | undefined; logs: LogRecord[] } = { out: undefined, logs: [] };

function emit(message: StreamMessage): void {
  if (message.type === 'log' && !sink.out) sink.logs.push(message.record);
  else sink.out?.post(message);
}

function log(level: number, target: string, message: string): void {
  emit({ type: 'log', record: { level, target, message } });
}

const hostFunctions: Record<string, (ctx: CallContext, offset: bigint) => unknown> = {
  qmt_yield_chunk(ctx, offset) {
    const data = ctx.read(offset)?.text();
    if (data !== undefined) emit({ type: 'chunk', data });
  },
  qmt_log(ctx, offset) {
    const text = ctx.read(offset)?.text() ?? '';
    try {
      const record = JSON.parse(text) as Partial<LogRecord>;
      log(Number(record.level) || 3, String(record.target ?? start.plugin), String(record.message ?? ''));
    } catch {
      log(3, start.plugin, text);
    }
  },
};

// The legacy HTTP host functions (created once per worker, kept across instances) and their base
// URL: the config's, else the plugin's own export, read once when the first instance loads.
let legacyHttp: import('../http/legacyFunctions.js').LegacyHttp | undefined;
let exportBaseUrl: string | null | undefined;

/** Host functions from `extism:host/user` that this plugd version does not provide fail loudly when called. */
function userFunctions(legacy: LegacyModule | null): Record<string, (ctx: CallContext, offset: bigint) => unknown> {
  const functions = { ...hostFunctions };
  if (legacy) {
    legacyHttp ??= legacy.legacyHttp({
      allowedHosts: start.allowedHosts,
      baseUrl: () => start.legacyHttp.configBaseUrl ?? exportBaseUrl ?? null,
      timeouts: start.legacyHttp.timeouts,
      ...(start.legacyHttp.waitLimitMs !== undefined && { waitLimitMs: start.legacyHttp.waitLimitMs }),
    });
    Object.assign(functions, legacyHttp.functions);
  }
  for (const imp of WebAssembly.Module.imports(start.module)) {
    if (imp.module === 'extism:host/user' && imp.kind === 'function' && !(imp.name in functions)) {
      functions[imp.name] = () => {
        throw new Error(`host function "${imp.name}" is not provided by this version of plugd`);
      };
    }
  }
  return functions;
}

const logger = {
  error: (m: string) => log(1, start.plugin, m),
  warn: (m: string) => log(2, start.plugin, m),
  info: (m: string) => log(3, start.plugin, m),
  debug: (m: string) => log(4, start.plugin, m),
  trace: (m: string) => log(5, start.plugin, m),
} as unknown as Console;

// Extism names a module passed without a manifest by its index. Calling `[name, fn]` rather than
// `fn` skips its search of the module's exports, which copies the whole export list every call.
const MODULE_NAME = '0';

let instance: Promise<Plugin> | undefined;
/** The loaded instance once `instance` has resolved: the hot path skips an await with it. */
let loaded: Plugin | undefined;
/** Counts discarded instances: an HTTP stream whose parser lived in a discarded instance fails. */
let generation = 0;

function plugin(): Promise<Plugin> | Plugin {
  if (loaded) return loaded;
  instance ??= (async () => {
    const { createPlugin } = await import('@extism/extism');
    const usesHttp = WebAssembly.Module.imports(start.module).some((imp) => imp.module === 'extism:host/user' && imp.name.startsWith('qmt_http_'));
    const legacy = usesHttp ? await import('../http/legacyFunctions.js') : null;
    // The module itself rather than a manifest, and a fetch that is looked up only when used:
    // Extism tests a manifest with `instanceof Response` and defaults `fetch` to the global one,
    // and either makes Node load undici, about 22 ms of every new worker's start (bench: extism-load).
    const created = await createPlugin(start.module, {
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      useWasi: true,
      enableWasiOutput: false,
      runInWorker: false,
      config: start.config,
      allowedHosts: start.allowedHosts,
      allowedPaths: start.allowedPaths ?? {},
      functions: { 'extism:host/user': userFunctions(legacy) },
      logger,
    });
    if (exportNames.has('init_logging')) await created.call('init_logging', String(start.logLevel));
    if (legacy && exportBaseUrl === undefined && !start.legacyHttp.configBaseUrl) {
      exportBaseUrl = exportNames.has('base_url') ? (await created.call('base_url', 'null'))?.text().trim() || null : null;
      await created.reset();
    }
    loaded = created;
    return created;
  })();
  instance.catch(() => {
    instance = undefined;
  });
  return instance;
}

async function discard(): Promise<void> {
  const old = instance;
  generation++;
  instance = undefined;
  loaded = undefined;
  await old?.then((p) => p.close()).catch(() => undefined);
}

async function callText(fn: string, input: string | null): Promise<string | null> {
  const p = loaded ?? (await plugin());
  try {
    const output = await p.call([MODULE_NAME, fn], input ?? 'null');
    return output ? output.text() : null;
  } finally {
    legacyHttp?.endCall();
    // @extism/extism 1.0.3 never reuses its memory-block slots and fails after about 16k calls on
    // one instance; clearing them after each call avoids that. It also frees the memory behind
    // plugin vars, so a var set in one call reads back empty in the next (docs/plugin-abi.md).
    // reset() runs synchronously when no call is active (always the case here).
    p.reset().catch(() => undefined);
  }
}

async function describe(): Promise<WorkerResult> {
  const logs: LogRecord[] = [];
  sink = { out: undefined, logs };
  try {
    if (!exportNames.has('name')) {
      return { type: 'error', logs, error: { name: 'PluginLoadError', code: 'MISSING_EXPORT', message: 'the plugin does not export the required function "name"' } };
    }
    await plugin();
    const name = (await callText('name', null))?.trim() ?? '';
    if (!name) return { type: 'error', logs, error: { name: 'PluginLoadError', code: 'PLUGIN_INVALID', message: 'the "name" export returned an empty name' } };
    const optional = async (fn: string) => (exportNames.has(fn) ? ((await callText(fn, null))?.trim() || null) : null);
    const ready: ReadyResult = {
      type: 'ready',
      exports: [...exportNames],
      name,
      configSchema: await optional('config_schema'),
      apiKeyName: await optional('api_key_name'),
      baseUrl: await optional('base_url'),
      logs,
    };
    return ready;
  } catch (error) {
    return { type: 'error', logs, error: loadFailure(error) };
  } finally {
    sink = { out: undefined, logs: [] };
  }
}

function loadFailure(error: unknown): WireError {
  const wire = classifyCallFailure(error, 'load');
  if (wire.code === 'PLUGIN_CRASHED') return { ...wire, name: 'PluginLoadError', code: 'PLUGIN_LOAD' };
  return wire;
}

/** Runs one export; its logs go to `out` (or into `logs`). Rejects with a WireError. */
async function runExport(fn: string, input: string | null, out: StreamOut | undefined, logs: LogRecord[]): Promise<string | null> {
  sink = { out, logs };
  try {
    return await callText(fn, input);
  } catch (error) {
    const wire = classifyCallFailure(error, fn);
    if (wire.code !== 'PLUGIN_ERROR') await discard();
    throw wire;
  } finally {
    sink = { out: undefined, logs: [] };
  }
}

async function call(task: CallTask): Promise<WorkerResult> {
  const logs: LogRecord[] = [];
  if (!begin(start.board, task.id, threadId)) {
    task.port?.close();
    return { type: 'error', logs, error: { name: 'CancelledError', code: 'CANCELLED', message: `${task.fn} was cancelled before it started` } };
  }
  try {
    if (!exportNames.has(task.fn)) {
      return { type: 'error', logs, error: { name: 'UnsupportedError', code: 'UNSUPPORTED', message: `the plugin does not export "${task.fn}"` } };
    }
    return { type: 'result', output: await runExport(task.fn, task.input, task.port && portOut(task.port), logs), logs };
  } catch (error) {
    return { type: 'error', error: error as WireError, logs };
  } finally {
    finish(start.board, task.id);
    if (task.port) {
      task.port.postMessage({ type: 'end' } satisfies StreamMessage);
      task.port.close();
    }
  }
}

// Several tasks are delivered at once; run them one after another, in arrival order.
let queue: Promise<unknown> = Promise.resolve();

function handle(task: WorkerTask): Promise<WorkerResult> {
  // An HTTP stream is not one call: it waits on the network between its parser calls, which take
  // their turn in the queue like any other call.
  if (task.type === 'call' && task.fn === HTTP_STREAM_TASK) {
    // Stopped by the daemon closing the task's port.
    const abort = new AbortController();
    const port = task.port;
    port?.on('close', () => abort.abort());
    port?.on('message', () => undefined);
    return httpStream(task, port && portOut(port), abort.signal).finally(() => {
      if (port) {
        port.postMessage({ type: 'end' } satisfies StreamMessage);
        port.close();
      }
    });
  }
  const run = () => (task.type === 'describe' ? describe() : call(task));
  const result = queue.then(run, run);
  queue = result;
  return result;
}

/**
 * Runs one export of a stream in its turn, under the stream's call-board slot: while it runs the
 * slot shows this thread and its start, so `timeout_ms` bounds it as it bounds any call.
 */
function streamCall(slot: number, fn: string, input: string, out: StreamOut | undefined): Promise<string | null> {
  const run = async () => {
    resume(start.board, slot, threadId);
    try {
      return await runExport(fn, input, out, []);
    } finally {
      pause(start.board, slot);
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * A streamed chat of an HTTP-adapter plugin (workers/http/streamTask.ts). Between its plugin
 * calls it waits for the network, and its call-board slot says so (BETWEEN): `timeout_ms` bounds
 * each plugin call (the HTTP timeouts bound the waits), and other calls run on this thread in the
 * meantime. `signal` stops it (the daemon closed its port, or cancelled it on the lane).
 */
async function httpStream(task: CallTask, out: StreamOut | undefined, signal: AbortSignal): Promise<WorkerResult> {
  const logs: LogRecord[] = [];
  if (!begin(start.board, task.id, threadId)) {
    return { type: 'error', logs, error: { name: 'CancelledError', code: 'CANCELLED', message: 'the stream was cancelled before it started' } };
  }
  pause(start.board, task.id);
  const { runStream, streamFailure } = streamModule ?? (streamModule = await import('../http/runStream.js'));
  try {
    const input = decodeStreamTask(task.input ?? '');
    const output = await runStream(input, {
      call: (fn, text) => streamCall(task.id, fn, text, out),
      generation: () => generation,
      emit: (data) => out?.post({ type: 'chunk', data }),
      signal,
    });
    return { type: 'result', output: JSON.stringify(output), logs };
  } catch (error) {
    return { type: 'error', error: streamFailure(error), logs };
  } finally {
    finish(start.board, task.id);
  }
}

/**
 * The worker's stream lane (see workers/messages.ts), offered to the daemon on piscina's parent
 * port: a stream started here skips a piscina task and a new MessageChannel, about 0.1–0.2 ms of a
 * first token's time (docs/performance.md §12.7).
 */
function openLane(failure: (error: unknown) => WireError): void {
  const { port1: lane, port2 } = new MessageChannel();
  const running = new Map<number, AbortController>();
  const send = (message: LaneOutbound) => lane.postMessage(message);
  lane.on('message', (message: LaneInbound) => {
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const { id } = message.task;
    const abort = new AbortController();
    running.set(id, abort);
    const out: StreamOut = { post: (m) => send({ type: 'stream', id, message: m }) };
    void httpStream(message.task, out, abort.signal)
      .catch((error: unknown): WorkerResult => ({ type: 'error', logs: [], error: failure(error) }))
      .then((result) => {
        running.delete(id);
        send({ type: 'result', id, result });
      });
  });
  parentPort?.postMessage({ type: 'plugd:lane', threadId, port: port2 } satisfies LaneOffer, [port2]);
}

// Load the instance while the worker starts (piscina waits for this before sending tasks), so a
// replacement worker's first call does not pay for it inside its timeout. A load failure is
// reported by the first task instead.
export default (async () => {
  await Promise.resolve(plugin()).catch(() => undefined);
  if (runsHttpStreams(start.module)) {
    streamModule = await import('../http/runStream.js');
    openLane(streamModule.streamFailure);
  }
  return handle;
})();
