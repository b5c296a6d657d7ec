/**
 * Per-task latency through tinybench, the way every suite measures it: medians (p50), p99,
 * mean and sample count in ms, on process CPU time by default (a busy shared machine does not
 * inflate single-threaded timings) or the wall clock.
 */
import { Bench } from 'tinybench';
import { cpuNowMs } from './stats.js';

/** One task's latency figures (ms). */
export interface Lat {
  p50: number;
  p99: number;
  mean: number;
  samples: number;
}

/** tinybench settings of a measurement; `clock` 'cpu' (default) or 'wall'. */
export interface LatencyOptions {
  time: number;
  iterations?: number;
  warmupIterations?: number;
  warmupTime?: number;
  clock?: 'cpu' | 'wall';
}

/**
 * Runs every task for `opts.time` ms (at least `iterations` times) and returns its latency. A task
 * that returns a promise is awaited (tinybench times the whole async call).
 *
 * @example
 * ```ts
 * const lat = await benchLatency({ exact: () => index.searchExact(q, 10) }, { time: 1000, iterations: 20 });
 * ```
 */
export async function benchLatency(tasks: Record<string, () => unknown>, opts: LatencyOptions): Promise<Record<string, Lat>> {
  const { clock = 'cpu', ...rest } = opts;
  const bench = new Bench({ ...rest, ...(clock === 'cpu' ? { now: cpuNowMs } : {}) });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out: Record<string, Lat> = {};
  for (const t of bench.tasks) {
    const r = t.result as unknown as { latency?: { p50: number; p99: number; mean: number; samplesCount: number }; error?: Error };
    if (!r.latency) throw r.error ?? new Error(`task ${t.name} has no result`);
    out[t.name] = { p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean, samples: r.latency.samplesCount };
  }
  return out;
}
