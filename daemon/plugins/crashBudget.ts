/**
 * How many worker crashes a plugin may have in a sliding window before it is marked failed
 * (the LSP client's policy: restart within a budget, then stay failed with the reason).
 */
export class CrashBudget {
  private readonly times: number[] = [];

  constructor(
    readonly maxCrashes = 5,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Crashes recorded within the window, as of now. */
  get recent(): number {
    const t = this.now();
    return this.times.filter((time) => time > t - this.windowMs).length;
  }

  /** Records a crash; returns false when the budget is exhausted. */
  record(): boolean {
    const t = this.now();
    this.times.push(t);
    while (this.times.length && (this.times[0] ?? t) <= t - this.windowMs) this.times.shift();
    return this.times.length <= this.maxCrashes;
  }
}
