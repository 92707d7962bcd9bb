import type { Output } from './io.js';

/**
 * Draws one download's progress on a terminal line (bytes, rate, percent), redrawn at most every
 * 100 ms; `end()` clears it. Does nothing when the output is not a terminal.
 */
export class ProgressLine {
  private started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly enabled: boolean,
  ) {}

  update(label: string, bytes: number, total: number | null | undefined): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && (total == null || bytes < total)) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[K${formatProgress(label, bytes, total ?? null, (now - this.started) / 1000)}`);
    this.drawn = true;
  }

  /** Draws a line of text (a step without byte counts, e.g. an upload). */
  note(text: string): void {
    if (!this.enabled) return;
    this.out.write(`\r\x1b[K${text}`);
    this.drawn = true;
  }

  restart(): void {
    this.started = Date.now();
  }

  end(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** `label  1.2 MB / 3.4 MB  35%  2.1 MB/s` */
export function formatProgress(label: string, bytes: number, total: number | null, seconds: number): string {
  const rate = seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : '';
  const amount = total ? `${formatBytes(bytes)} / ${formatBytes(total)}  ${Math.floor((bytes / total) * 100)}%` : formatBytes(bytes);
  return `${label}  ${amount}${rate ? `  ${rate}` : ''}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
