/**
 * Progress on stderr. On a terminal one line is redrawn (at most ~10 times a second) with a bar,
 * the counts, loss, accuracy, images/s and ETA; on a log or CI (not a TTY, or CI set) nothing is
 * redrawn and the command prints one line per epoch through `line()` instead.
 */
import { eprintln, type Io } from './io.js';
import { formatDuration } from './size.js';

export interface ProgressStats {
  loss?: number;
  accuracy?: number;
  /** What the accuracy is of (default "acc"), e.g. "test acc". */
  accuracyLabel?: string;
  /** Free text after the numbers, e.g. "epoch 3/20". */
  label?: string;
}

export class Progress {
  private done = 0;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private drawn = false;
  private stats: ProgressStats = {};

  /** total: work units (images) of the whole run. */
  constructor(
    private readonly io: Io,
    private total: number,
    private readonly unit = 'images',
  ) {}

  get tty(): boolean {
    return this.io.errIsTTY;
  }

  /** Seconds since the start. */
  get elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Units per second so far. */
  get rate(): number {
    return this.done / Math.max(1e-9, this.elapsed);
  }

  /** Estimated seconds left. */
  get eta(): number {
    return this.done > 0 ? (this.total - this.done) / this.rate : NaN;
  }

  /** Sets the units done so far and redraws (TTY only, throttled). */
  update(done: number, stats: ProgressStats = {}): void {
    this.done = Math.min(done, this.total);
    this.stats = { ...this.stats, ...stats };
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    this.draw();
  }

  /** The status text without the bar: "12,800/60,000  loss 0.1234  acc 96.10%  2,310 images/s  ETA 21 s". */
  status(): string {
    const s = this.stats;
    const parts = [
      ...(s.label ? [s.label] : []),
      `${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')}`,
      ...(s.loss !== undefined ? [`loss ${s.loss.toFixed(4)}`] : []),
      ...(s.accuracy !== undefined ? [`${s.accuracyLabel ?? 'acc'} ${(s.accuracy * 100).toFixed(2)}%`] : []),
      `${Math.round(this.rate).toLocaleString('en-US')} ${this.unit}/s`,
      this.done >= this.total ? `took ${formatDuration(this.elapsed)}` : `ETA ${formatDuration(this.eta)}`,
    ];
    return parts.join('  ');
  }

  private draw(): void {
    // A pseudo-terminal may report 0 columns.
    const cols = this.io.columns && this.io.columns >= 20 ? this.io.columns : 100;
    const text = this.status();
    // The bar shrinks to fit the terminal, and is left out when even 10 cells do not fit.
    const width = Math.min(30, cols - 1 - text.length - 3);
    const filled = Math.round((Math.max(0, width) * this.done) / Math.max(1, this.total));
    const line = width >= 10 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}` : text;
    this.io.err(`\r${line.slice(0, cols - 1)}\x1b[K`);
    this.drawn = true;
  }

  /** Adds work found along the way (a stage the run decided to add). */
  extend(units: number): void {
    this.total += units;
  }

  /** Prints a permanent line (an epoch summary): on a TTY it replaces the bar, which is drawn again on the next update. */
  line(text: string): void {
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
    eprintln(this.io, text);
    if (this.tty && this.done < this.total) this.draw();
  }

  /** Clears the bar (TTY) so normal output follows on a clean line. */
  finish(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
  }
}
