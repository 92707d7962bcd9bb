/**
 * Per-call state shared between the daemon and a plugin's workers, so that a call can be stopped
 * wherever it is. Calls queue at the worker (workers/messages.ts); a SharedArrayBuffer holds one
 * Int32 per call slot (call id modulo SLOTS):
 *   QUEUED (0)    sent, not started: the daemon may mark it CANCELLED, and the worker skips it;
 *   CANCELLED     the worker answers it as cancelled without running it;
 *   a thread id   running on that worker thread: stopping it means terminating that thread;
 *   BETWEEN       an HTTP stream waiting for the network between its plugin calls: started, not
 *                 running (each of its plugin calls runs under the stream's slot, with a clock);
 *   DONE          finished: nothing left to stop.
 * A call's caller gets its answer before its slot can come round again (SLOTS calls later).
 * A second Int32 per slot holds when the call started (ms since the board was made, modulo 2^32),
 * so that `timeout_ms` limits the time a call runs, not the time it waited in the queue.
 */
export const SLOTS = 65_536;
export const QUEUED = 0;
export const CANCELLED = -1;
export const DONE = -2;
export const BETWEEN = -3;

export interface Board {
  state: Int32Array;
  startedAt: Int32Array;
  /** `Date.now()` when the board was made; start times count from it. */
  epoch: number;
}

export function createBoard(): Board {
  const buffer = new SharedArrayBuffer(8 * SLOTS);
  return { state: new Int32Array(buffer, 0, SLOTS), startedAt: new Int32Array(buffer, 4 * SLOTS, SLOTS), epoch: Date.now() };
}

/** Daemon: a new call takes its slot. */
export function enqueue(board: Board, id: number): void {
  Atomics.store(board.state, id % SLOTS, QUEUED);
}

/** Worker: claims a call before running it; false when the daemon cancelled it first. */
export function begin(board: Board, id: number, threadId: number): boolean {
  Atomics.store(board.startedAt, id % SLOTS, Date.now() - board.epoch);
  return Atomics.compareExchange(board.state, id % SLOTS, QUEUED, threadId) === QUEUED;
}

/** Worker: a stream starts one of its plugin calls (its slot runs on this thread, from now). */
export function resume(board: Board, id: number, threadId: number): void {
  Atomics.store(board.startedAt, id % SLOTS, Date.now() - board.epoch);
  Atomics.store(board.state, id % SLOTS, threadId);
}

/** Worker: a stream's plugin call is over; the stream waits for the network. */
export function pause(board: Board, id: number): void {
  Atomics.store(board.state, id % SLOTS, BETWEEN);
}

/** Worker: the call is over. */
export function finish(board: Board, id: number): void {
  Atomics.store(board.state, id % SLOTS, DONE);
}

/**
 * Daemon: stops a call. Returns the thread to terminate when the call is running, or undefined
 * when it had not started (it is now cancelled and will never run) or has already finished.
 */
export function cancel(board: Board, id: number): number | undefined {
  const previous = Atomics.compareExchange(board.state, id % SLOTS, QUEUED, CANCELLED);
  return previous > 0 ? previous : undefined;
}

/** Daemon: whether a call ever started running (a call that never started can be re-sent). */
export function started(board: Board, id: number): boolean {
  const state = Atomics.load(board.state, id % SLOTS);
  return state > 0 || state === DONE || state === BETWEEN;
}

/** Daemon: whether a call has finished (its answer is on the way). */
export function finished(board: Board, id: number): boolean {
  return Atomics.load(board.state, id % SLOTS) === DONE;
}

/** Daemon: how long a running call has been running, in ms; undefined when it is not running. */
export function runningFor(board: Board, id: number): number | undefined {
  if (Atomics.load(board.state, id % SLOTS) <= 0) return undefined;
  // Both terms wrap together after 2^31 ms (24.8 days); the difference is right modulo 2^32.
  return (Date.now() - board.epoch - Atomics.load(board.startedAt, id % SLOTS)) | 0;
}
