import { CancelledError } from '../errors.js';
import type { CliIo } from './io.js';

/** The user pressed Ctrl-C and the request was cancelled. The CLI exits 130. */
export class InterruptedError extends Error {
  constructor(options?: ErrorOptions) {
    super('cancelled', options);
    this.name = 'InterruptedError';
  }
}

/**
 * Runs `fn` with a signal that Ctrl-C aborts; the cancellation it causes surfaces as
 * `InterruptedError`. Only while `fn` runs does Ctrl-C cancel rather than kill, so a second
 * Ctrl-C (or one outside `fn`) still ends the process at once.
 */
export async function withInterrupt<T>(io: CliIo, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const unsubscribe = io.onInterrupt(() => abort.abort());
  try {
    return await fn(abort.signal);
  } catch (error) {
    if (abort.signal.aborted && error instanceof CancelledError) throw new InterruptedError({ cause: error });
    throw error;
  } finally {
    unsubscribe();
  }
}
