/**
 * A progress bar on stderr for long CLI work. On a TTY it redraws one line; elsewhere (CI,
 * pipes) it prints a line at most every 10% so logs stay short.
 */
export class ProgressBar {
  #label: string;
  #total: number;
  #lastPct = -1;
  #start = Date.now();
  #tty = Boolean(process.stderr.isTTY);

  constructor(label: string, total: number) {
    this.#label = label;
    this.#total = Math.max(1, total);
  }
  update(done: number): void {
    const pct = Math.min(100, Math.floor((done / this.#total) * 100));
    const secs = (Date.now() - this.#start) / 1000;
    const rate = done / Math.max(secs, 1e-3);
    if (this.#tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r${this.#label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${this.#total} ${rate.toFixed(1)}/s   `);
    } else if (pct >= this.#lastPct + 10 || done === this.#total) {
      process.stderr.write(`${this.#label}: ${done}/${this.#total} (${pct}%) ${rate.toFixed(1)}/s\n`);
      this.#lastPct = pct;
    }
  }
  done(): void {
    if (this.#tty) process.stderr.write('\n');
  }
}
