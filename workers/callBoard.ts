/**
 * A SharedArrayBuffer on which each worker of a plugin's pool publishes the id of the call it is
 * running, so the daemon can find and terminate the thread running a call that overran its
 * timeout or was cancelled. Layout (Int32): [0] = slots claimed so far; slot i is
 * [1 + 2i] = thread id, [2 + 2i] = running call id (0 when idle). Workers replaced over the
 * pool's life reuse slots round-robin; a pool never has anywhere near SLOTS live workers.
 */
export const SLOTS = 256;

export function createBoard(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * (1 + 2 * SLOTS));
}

/** Worker side: claims a slot for this thread. */
export function claimSlot(board: SharedArrayBuffer, threadId: number): (callId: number) => void {
  const view = new Int32Array(board);
  const slot = Atomics.add(view, 0, 1) % SLOTS;
  Atomics.store(view, 1 + 2 * slot, threadId);
  Atomics.store(view, 2 + 2 * slot, 0);
  return (callId) => Atomics.store(view, 2 + 2 * slot, callId);
}

/** Daemon side: the thread running `callId`, or undefined when no worker has started it. */
export function threadRunning(board: SharedArrayBuffer, callId: number): number | undefined {
  const view = new Int32Array(board);
  for (let slot = 0; slot < SLOTS; slot++) {
    if (Atomics.load(view, 2 + 2 * slot) === callId) return Atomics.load(view, 1 + 2 * slot);
  }
  return undefined;
}
