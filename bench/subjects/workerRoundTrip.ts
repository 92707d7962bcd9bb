import { Worker } from 'node:worker_threads';
import { callSubject } from '../measure.js';
import { echoCalls } from './echoPeer.js';

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
    const call = await echoCalls({
      send: (message) => worker.postMessage(message),
      onMessage: (listener) => worker.on('message', listener),
    });
    return {
      reentrant: true,
      call,
      close: async () => {
        await worker.terminate();
      },
    };
  },
});
