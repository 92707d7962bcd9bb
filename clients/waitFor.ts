import type { EventEmitter } from 'node:events';

/** Resolves true when `emitter` emits `event`, or false after `timeoutMs` (without keeping the process alive). */
export function waitForEvent(emitter: EventEmitter, event: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onEvent = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      resolve(false);
    }, timeoutMs);
    timer.unref();
    emitter.once(event, onEvent);
  });
}
