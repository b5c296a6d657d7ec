/**
 * A progress bar on stderr for long CLI work. On a TTY it redraws one line; elsewhere (CI,
 * pipes) it prints a line at most every 10% so logs stay short; disabled, it prints nothing.
 */
export interface ProgressSink {
  /** Writes progress text (stderr). */
  write: (s: string) => void;
  /** Redraw in place (a terminal) or print a line every 10%. */
  tty: boolean;
  /** Print nothing at all. */
  enabled?: boolean;
}

const stderrSink = (): ProgressSink => ({ write: (s) => void process.stderr.write(s), tty: Boolean(process.stderr.isTTY) });

/**
 * Progress of `total` units of work.
 *
 * @example
 * ```ts
 * const bar = new ProgressBar('encoding', docs.length);
 * bar.update(256); bar.done();
 * ```
 */
export class ProgressBar {
  #label: string;
  #total: number;
  #lastPct = -1;
  #start = 0;
  #sink: ProgressSink;

  constructor(label: string, total: number, sink: ProgressSink = stderrSink()) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#sink = sink;
  }
  update(done: number): void {
    if (this.#sink.enabled === false) return;
    if (this.#start === 0) this.#start = Date.now();
    done = Math.min(done, this.#total);
    const pct = Math.min(100, Math.floor((done / this.#total) * 100));
    const secs = (Date.now() - this.#start) / 1000;
    const rate = done / Math.max(secs, 1e-3);
    if (this.#sink.tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      this.#sink.write(`\r${this.#label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${this.#total} ${rate.toFixed(1)}/s   `);
    } else if (pct >= this.#lastPct + 10 || (done === this.#total && pct !== this.#lastPct)) {
      this.#sink.write(`${this.#label}: ${done}/${this.#total} (${pct}%) ${rate.toFixed(1)}/s\n`);
      this.#lastPct = pct;
    }
  }
  done(): void {
    if (this.#sink.enabled !== false && this.#sink.tty) this.#sink.write('\n');
  }
}
