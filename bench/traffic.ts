import type { PlugdClient } from '../clients/client.js';
import { PING, sleep, versionOf } from './reload.js';

/** Clients that keep `providers/chat` calls going through reloads: `lanes` calls in flight on `handle`. */
export interface TrafficSpec {
  client: PlugdClient;
  handle: string;
  lanes: number;
}

/** What the traffic saw. */
export interface TrafficCounts {
  /** Calls answered or failed. */
  calls: number;
  /** Calls that failed, or answered something that is not an answer of some config version. */
  failed: number;
  /**
   * Calls answered by an older version than one already seen answering before the call was sent:
   * once a new version has answered, every later call must reach it or a newer one.
   */
  stale: number;
}

/**
 * Chat calls on every lane, each lane sending its next call as soon as the last one is answered,
 * until stopped. Every answer names the config version that answered it (see reload.ts), so the
 * traffic knows when a new version first answered: `waitFor(version)` resolves with that moment.
 * Failures are counted, not thrown: the point is to see whether any call fails during reloads.
 */
export class CallTraffic {
  readonly counts: TrafficCounts = { calls: 0, failed: 0, stale: 0 };
  /** The first few failures, for the row's notes. */
  readonly errors: string[] = [];
  private seen: number;
  private running = false;
  private lanes: Promise<void>[] = [];
  private waiters: Array<{ version: number; resolve: (at: number) => void }> = [];

  constructor(
    private readonly specs: TrafficSpec[],
    /** The version serving when the traffic starts. */
    version: number,
  ) {
    this.seen = version;
  }

  start(): void {
    this.running = true;
    for (const spec of this.specs) for (let i = 0; i < spec.lanes; i++) this.lanes.push(this.lane(spec));
  }

  /** Resolves with the moment (`performance.now()`) the first answer from `version` (or a newer one) arrived. */
  waitFor(version: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no call was answered by config version ${version} within ${timeoutMs} ms (latest version answering: ${this.seen})`));
      }, timeoutMs);
      const done = (at: number) => {
        clearTimeout(timer);
        resolve(at);
      };
      this.waiters.push({ version, resolve: done });
    });
  }

  /** Stops sending; resolves once every lane's last call has been answered. */
  async stop(): Promise<TrafficCounts> {
    this.running = false;
    await Promise.all(this.lanes);
    this.lanes = [];
    return this.counts;
  }

  private async lane({ client, handle }: TrafficSpec): Promise<void> {
    while (this.running && !client.isClosed) {
      const floor = this.seen;
      try {
        const { text } = await client.chat(handle, PING);
        const at = performance.now();
        this.counts.calls++;
        const version = versionOf(text);
        if (version === null) {
          this.fail(`unexpected answer ${JSON.stringify(text)}`);
          continue;
        }
        if (version < floor) this.counts.stale++;
        if (version > this.seen) this.advance(version, at);
      } catch (error) {
        if (client.isClosed && !this.running) return;
        this.counts.calls++;
        this.fail(`${(error as Error)?.name}: ${(error as Error)?.message ?? String(error)}`);
        await sleep(1); // a dead daemon must not turn this into a busy loop
      }
    }
  }

  private fail(message: string): void {
    this.counts.failed++;
    if (this.errors.length < 5) this.errors.push(message);
  }

  private advance(version: number, at: number): void {
    this.seen = version;
    const ready = this.waiters.filter((w) => w.version <= version);
    this.waiters = this.waiters.filter((w) => w.version > version);
    for (const w of ready) w.resolve(at);
  }
}
