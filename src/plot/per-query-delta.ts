/** Sorted bar chart of per-query metric differences between two runs (A − B). */
import { pairValues } from '../eval/index.js';
import { frame, renderSvg, type ChartOptions } from './render.js';

/**
 * Per-query values: query id → metric → value (an `EvalResult.perQuery`).
 *
 * @example
 * ```ts
 * const pq: PerQueryValues = { q1: { 'ndcg@10': 0.5 } };
 * ```
 */
export type PerQueryValues = Record<string, Record<string, number>>;

/**
 * Options of {@link plotPerQueryDelta}.
 *
 * @example
 * ```ts
 * await plotPerQueryDelta(a.perQuery, b.perQuery, { metric: 'recall@100', labelA: 'hybrid', labelB: 'bm25' });
 * ```
 */
export interface PerQueryDeltaOptions extends ChartOptions {
  /** Metric key to compare (default 'ndcg@10'). */
  metric?: string;
  /** Names of the two runs for the axis title (default 'A', 'B'). */
  labelA?: string;
  labelB?: string;
}

/**
 * Plots per-query differences (A − B) of one metric as bars sorted from the
 * largest gain to the largest loss; green where A wins, red where B wins.
 * Both inputs must cover the same queries (else `INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * const svg = await plotPerQueryDelta(hybrid.perQuery, bm25.perQuery, { labelA: 'hybrid', labelB: 'bm25' });
 * ```
 */
export async function plotPerQueryDelta(perQueryA: PerQueryValues, perQueryB: PerQueryValues, opts: PerQueryDeltaOptions = {}): Promise<string> {
  const metric = opts.metric ?? 'ndcg@10';
  const { ids, xa, xb } = pairValues(perQueryA, perQueryB, metric);
  const ranked = ids.map((q, i) => ({ query: q, delta: xa[i]! - xb[i]! })).sort((p, q) => q.delta - p.delta || (p.query < q.query ? -1 : 1));
  const a = opts.labelA ?? 'A';
  const b = opts.labelB ?? 'B';
  const better = [`${a} better`, 'tie', `${b} better`];
  const values = ranked.map((v, rank) => ({ ...v, rank: rank + 1, sign: v.delta > 0 ? better[0] : v.delta < 0 ? better[2] : better[1] }));
  const wins = values.filter((v) => v.delta > 0).length;
  const losses = values.filter((v) => v.delta < 0).length;
  return renderSvg({
    ...frame({ ...opts, title: opts.title ?? `Per-query ${metric}: ${a} vs ${b}`, subtitle: opts.subtitle ?? `${a} better on ${wins}, ${b} better on ${losses}, tied on ${values.length - wins - losses} of ${values.length} queries` }),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'rank', type: 'ordinal', title: `queries sorted by Δ (${values.length})`, axis: { labels: false, ticks: false } },
      y: { field: 'delta', type: 'quantitative', title: `Δ ${metric} (${a} − ${b})` },
      color: {
        field: 'sign',
        type: 'nominal',
        title: null,
        scale: { domain: better, range: ['#2ca02c', '#999999', '#d62728'] },
      },
      tooltip: [{ field: 'query' }, { field: 'delta', format: '.4f' }],
    },
  } as never);
}
