import net from 'node:net';
import { Worker } from 'node:worker_threads';

/**
 * A loopback port whose connections never complete: a listener with a one-connection backlog
 * that never accepts (its worker thread is parked in Atomics.wait), with the backlog already
 * filled. The kernel drops further SYNs, so a client's connect hangs until its own timeout.
 */
export class StuckListener implements AsyncDisposable {
  private constructor(
    readonly port: number,
    private readonly worker: Worker,
    private readonly wake: Int32Array,
    private readonly held: net.Socket[],
  ) {}

  static async start(): Promise<StuckListener> {
    const wake = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const server = require('node:net').createServer();
       server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         parentPort.postMessage(server.address().port);
         Atomics.wait(workerData, 0, 0);
         server.close();
       });`,
      { eval: true, workerData: wake },
    );
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    // Fill the accept queue: connects complete until it is full, then one hangs.
    const held: net.Socket[] = [];
    for (let i = 0; i < 16; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      held.push(socket);
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 300);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!connected) return new StuckListener(port, worker, wake, held);
    }
    throw new Error(`StuckListener: 16 connections to port ${port} all completed; the backlog never filled`);
  }

  async stop(): Promise<void> {
    for (const socket of this.held) socket.destroy();
    Atomics.store(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
    await this.worker.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
