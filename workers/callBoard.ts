/**
 * Per-call state shared between the daemon and a plugin's workers, so that a call can be stopped
 * wherever it is. Calls queue at the worker (workers/messages.ts); a SharedArrayBuffer holds one
 * Int32 per call slot (call id modulo SLOTS):
 *   QUEUED (0)    sent, not started: the daemon may mark it CANCELLED, and the worker skips it;
 *   CANCELLED     the worker answers it as cancelled without running it;
 *   a thread id   running on that worker thread: stopping it means terminating that thread;
 *   DONE          finished: nothing left to stop.
 * A call's caller gets its answer before its slot can come round again (SLOTS calls later).
 */
export const SLOTS = 65_536;
export const QUEUED = 0;
export const CANCELLED = -1;
export const DONE = -2;

export function createBoard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * SLOTS));
}

/** Daemon: a new call takes its slot. */
export function enqueue(board: Int32Array, id: number): void {
  Atomics.store(board, id % SLOTS, QUEUED);
}

/** Worker: claims a call before running it; false when the daemon cancelled it first. */
export function begin(board: Int32Array, id: number, threadId: number): boolean {
  return Atomics.compareExchange(board, id % SLOTS, QUEUED, threadId) === QUEUED;
}

/** Worker: the call is over. */
export function finish(board: Int32Array, id: number): void {
  Atomics.store(board, id % SLOTS, DONE);
}

/**
 * Daemon: stops a call. Returns the thread to terminate when the call is running, or undefined
 * when it had not started (it is now cancelled and will never run) or has already finished.
 */
export function cancel(board: Int32Array, id: number): number | undefined {
  const previous = Atomics.compareExchange(board, id % SLOTS, QUEUED, CANCELLED);
  return previous > 0 ? previous : undefined;
}

/** Daemon: whether a call ever started running (a call that never started can be re-sent). */
export function started(board: Int32Array, id: number): boolean {
  const state = Atomics.load(board, id % SLOTS);
  return state > 0 || state === DONE;
}
