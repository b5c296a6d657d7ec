/**
 * Measuring one engine of the peers benchmark the same way for every engine: build time and
 * RSS growth, one pass over every query (results for the quality figure, wall-clock times),
 * tinybench latency on the process CPU clock (all threads, so a multi-threaded engine pays
 * for every core it uses), save time and bytes on disk.
 */
import { benchLatency, type Lat } from '../lib/latency.js';
import { dirBytes, rssBytes } from '../lib/memory.js';
import { summarize } from '../lib/stats.js';
import type { Engine, Factory } from './text-engines.js';

/** One engine's figures in one task. */
export interface EngineRow {
  engine: string;
  version: string;
  note?: string;
  skipped?: string;
  buildMs?: number;
  /** Settled RSS after building minus before (one process: indicative only). */
  rssDeltaBytes?: number;
  saveMs?: number;
  diskBytes?: number;
  /** tinybench p50/p99 on the process CPU clock. */
  latencyMs?: Lat;
  /** Wall-clock p50/p99 of the quality pass (each query once, sequential). */
  wallMs?: { p50: number; p99: number };
  ndcg10?: number;
  recall10?: number;
  /** Anything task-specific (e.g. time to first query after opening). */
  extra?: Record<string, number | string>;
}

/** How to run an engine's queries and score them. */
export interface MeasureOptions<Q> {
  queries: Q[];
  k: number;
  /** tinybench time per engine (ms) and minimum iterations. */
  timeMs: number;
  minIterations: number;
  /** Quality of the results (one list of row indices per query, in query order). */
  quality(results: number[][]): { ndcg10?: number; recall10?: number };
  /** Keep the engine open after measuring (returned to the caller) instead of closing it. */
  keepOpen?: boolean;
  log?: (s: string) => void;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** RSS after two full collections (when --expose-gc). */
export function settledRss(): number {
  gc?.();
  gc?.();
  return rssBytes();
}

/**
 * Builds an engine with `factory` and measures it; a factory's skip (or any error) becomes a
 * row with `skipped` and the reason.
 *
 * @example
 * ```ts
 * const { row } = await measureEngine('MiniSearch', miniSearch, docs, dir, { queries, k: 10, timeMs: 1000, minIterations: 20, quality });
 * ```
 */
export async function measureEngine<Q, C>(label: string, factory: Factory<Q, C>, corpus: C, dir: string, o: MeasureOptions<Q>): Promise<{ row: EngineRow; engine?: Engine<Q>; path?: string }> {
  const log = o.log ?? (() => undefined);
  const rss0 = settledRss();
  const t0 = performance.now();
  let built: Engine<Q> | { skipped: string };
  try {
    built = await factory(corpus, dir);
  } catch (e) {
    built = { skipped: `build failed: ${(e as Error).message.split('\n')[0]}` };
  }
  const buildMs = performance.now() - t0;
  if ('skipped' in built) {
    log(`  ${label}: skipped — ${built.skipped}`);
    return { row: { engine: label, version: '', skipped: built.skipped } };
  }
  const engine = built;
  const row: EngineRow = { engine: engine.name, version: engine.version, ...(engine.note ? { note: engine.note } : {}), buildMs, rssDeltaBytes: settledRss() - rss0 };
  try {
    const results: number[][] = [];
    const wall: number[] = [];
    for (const q of o.queries) {
      const t = performance.now();
      results.push(await engine.search(q, o.k));
      wall.push(performance.now() - t);
    }
    const w = summarize(wall);
    row.wallMs = { p50: w.p50, p99: w.p99 };
    Object.assign(row, o.quality(results));
    let i = 0;
    const next = () => o.queries[i++ % o.queries.length]!;
    const lat = await benchLatency({ [engine.name]: () => engine.search(next(), o.k) }, { time: o.timeMs, iterations: o.minIterations, warmupIterations: 3 });
    row.latencyMs = lat[engine.name]!;
    if (engine.save) {
      const s = performance.now();
      await engine.save();
      row.saveMs = performance.now() - s;
    }
    if (engine.path) row.diskBytes = dirBytes(engine.path);
    const q = row.ndcg10 !== undefined ? `nDCG@10 ${row.ndcg10.toFixed(4)}` : row.recall10 !== undefined ? `recall@10 ${row.recall10.toFixed(4)}` : '';
    log(`  ${engine.name.padEnd(28)} build ${(buildMs / 1000).toFixed(2)} s  p50 ${row.latencyMs.p50.toFixed(3)} ms  p99 ${row.latencyMs.p99.toFixed(3)} ms  (wall p50 ${w.p50.toFixed(3)})  ${q}`);
  } catch (e) {
    row.skipped = `failed while measuring: ${(e as Error).message.split('\n')[0]}`;
    log(`  ${engine.name}: ${row.skipped}`);
  }
  const path = engine.path;
  if (o.keepOpen && !row.skipped) return { row, engine, ...(path ? { path } : {}) };
  await engine.close();
  return { row, ...(path ? { path } : {}) };
}
