/** A bare worker thread that posts every message straight back (bench/subjects/workerRoundTrip.ts). */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (message: unknown) => parentPort?.postMessage(message));
