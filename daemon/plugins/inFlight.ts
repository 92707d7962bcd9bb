/**
 * Calls in flight, and waiting for them to finish (bounded): what a drain needs, for a plugin host
 * and for an MCP server alike.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  end(): void {
    if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once nothing is in flight, or after `timeoutMs`, whichever comes first. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.push(done);
    });
  }
}
