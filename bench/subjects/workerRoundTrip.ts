import { Worker } from 'node:worker_threads';
import { callSubject } from '../measure.js';

const echoPortWorker = new URL('../workers/echoPort.js', import.meta.url);

/**
 * Component: the thread hop alone. A plain worker_threads Worker that posts each message back,
 * with calls matched by id — what any worker-based design pays at least, without piscina.
 */
export const workerRoundTrip = callSubject({
  id: 'worker-postmessage',
  role: 'component',
  label: 'worker_threads postMessage round trip (no piscina)',
  description:
    'A plain worker_threads Worker in the bench process that posts every message back; each call posts {id, task} and waits for its answer (several may be in flight).',
  async open() {
    const worker = new Worker(echoPortWorker);
    const pending = new Map<number, () => void>();
    let nextId = 0;
    worker.on('message', (message: { id: number }) => {
      const done = pending.get(message.id);
      pending.delete(message.id);
      done?.();
    });
    const task = { type: 'call', fn: 'complete', input: '{"cfg":{"model":"echo-1"},"req":{"prompt":"hello"}}' };
    const call = () =>
      new Promise<void>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        worker.postMessage({ id, task });
      });
    await call();
    return {
      reentrant: true,
      call,
      close: async () => {
        await worker.terminate();
      },
    };
  },
});
