/**
 * Latency statistics shared by the benchmarks: nearest-rank percentiles (the definition
 * src/eval's `latencyStats` uses, so bench and eval figures agree), summaries, throughput.
 */

/** Summary of a latency sample, in the sample's unit (ms throughout the benches). */
export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * Nearest-rank percentile of an ascending-sorted sample: `sorted[ceil(p·n) − 1]` (p in (0, 1]);
 * NaN for an empty sample.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 1)) throw new RangeError(`percentile: p must be in (0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
}

/**
 * Summarises an unsorted sample (the input is not modified).
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]); // { n: 3, p50: 2, p90: 3, p99: 3, mean: 2, min: 1, max: 3 }
 * ```
 */
export function summarize(sample: ArrayLike<number>): Summary {
  const s = Float64Array.from(sample).sort();
  const n = s.length;
  if (n === 0) return { n: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  return { n, p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99), mean: sum / n, min: s[0]!, max: s[n - 1]! };
}

/**
 * Queries per second from a count and an elapsed wall time in ms.
 *
 * @example
 * ```ts
 * qps(300, 1500); // 200
 * ```
 */
export function qps(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : Number.NaN;
}

/**
 * Speed-up of `value` over `baseline` (both latencies): baseline / value, so > 1 means faster
 * than the baseline. NaN when either is not a positive finite number.
 *
 * @example
 * ```ts
 * speedup(2, 10); // 5
 * ```
 */
export function speedup(value: number, baseline: number): number {
  return value > 0 && baseline > 0 && Number.isFinite(value) && Number.isFinite(baseline) ? baseline / value : Number.NaN;
}

/** Process CPU time in ms (user + system), for clocks that ignore waiting for a busy core. */
export function cpuNowMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
