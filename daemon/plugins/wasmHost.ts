import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { CallTask, ReadyResult, StreamMessage, WorkerResult, WorkerStart, WorkerTask } from '../../workers/messages.js';
import { HTTP_STREAM_TASK, runsHttpStreams } from '../../workers/http/streamTask.js';
import type { ProviderEntry } from '../config/schema.js';
import { cancel, createBoard, enqueue, finished, runningFor, started } from '../../workers/callBoard.js';
import { PluginCallError, PluginLoadError, fromWire } from '../errors.js';
import type { Logger } from '../log.js';
import { legacyHttpStart } from '../providers/httpAdapter.js';
import { detectPluginType } from './detect.js';
import { PluginHost, cancelled, type CallOptions } from './pluginHost.js';
import { StreamLanes } from './streamLanes.js';

const workerFile = new URL('../../workers/wasm/worker.js', import.meta.url);

/**
 * One Wasm plugin: its piscina pool (one Extism instance per worker thread) and the policy for
 * timeouts (the call board) and for worker crashes; the lifecycle is {@link PluginHost}'s.
 */
export class WasmPluginHost extends PluginHost {
  private pool: Piscina<WorkerTask, WorkerResult> | null = null;
  /** The current pool's stream lanes (workers/messages.ts), for plugins that stream HTTP. */
  private lanes: StreamLanes | null = null;
  private readonly board = createBoard();
  private nextCallId = 0;
  /** Threads this host terminated itself (to stop a call); see dispatch. */
  private terminations = 0;

  protected get live(): boolean {
    return this.pool !== null;
  }

  protected async open(): Promise<ReadyResult> {
    const module = await this.compile();
    let { pool, lanes } = this.createPool(module, {});
    let info = await this.describe(pool);
    // Like QueryMT's host, load twice when the plugin names an API key variable: the key is
    // known only after the first load, and reaches the plugin only through its own config.
    const key = info.apiKeyName ? process.env[info.apiKeyName] : undefined;
    if (info.apiKeyName && key) {
      await pool.destroy();
      ({ pool, lanes } = this.createPool(module, { [info.apiKeyName]: key }));
      info = await this.describe(pool);
    }
    this.pool = pool;
    this.lanes = lanes;
    return info;
  }

  private async compile(): Promise<WebAssembly.Module> {
    const path = this.entry.resolvedPath;
    const bytes = await this.readPluginFile();
    const detected = detectPluginType(path, bytes.subarray(0, 8));
    if (detected.type === null) throw new PluginLoadError('PLUGIN_TYPE', `${path}: ${detected.reason}`, { plugin: this.name });
    this.type = detected.type;
    if (detected.type !== 'wasm') {
      // The registry picks the host from the file; this one changed between the two reads.
      throw new PluginLoadError('PLUGIN_TYPE', `${path}: expected a WebAssembly module, found a native library (${detected.format}); reload to load it as one`, {
        plugin: this.name,
      });
    }
    try {
      return await WebAssembly.compile(bytes);
    } catch (error) {
      throw new PluginLoadError('PLUGIN_INVALID', `${path}: invalid WebAssembly module: ${(error as Error).message}`, { plugin: this.name });
    }
  }

  /** A pool of workers for the plugin, and their stream lanes when it streams HTTP (workers offer them as they start). */
  private createPool(module: WebAssembly.Module, config: Record<string, string>): { pool: Piscina<WorkerTask, WorkerResult>; lanes: StreamLanes | null } {
    const workerData: WorkerStart = {
      type: 'start',
      plugin: this.name,
      module,
      config,
      allowedHosts: this.entry.allowedHosts,
      legacyHttp: legacyHttpStart(this.entry),
      // WASI preopens: each granted directory appears to the plugin under its own host path.
      allowedPaths: Object.fromEntries((this.entry.allowedPaths ?? []).map((dir) => [dir, dir])),
      logLevel: this.logger.level,
      board: this.board,
    };
    const streams = runsHttpStreams(module);
    const pool = new Piscina<WorkerTask, WorkerResult>({
      filename: workerFile.href,
      name: 'default',
      minThreads: this.entry.threads,
      maxThreads: this.entry.threads,
      idleTimeout: Infinity,
      // Calls queue at the worker, which runs them in order (see workers/messages.ts). An HTTP
      // stream holds its task for as long as the provider streams, without holding the worker:
      // open streams must not use up the tasks the worker is sent.
      concurrentTasksPerWorker: streams ? 1024 : 16,
      // Nothing reads piscina's run/wait-time histograms; recording them is work on every call.
      recordTiming: false,
      // Piscina parks an idle worker in Atomics.wait, where its event loop does not run. A worker
      // that streams HTTP keeps kept-alive sockets; parked, it never sees a server close one, and
      // its next request goes to a dead socket first (docs/performance.md §12.4). Those workers
      // wait in their event loop instead.
      atomics: streams ? 'disabled' : 'sync',
      // The worker gets no environment at all: a plugin sees only its own config.
      env: {},
      workerData,
    });
    pool.on('error', (error: Error) => this.logger.error(`plugin "${this.name}": worker error: ${error.message}`));
    const lanes = streams ? new StreamLanes() : null;
    if (lanes) pool.on('message', (message: unknown) => lanes.offer(message));
    return { pool, lanes };
  }

  private async describe(pool: Piscina<WorkerTask, WorkerResult>): Promise<ReadyResult> {
    const timeout = AbortSignal.timeout(this.entry.startTimeoutMs);
    let result: WorkerResult;
    try {
      result = await pool.run({ type: 'describe' }, { signal: timeout });
    } catch (error) {
      await pool.destroy();
      if (timeout.aborted) throw this.startTimeout();
      throw new PluginLoadError('PLUGIN_LOAD', `${this.entry.resolvedPath}: the plugin's worker failed while loading: ${(error as Error).message}`, { plugin: this.name });
    }
    this.forwardLogs(result.logs);
    if (result.type !== 'ready') {
      await pool.destroy();
      throw this.loadFailure(result);
    }
    return result;
  }

  protected async dispatch(fn: string, input: string | null, options: CallOptions): Promise<string | null> {
    // A call that never started can be sent again when its thread is terminated to stop another
    // call; bounded, in case every thread it lands on keeps being stopped.
    const stream = fn === HTTP_STREAM_TASK;
    const what = stream ? 'a plugin call of a chat stream' : fn;
    for (let attempt = 1; ; attempt++) {
      const pool = this.pool;
      if (!this.serving || !pool) throw this.unavailable();
      if (options.signal?.aborted) throw cancelled(this.name, fn);
      const id = (this.nextCallId = (this.nextCallId % 0x7fffffff) + 1);
      enqueue(this.board, id);
      // Calls that die with a thread this host terminated itself did not crash (see stopCall).
      const terminations = this.terminations;
      // The task is sent before the call's bookkeeping is set up: the worker wakes while this
      // thread does it (nothing can reach the port, the timer or the signal before this returns).
      // A stream goes on a worker's lane when one is open; a stream that is stopped is told so on
      // its lane, or by its port closing.
      const lane = stream && options.onChunk ? this.lanes?.pick() : undefined;
      let run: Promise<WorkerResult>;
      let streamEnded: Promise<void> | undefined;
      let release: () => void;
      if (lane) {
        run = lane.start({ type: 'call', id, fn, input }, { onChunk: options.onChunk!, onLog: (record) => this.forwardLogs([record]) });
        release = () => lane.stop(id);
      } else {
        const channel = options.onChunk ? new MessageChannel() : undefined;
        const task: CallTask = channel ? { type: 'call', id, fn, input, port: channel.port2 } : { type: 'call', id, fn, input };
        run = pool.run(task, channel ? { transferList: [channel.port2] } : {});
        streamEnded = channel ? this.pump(channel.port1, options.onChunk!) : undefined;
        release = () => channel?.port1.close();
      }

      // The call ends at the first of: its result, its deadline, its cancellation.
      let stop!: (reason: 'timeout' | 'cancel') => void;
      const stopped = new Promise<'timeout' | 'cancel'>((resolve) => (stop = resolve));
      // timeout_ms limits how long the call runs: time spent waiting for its turn (behind other
      // calls, or for a replacement worker to start) does not count.
      let timer: NodeJS.Timeout;
      const arm = (ms: number) => {
        timer = setTimeout(() => {
          const ran = runningFor(this.board, id);
          if (ran !== undefined && ran >= this.entry.timeoutMs) return stop('timeout');
          if (ran === undefined && finished(this.board, id)) return; // its answer is on the way
          arm(ran === undefined ? this.entry.timeoutMs : this.entry.timeoutMs - ran);
        }, ms);
      };
      arm(this.entry.timeoutMs);
      const unsubscribe = options.signal?.onAbort(() => stop('cancel'));
      try {
        const outcome = await Promise.race([run.then((result) => ({ result }), (error: unknown) => ({ error })), stopped]);
        if (outcome === 'timeout' || outcome === 'cancel') {
          run.catch(() => undefined);
          // A cancelled stream stops when its port closes (below), at its next plugin call or
          // network read: it never needs its thread terminated.
          const replaced = this.stopCall(id, pool, outcome === 'timeout' || !stream);
          if (outcome === 'cancel') throw cancelled(this.name, fn);
          throw new PluginCallError('PLUGIN_TIMEOUT', `plugin "${this.name}": ${what} ran longer than ${this.entry.timeoutMs} ms (timeout_ms)${replaced ? '; its worker was replaced' : ''}`, {
            plugin: this.name,
            timeoutMs: this.entry.timeoutMs,
          });
        }
        if ('error' in outcome) {
          if (!started(this.board, id) && this.serving && attempt < 5) continue;
          if (!this.serving) throw this.unavailable();
          if (this.terminations !== terminations) {
            throw new PluginCallError('PLUGIN_CRASHED', `plugin "${this.name}": ${what} was interrupted: its worker thread was stopped to end another call that overran or was cancelled`, {
              plugin: this.name,
              reason: 'worker stopped for another call',
            });
          }
          throw this.crashedDuring(what, outcome.error);
        }
        const { result } = outcome;
        // Chunks posted on the port can arrive after the task's result: wait for the explicit end.
        if (streamEnded) await streamEnded;
        this.forwardLogs(result.logs);
        if (result.type === 'error') throw fromWire(result.error, this.name);
        if (result.type !== 'result') throw new PluginCallError('PLUGIN_OUTPUT', `${fn}: unexpected worker answer`, { plugin: this.name });
        return result.output;
      } finally {
        clearTimeout(timer!);
        unsubscribe?.();
        release();
      }
    }
  }

  /**
   * Stops a call that overran or was cancelled. Not started yet: it is marked cancelled and the
   * worker skips it. Running (and `terminate`): its thread is terminated (piscina starts a new
   * one). Returns whether a thread was terminated.
   */
  private stopCall(id: number, pool: Piscina<WorkerTask, WorkerResult>, terminate: boolean): boolean {
    const thread = cancel(this.board, id);
    const worker = thread === undefined || !terminate ? undefined : pool.threads.find((w) => w.threadId === thread);
    if (!worker) return false;
    this.terminations++;
    this.stats.restarts++;
    worker.terminate().catch(() => undefined);
    return true;
  }

  private pump(port: import('node:worker_threads').MessagePort, onChunk: (data: string) => void): Promise<void> {
    return new Promise((resolve) => {
      port.on('message', (message: StreamMessage) => {
        if (message.type === 'chunk') onChunk(message.data);
        else if (message.type === 'log') this.forwardLogs([message.record]);
        else resolve();
      });
      port.on('close', () => resolve());
    });
  }

  private crashedDuring(fn: string, error: unknown): PluginCallError {
    const detail = (error as Error)?.message ?? String(error);
    return super.crashed(`plugin "${this.name}": its worker died during ${fn} (${detail})`, detail);
  }

  protected async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.lanes = null;
    await pool?.destroy();
  }
}
