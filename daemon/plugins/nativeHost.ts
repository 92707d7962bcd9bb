import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { NativeOutbound, ReadyResult, WorkerResult } from '../../workers/messages.js';
import type { ProviderEntry } from '../config/schema.js';
import { DaemonError, PluginCallError, PluginLoadError, fromWire } from '../errors.js';
import type { Logger } from '../log.js';
import { detectPluginType } from './detect.js';
import { startRunner, type NativeRunner, type RunnerExit } from './nativeRunner.js';
import { PluginHost, cancelled, type CallOptions } from './pluginHost.js';

/** The first restart after a crash waits this long; each further crash in the window doubles it. */
const RESTART_BASE_MS = 100;
const RESTART_MAX_MS = 5_000;
/** How long dispose waits for a killed process to be gone. */
const EXIT_WAIT_MS = 2_000;
/**
 * Calls sent ahead to one worker, which runs them in order: the next call's input is already there
 * when one finishes, instead of a round trip per call (as piscina's concurrentTasksPerWorker).
 */
const PIPELINE = 16;
/** A call that never started is sent again when its worker dies running another; this many times at most. */
const MAX_RESENDS = 4;

interface Job {
  fn: string;
  input: string | null;
  options: CallOptions;
  resolve(output: string | null): void;
  reject(error: unknown): void;
  seq?: number;
  timer?: NodeJS.Timeout;
  unsubscribe?: () => void;
  /** The caller has its answer (cancelled); a result that still comes is dropped. */
  settled?: boolean;
  resends?: number;
}

/** One worker (process or thread) and the call it runs. */
interface Slot {
  runner: NativeRunner | null;
  /** The library is loaded: the worker can take a call. */
  up: boolean;
  /** Calls sent to the worker, in the order it runs them: the first one is running. */
  sent: Job[];
  /** While the first worker loads the plugin: where its `describe` answer or its death goes. */
  loading?: { done(result: WorkerResult): void; died(reason: string): void };
  restart?: NodeJS.Timeout;
}

/**
 * One native plugin (plugins/include/plugd.h): `threads` workers, each a child process
 * (`isolation = "process"`, the default) or a worker thread (`"thread"`), each loading the
 * library with koffi. The daemon queues calls here and sends each to an idle worker, so a
 * call's `timeout_ms` starts when it starts running. A call that overruns or is cancelled has its
 * worker killed and replaced; a worker that dies fails its call with PLUGIN_CRASHED naming the
 * signal and is restarted with backoff, within the shared crash budget.
 */
export class NativePluginHost extends PluginHost {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closed = false;
  /** This version's library as it was when it loaded: every worker (re)started runs exactly it. */
  private library: Buffer | null = null;
  private nextSeq = 0;


  override get isolation(): 'process' | 'thread' {
    return this.entry.isolation;
  }

  protected get live(): boolean {
    return !this.closed && this.slots.length > 0;
  }

  private get what(): string {
    return this.entry.isolation === 'process' ? 'process' : 'worker thread';
  }

  protected async open(): Promise<ReadyResult> {
    const path = this.entry.resolvedPath;
    const bytes = await this.readPluginFile();
    const detected = detectPluginType(path, bytes.subarray(0, 8));
    this.type = detected.type;
    if (detected.type !== 'native') {
      throw new PluginLoadError('PLUGIN_TYPE', `${path}: expected a native library, found ${detected.type === 'wasm' ? 'a WebAssembly module; reload to load it as one' : 'an unknown file'}`, {
        plugin: this.name,
      });
    }
    // A worker restarted later (after a crash, a timeout or a cancel) must run this version, not
    // whatever the path holds by then: a rebuild whose reload was rejected, or nothing at all.
    this.library = bytes;
    const first = this.spawn();
    const info = await this.describe(first);
    // Disposed while it loaded (a reload replaced it, the daemon is stopping): start nothing more.
    if (this.closed) {
      first.runner?.kill();
      throw new PluginLoadError('PLUGIN_LOAD', `${path}: the plugin was stopped while it loaded`, { plugin: this.name });
    }
    this.slots.push(first);
    for (let i = 1; i < this.entry.threads; i++) this.slots.push(this.spawn());
    return info;
  }

  private spawn(slot: Slot = { runner: null, up: false, sent: [] }): Slot {
    const runner = startRunner(this.entry.isolation, (message) => this.receive(slot, runner, message));
    slot.runner = runner;
    slot.up = false;
    // Each worker loads its own copy of this version's bytes, which it deletes once loaded.
    const path = privateCopy(this.entry.resolvedPath, this.library!);
    runner.send({ type: 'start', plugin: this.name, path, logLevel: this.logger.level });
    void runner.exited.then((exit) => {
      // A worker killed before it loaded (start timeout, a stop while it started) left its copy.
      rmSync(dirname(path), { recursive: true, force: true });
      this.exited(slot, runner, exit);
    });
    return slot;
  }

  private describe(slot: Slot): Promise<ReadyResult> {
    const path = this.entry.resolvedPath;
    return new Promise<ReadyResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        slot.loading = undefined;
        slot.runner?.kill();
        reject(this.startTimeout());
      }, this.entry.startTimeoutMs);
      slot.loading = {
        done: (result) => {
          clearTimeout(timer);
          slot.loading = undefined;
          this.forwardLogs(result.logs);
          if (result.type === 'ready') return resolve(result);
          slot.runner?.kill();
          reject(this.loadFailure(result));
        },
        died: (reason) => {
          clearTimeout(timer);
          slot.loading = undefined;
          reject(new PluginLoadError('PLUGIN_LOAD', `${path}: the plugin's ${this.what} died while loading (${reason})`, { plugin: this.name, reason }));
        },
      };
      slot.runner?.send({ type: 'task', seq: 0, task: { type: 'describe' } });
    });
  }

  private receive(slot: Slot, runner: NativeRunner, message: NativeOutbound): void {
    if (slot.runner !== runner) return;
    if (message.type === 'up') {
      slot.up = true;
      this.pump();
    } else if (message.type === 'result') {
      if (message.seq === 0) slot.loading?.done(message.result);
      else if (slot.sent[0]?.seq === message.seq) this.finish(slot, message.result);
    } else if (slot.sent[0]?.seq === message.seq) {
      const job = slot.sent[0];
      const m = message.message;
      if (m.type === 'chunk') {
        if (!job.settled) job.options.onChunk?.(m.data);
      } else if (m.type === 'log') this.forwardLogs([m.record]);
    }
  }

  protected dispatch(fn: string, input: string | null, options: CallOptions): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const job: Job = { fn, input, options, resolve, reject };
      if (options.signal) job.unsubscribe = options.signal.onAbort(() => this.cancel(job));
      this.queue.push(job);
      this.pump();
    });
  }

  /** Sends queued calls to the least busy workers, up to {@link PIPELINE} each. */
  private pump(): void {
    if (!this.serving) {
      for (const job of this.queue.splice(0)) this.settle(job, this.unavailable());
      return;
    }
    while (this.queue.length > 0) {
      let target: Slot | undefined;
      for (const slot of this.slots) {
        if (!slot.up || !slot.runner || slot.sent.length >= PIPELINE) continue;
        if (!target || slot.sent.length < target.sent.length) target = slot;
      }
      if (!target) return;
      const job = this.queue.shift()!;
      const seq = (this.nextSeq = (this.nextSeq % 0x7fffffff) + 1);
      job.seq = seq;
      target.sent.push(job);
      if (target.sent.length === 1) this.arm(target, job);
      target.runner!.send({ type: 'task', seq, task: { type: 'call', id: seq, fn: job.fn, input: job.input } });
    }
  }

  /**
   * Starts a call's clock once it is the worker's running call, so that `timeout_ms` limits the
   * time it runs, not the time it waited behind others. Armed even for a cancelled call that may
   * already be running: a call stuck in native code must not hold its worker for ever.
   */
  private arm(slot: Slot, job: Job): void {
    clearTimeout(job.timer);
    job.timer = setTimeout(() => this.overrun(slot, job), this.entry.timeoutMs);
  }

  private finish(slot: Slot, result: WorkerResult): void {
    const job = slot.sent.shift()!;
    clearTimeout(job.timer);
    const next = slot.sent[0];
    if (next) this.arm(slot, next);
    this.forwardLogs(result.logs);
    if (result.type === 'result') this.settle(job, null, result.output);
    else if (result.type === 'error') this.settle(job, fromWire(result.error, this.name));
    else this.settle(job, new PluginCallError('PLUGIN_OUTPUT', `${job.fn}: unexpected worker answer`, { plugin: this.name }));
    this.pump();
  }

  private settle(job: Job, error: unknown, output: string | null = null): void {
    if (job.settled) return;
    job.settled = true;
    job.unsubscribe?.();
    if (error) job.reject(error);
    else job.resolve(output);
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return this.settle(job, cancelled(this.name, job.fn));
    }
    const slot = this.slots.find((s) => s.sent.includes(job));
    if (!slot) return;
    if (slot.sent[0] === job) {
      // Running: only killing its worker stops it.
      this.replace(slot);
    } else {
      // Waiting at the worker: it skips the call when it gets there (its answer is dropped).
      slot.runner?.send({ type: 'cancel', seq: job.seq! });
    }
    this.settle(job, cancelled(this.name, job.fn));
  }

  private overrun(slot: Slot, job: Job): void {
    if (slot.sent[0] !== job) return;
    this.replace(slot);
    const stopped = this.entry.isolation === 'process' ? 'its process was killed' : 'its worker thread was abandoned (thread isolation cannot stop native code)';
    this.settle(
      job,
      new PluginCallError('PLUGIN_TIMEOUT', `plugin "${this.name}": ${job.fn} ran longer than ${this.entry.timeoutMs} ms (timeout_ms); ${stopped}`, {
        plugin: this.name,
        timeoutMs: this.entry.timeoutMs,
      }),
    );
  }

  /** Takes a worker's calls back: the running one (first) and the ones that never started. */
  private reclaim(slot: Slot): { running: Job | undefined; waiting: Job[] } {
    const [running, ...waiting] = slot.sent;
    slot.sent = [];
    clearTimeout(running?.timer);
    return { running, waiting };
  }

  /** Puts calls that never started back at the front of the queue, in order (each a bounded number of times). */
  private requeue(waiting: Job[], failure: unknown): void {
    const again: Job[] = [];
    for (const job of waiting) {
      if (job.settled) continue;
      job.resends = (job.resends ?? 0) + 1;
      if (job.resends > MAX_RESENDS) this.settle(job, failure);
      else again.push(job);
    }
    this.queue.unshift(...again);
  }

  /** Kills a worker on purpose (timeout, cancel) and starts a fresh one at once. */
  private replace(slot: Slot): void {
    this.stats.restarts++;
    const old = slot.runner;
    this.requeue(
      this.reclaim(slot).waiting,
      new PluginCallError('PLUGIN_CRASHED', `plugin "${this.name}": its ${this.what} was replaced too many times before this call could run`, { plugin: this.name }),
    );
    old?.kill();
    if (!this.closed) this.spawn(slot);
    else slot.runner = null;
    // The calls taken back go to the other workers now, not after this one's restart.
    this.pump();
  }

  private exited(slot: Slot, runner: NativeRunner, exit: RunnerExit): void {
    if (slot.runner !== runner || this.closed) return;
    const reason = exit.error ? `failed: ${exit.error.message}` : exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const happened = exit.signal ? `was ${reason}` : reason;
    slot.runner = null;
    slot.up = false;
    if (slot.loading) return slot.loading.died(reason);
    // Taken back before the crash policy runs: a plugin it marks failed must not answer the call
    // that crashed with "failed" instead of the crash.
    const { running, waiting } = this.reclaim(slot);
    const message = `plugin "${this.name}": its ${this.what} ${happened}${running ? ` during ${running.fn}` : ' while idle'}`;
    this.logger.warn(message);
    const error = this.crashed(message, reason);
    if (running) this.settle(running, error);
    this.requeue(waiting, error);
    // The calls taken back go to the other workers now; a failed host refuses them.
    this.pump();
    if (this.state === 'failed' || this.closed) return;
    const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** Math.max(0, this.budget.recent - 1));
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (!this.closed) this.spawn(slot);
    }, delay);
  }

  protected async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = this.state === 'failed' ? this.unavailable() : new DaemonError('SHUTTING_DOWN', `plugin "${this.name}" is stopped`, { plugin: this.name });
    for (const job of this.queue.splice(0)) this.settle(job, error);
    const exits: Array<Promise<unknown>> = [];
    for (const slot of this.slots) {
      clearTimeout(slot.restart);
      for (const job of slot.sent) {
        clearTimeout(job.timer);
        this.settle(job, error);
      }
      slot.sent = [];
      const runner = slot.runner;
      slot.runner = null;
      if (!runner) continue;
      runner.kill();
      exits.push(Promise.race([runner.exited, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS).unref())]));
    }
    await Promise.all(exits);
  }
}

/** Writes `bytes` under a new private directory, named as the library it copies. */
function privateCopy(path: string, bytes: Buffer): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'plugd-native-')), basename(path));
  writeFileSync(copy, bytes, { mode: 0o700 });
  return copy;
}
