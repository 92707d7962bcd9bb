import type { MessagePort } from 'node:worker_threads';
import type { CallTask, LaneInbound, LaneOffer, LaneOutbound, LogRecord, WorkerResult } from '../../workers/messages.js';

/** What a stream started on a lane reports back. */
export interface LaneStream {
  onChunk(data: string): void;
  onLog(record: LogRecord): void;
}

interface Open extends LaneStream {
  resolve(result: WorkerResult): void;
  reject(error: Error): void;
}

/**
 * One worker's stream lane (workers/messages.ts): the streams started on it, by call id. The lane
 * closes when its worker exits, for whatever reason; its open streams then fail as piscina fails
 * the tasks of a worker that died.
 */
class Lane {
  private readonly open = new Map<number, Open>();
  closed = false;

  constructor(
    readonly threadId: number,
    private readonly port: MessagePort,
    onClose: () => void,
  ) {
    port.on('message', (message: LaneOutbound) => {
      const stream = this.open.get(message.id);
      if (!stream) return; // stopped by the daemon: whatever it still sends is not wanted
      if (message.type === 'result') {
        this.open.delete(message.id);
        stream.resolve(message.result);
      } else if (message.message.type === 'chunk') stream.onChunk(message.message.data);
      else if (message.message.type === 'log') stream.onLog(message.message.record);
    });
    port.on('close', () => {
      this.closed = true;
      onClose();
      const error = new Error(`worker thread ${threadId} exited`);
      for (const stream of this.open.values()) stream.reject(error);
      this.open.clear();
    });
  }

  get load(): number {
    return this.open.size;
  }

  start(task: CallTask, stream: LaneStream): Promise<WorkerResult> {
    return new Promise((resolve, reject) => {
      this.open.set(task.id, { ...stream, resolve, reject });
      this.port.postMessage({ type: 'start', task } satisfies LaneInbound);
    });
  }

  /** Stops a stream that has not ended: the worker aborts it; nothing more is delivered. */
  stop(id: number): void {
    if (!this.open.delete(id) || this.closed) return;
    this.port.postMessage({ type: 'cancel', id } satisfies LaneInbound);
  }

  close(): void {
    this.port.close();
  }
}

/** The stream lanes of one piscina pool's workers, as they offer them. */
export class StreamLanes {
  private readonly lanes = new Map<number, Lane>();

  /** Takes a worker's {@link LaneOffer} (the pool's `message` event); anything else is ignored. */
  offer(message: unknown): void {
    const offer = message as Partial<LaneOffer> | null;
    if (offer?.type !== 'plugd:lane' || typeof offer.threadId !== 'number' || !offer.port) return;
    const threadId = offer.threadId;
    const lane = new Lane(threadId, offer.port, () => {
      if (this.lanes.get(threadId) === lane) this.lanes.delete(threadId);
    });
    this.lanes.get(threadId)?.close();
    this.lanes.set(threadId, lane);
  }

  /** The open lane with the fewest streams running, or undefined while no worker has offered one. */
  pick(): Lane | undefined {
    let best: Lane | undefined;
    for (const lane of this.lanes.values()) if (!lane.closed && (!best || lane.load < best.load)) best = lane;
    return best;
  }
}
