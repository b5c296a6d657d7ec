/**
 * Client-side rate limiter for remote APIs: two token buckets, one for requests and one
 * for (estimated) input tokens, each refilled continuously at `perMinute / 60 000` per ms
 * and holding at most `perMinute × burstSeconds / 60` (default: a full minute's worth,
 * which is how OpenAI-style limits are stated).
 *
 * `acquire(cost)` waits until both buckets hold enough, then takes from them. A single
 * request whose token cost exceeds the bucket's capacity waits for a full bucket and
 * then drives it negative (it could never run otherwise); later callers wait longer.
 * Callers are served in arrival order (FIFO), so a large request is not starved.
 */
import { invalid } from '../errors.js';

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Requests per minute (default: unlimited). */
  requestsPerMinute?: number;
  /** Input tokens per minute (default: unlimited). */
  tokensPerMinute?: number;
  /** Bucket depth in seconds of refill (default 60: a full minute may be spent at once). */
  burstSeconds?: number;
  /** Clock in ms (tests inject a fake one). Default `performance.now`. */
  now?: () => number;
  /** Sleep (tests inject a fake one). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

class Bucket {
  level: number;
  readonly cap: number;
  readonly rate: number;
  last: number;
  constructor(perMinute: number, burstSeconds: number, now: number) {
    this.rate = perMinute / 60_000;
    this.cap = Math.max((perMinute * burstSeconds) / 60, Number.MIN_VALUE);
    this.level = this.cap;
    this.last = now;
  }
  refill(now: number): void {
    this.level = Math.min(this.cap, this.level + (now - this.last) * this.rate);
    this.last = now;
  }
  /** ms to wait before `cost` can be taken (0 = now). */
  wait(cost: number): number {
    const need = Math.min(cost, this.cap);
    return this.level >= need ? 0 : (need - this.level) / this.rate;
  }
}

function checkRate(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    invalid('INVALID_ARGUMENT', `${name} must be a positive number, got ${String(v)}`);
  }
}

/**
 * Requests-per-minute and tokens-per-minute limiter.
 *
 * @example
 * ```ts
 * const rl = new RateLimiter({ requestsPerMinute: 500, tokensPerMinute: 1_000_000 });
 * await rl.acquire(1200); // waits if either budget is spent
 * ```
 */
export class RateLimiter {
  readonly #req: Bucket | undefined;
  readonly #tok: Bucket | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: RateLimitOptions = {}) {
    checkRate('requestsPerMinute', opts.requestsPerMinute);
    checkRate('tokensPerMinute', opts.tokensPerMinute);
    checkRate('burstSeconds', opts.burstSeconds);
    this.#now = opts.now ?? (() => performance.now());
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    const t = this.#now();
    const burst = opts.burstSeconds ?? 60;
    this.#req = opts.requestsPerMinute ? new Bucket(opts.requestsPerMinute, burst, t) : undefined;
    this.#tok = opts.tokensPerMinute ? new Bucket(opts.tokensPerMinute, burst, t) : undefined;
  }

  /** Waits until one request costing `tokens` input tokens may be sent, then books it. */
  acquire(tokens = 0): Promise<void> {
    const run = async (): Promise<void> => {
      for (;;) {
        const now = this.#now();
        this.#req?.refill(now);
        this.#tok?.refill(now);
        const w = Math.max(this.#req?.wait(1) ?? 0, this.#tok?.wait(tokens) ?? 0);
        if (w <= 0) break;
        await this.#sleep(Math.ceil(w));
      }
      if (this.#req) this.#req.level -= 1;
      if (this.#tok) this.#tok.level -= tokens;
    };
    const next = this.#queue.then(run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
