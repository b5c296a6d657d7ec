/**
 * Runs a {@link Retriever} over a {@link Dataset}'s judged queries, times each
 * query and scores the run with trec_eval's definitions (see `metrics.ts`).
 *
 * Which queries count (checked against trec_eval 9.x `trec_eval.c`):
 * - trec_eval evaluates the queries that appear in the qrels file, whatever
 *   their grades; queries absent from the qrels are never evaluated. Same here:
 *   the evaluated set is `dataset.qrels.keys()`; unjudged queries are not run.
 * - trec_eval without `-c` also skips judged queries that have no line in the
 *   run; here every judged query is run, and an empty result scores 0 (what
 *   `trec_eval -c` does), so a retriever cannot raise its mean by returning nothing.
 * - A judged query with no grade ≥ 1 is NOT excluded by trec_eval: it scores 0
 *   on every measure and counts in the mean. That is the default
 *   (`withoutRelevant: 'zero'`); `'exclude'` drops such queries instead and says
 *   how many in `config.excluded`. (None of the dev sets has such a query.)
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, invalid } from '../errors.js';
import { ALL_METRICS, queryMetrics, rankHits, type GainKind, type MetricName } from './metrics.js';
import type { Dataset, Hit, Qrels, Retriever, Run } from './types.js';

/**
 * Options of {@link evaluate} and {@link evaluateRun}.
 *
 * @example
 * ```ts
 * await evaluate(r, ds, { k: [10, 100], metrics: ['ndcg', 'recall'], gain: 'exponential', warmup: 20 });
 * ```
 */
export interface EvaluateOptions {
  /** Cut-offs (default `[10, 100]`). Positive integers. */
  k?: number[];
  /** Metric families (default all: ndcg, recall, precision, mrr, map). */
  metrics?: MetricName[];
  /** nDCG gain (default `'linear'`, trec_eval's). */
  gain?: GainKind;
  /** Hits requested per query and ranking depth for `map` (default: the largest k). */
  depth?: number;
  /**
   * Judged queries without any grade ≥ 1: `'zero'` (default, trec_eval) scores them 0 and
   * counts them in the means; `'exclude'` leaves them out (counted in `config.excluded`).
   */
  withoutRelevant?: 'zero' | 'exclude';
  /** Queries run untimed before timing starts, to warm caches (default 0). Their results are discarded. */
  warmup?: number;
  /** Evaluate only the first `limit` judged queries (in qrels order), e.g. for a quick check. */
  limit?: number;
  /** Label stored in `config.name`. */
  name?: string;
}

/**
 * Latency of `Retriever.search` per query, milliseconds. Percentiles use the nearest-rank method.
 *
 * @example
 * ```ts
 * const { p50, p99, mean } = (await evaluate(r, ds)).latency;
 * ```
 */
export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

/**
 * The resolved configuration of an evaluation, stored with its result.
 *
 * @example
 * ```ts
 * const { queries, excluded, queriesWithoutRelevant } = (await evaluate(r, ds)).config;
 * ```
 */
export interface EvalConfig {
  name?: string;
  dataset: string;
  k: number[];
  metrics: MetricName[];
  gain: GainKind;
  depth: number;
  withoutRelevant: 'zero' | 'exclude';
  /** Number of queries in the means. */
  queries: number;
  /** Judged queries left out (no grade ≥ 1 under `'exclude'`, or beyond `limit`). */
  excluded: number;
  /** Evaluated queries with no grade ≥ 1 (each scored 0). */
  queriesWithoutRelevant: number;
}

/**
 * Result of one evaluation. `metrics` are means of `perQuery` values over `config.queries` queries.
 *
 * @example
 * ```ts
 * const res: EvalResult = await evaluate(r, ds);
 * res.metrics['ndcg@10']; res.perQuery['q1']!['ndcg@10'];
 * ```
 */
export interface EvalResult {
  metrics: Record<string, number>;
  perQuery: Record<string, Record<string, number>>;
  latency: Latency;
  config: EvalConfig;
}

interface Resolved {
  k: number[];
  metrics: MetricName[];
  gain: GainKind;
  depth: number;
  withoutRelevant: 'zero' | 'exclude';
}

function resolve(opts: EvaluateOptions): Resolved {
  const k = opts.k ?? [10, 100];
  if (!Array.isArray(k) || k.length === 0 || !k.every((x) => Number.isInteger(x) && x > 0)) {
    invalid('INVALID_ARGUMENT', `k must be a non-empty array of positive integers, got ${JSON.stringify(k)}`);
  }
  const metrics = opts.metrics ?? [...ALL_METRICS];
  const bad = metrics.filter((m) => !ALL_METRICS.includes(m));
  if (metrics.length === 0 || bad.length > 0) {
    invalid('INVALID_ARGUMENT', `metrics must be a non-empty subset of ${ALL_METRICS.join(', ')}; got ${JSON.stringify(metrics)}`);
  }
  const gain = opts.gain ?? 'linear';
  if (gain !== 'linear' && gain !== 'exponential') invalid('INVALID_ARGUMENT', `gain must be 'linear' or 'exponential', got '${String(gain)}'`);
  const uniq = [...new Set(k)].sort((a, b) => a - b);
  const depth = opts.depth ?? uniq[uniq.length - 1]!;
  if (!Number.isInteger(depth) || depth <= 0) invalid('INVALID_ARGUMENT', `depth must be a positive integer, got ${String(depth)}`);
  const withoutRelevant = opts.withoutRelevant ?? 'zero';
  if (withoutRelevant !== 'zero' && withoutRelevant !== 'exclude') {
    invalid('INVALID_ARGUMENT', `withoutRelevant must be 'zero' or 'exclude', got '${String(withoutRelevant)}'`);
  }
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
    invalid('INVALID_ARGUMENT', `limit must be a positive integer, got ${String(opts.limit)}`);
  }
  if (opts.warmup !== undefined && !(Number.isInteger(opts.warmup) && opts.warmup >= 0)) {
    invalid('INVALID_ARGUMENT', `warmup must be a non-negative integer, got ${String(opts.warmup)}`);
  }
  return { k: uniq, metrics, gain, depth, withoutRelevant };
}

function hasRelevant(judged: ReadonlyMap<string, number>): boolean {
  for (const g of judged.values()) if (g >= 1) return true;
  return false;
}

/** Query ids to evaluate, in qrels order, plus how many were left out. */
function selectQueries(qrels: Qrels, r: Resolved, limit?: number): { ids: string[]; excluded: number; withoutRel: number } {
  let ids = [...qrels.keys()];
  let excluded = 0;
  if (r.withoutRelevant === 'exclude') {
    const kept = ids.filter((q) => hasRelevant(qrels.get(q)!));
    excluded += ids.length - kept.length;
    ids = kept;
  }
  if (limit !== undefined && ids.length > limit) {
    excluded += ids.length - limit;
    ids = ids.slice(0, limit);
  }
  if (ids.length === 0) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', "no query left to evaluate (every judged query lacks a relevant doc and withoutRelevant is 'exclude')");
  }
  const withoutRel = ids.filter((q) => !hasRelevant(qrels.get(q)!)).length;
  return { ids, excluded, withoutRel };
}

function checkHits(qid: string, hits: unknown): ReadonlyArray<Hit> {
  if (!Array.isArray(hits)) invalid('INVALID_ARGUMENT', `results for query '${qid}' must be an array of { id, score }`);
  const seen = new Set<string>();
  for (const h of hits as Hit[]) {
    if (h === null || typeof h !== 'object' || typeof h.id !== 'string' || typeof h.score !== 'number' || !Number.isFinite(h.score)) {
      invalid('INVALID_ARGUMENT', `query '${qid}': every hit needs a string id and a finite score, got ${JSON.stringify(h)}`);
    }
    if (seen.has(h.id)) invalid('DUPLICATE_ID', `query '${qid}': doc '${h.id}' retrieved twice (trec_eval rejects such runs; dedupe the results)`);
    seen.add(h.id);
  }
  return hits as Hit[];
}

function score(run: Run, qrels: Qrels, ids: string[], r: Resolved): Pick<EvalResult, 'metrics' | 'perQuery'> {
  const perQuery: Record<string, Record<string, number>> = {};
  const sums: Record<string, number> = {};
  for (const qid of ids) {
    const hits = checkHits(qid, run.get(qid) ?? []);
    const values = queryMetrics(rankHits(hits, r.depth), qrels.get(qid)!, r.k, r.metrics, r.gain);
    perQuery[qid] = values;
    for (const [key, v] of Object.entries(values)) sums[key] = (sums[key] ?? 0) + v;
  }
  const metrics: Record<string, number> = {};
  for (const [key, s] of Object.entries(sums)) metrics[key] = s / ids.length;
  return { metrics, perQuery };
}

/**
 * Scores a precomputed run (no retriever, no timing) against qrels. Every
 * judged query is scored; a query missing from the run scores 0 (trec_eval
 * `-c`). Hits are re-ranked by score then id (see `rankHits`) and cut at `depth`.
 *
 * @example
 * ```ts
 * const qrels = new Map([['q1', new Map([['d1', 1]])]]);
 * const run = new Map([['q1', [{ id: 'd1', score: 0.9 }, { id: 'd2', score: 0.5 }]]]);
 * evaluateRun(run, qrels, { k: [10], metrics: ['ndcg'] }).metrics['ndcg@10']; // 1
 * ```
 */
export function evaluateRun(run: Run, qrels: Qrels, opts: EvaluateOptions = {}): Pick<EvalResult, 'metrics' | 'perQuery'> & { config: Omit<EvalConfig, 'dataset'> } {
  const r = resolve(opts);
  if (qrels.size === 0) throw new InvalidArgumentError('INVALID_ARGUMENT', 'qrels are empty: nothing to evaluate; pass at least one judged query');
  const { ids, excluded, withoutRel } = selectQueries(qrels, r, opts.limit);
  const scored = score(run, qrels, ids, r);
  return { ...scored, config: { ...(opts.name !== undefined ? { name: opts.name } : {}), ...r, queries: ids.length, excluded, queriesWithoutRelevant: withoutRel } };
}

/**
 * Summarises latencies (ms): nearest-rank percentiles (`sorted[ceil(p·n) − 1]`), mean, min, max.
 *
 * @example
 * ```ts
 * latencyStats([3, 1, 2]); // { p50: 2, p99: 3, mean: 2, min: 1, max: 3, n: 3 }
 * ```
 */
export function latencyStats(ms: readonly number[]): Latency {
  if (ms.length === 0) return { p50: 0, p99: 0, mean: 0, min: 0, max: 0, n: 0 };
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/**
 * Evaluates a retriever on a data set: runs every judged query once (after
 * `warmup` untimed queries), timing each `search` call, then scores the run.
 *
 * @example
 * ```ts
 * const ds = await loadBeir('/work/shared/data/dev/scifact');
 * const res = await evaluate(myRetriever, ds, { k: [10, 100] });
 * console.log(res.metrics['ndcg@10'], res.latency.p50);
 * ```
 */
export async function evaluate(retriever: Retriever, dataset: Dataset, opts: EvaluateOptions = {}): Promise<EvalResult> {
  if (retriever === null || typeof retriever !== 'object' || typeof retriever.search !== 'function') {
    invalid('INVALID_ARGUMENT', 'retriever must have a search(query, k) method');
  }
  const r = resolve(opts);
  const { ids, excluded, withoutRel } = selectQueries(dataset.qrels, r, opts.limit);
  for (let i = 0; i < (opts.warmup ?? 0); i++) {
    const qid = ids[i % ids.length]!;
    await retriever.search(dataset.queries.get(qid)!, r.depth);
  }
  const run: Run = new Map();
  const times: number[] = [];
  for (const qid of ids) {
    const text = dataset.queries.get(qid)!;
    const t0 = performance.now();
    const hits = await retriever.search(text, r.depth);
    times.push(performance.now() - t0);
    run.set(qid, hits);
  }
  const scored = score(run, dataset.qrels, ids, r);
  return {
    ...scored,
    latency: latencyStats(times),
    config: {
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      dataset: dataset.name,
      ...r,
      queries: ids.length,
      excluded,
      queriesWithoutRelevant: withoutRel,
    },
  };
}

/**
 * One named configuration of {@link runConfigurations}.
 *
 * @example
 * ```ts
 * const configs: NamedRetriever[] = [{ name: 'bm25', retriever: bm25 }];
 * ```
 */
export interface NamedRetriever {
  name: string;
  retriever: Retriever;
}

/**
 * Results of several configurations on one data set, in input order.
 *
 * @example
 * ```ts
 * const table: ResultTable = await runConfigurations(configs, ds);
 * table.rows[0]!.result.metrics['ndcg@10'];
 * ```
 */
export interface ResultTable {
  dataset: string;
  rows: Array<{ name: string; result: EvalResult }>;
}

/**
 * Evaluates several configurations on the same data set, one after the other
 * (never concurrently, so latencies are comparable). Names must be unique.
 *
 * @example
 * ```ts
 * const table = await runConfigurations([{ name: 'bm25', retriever: bm25 }, { name: 'dense', retriever: dense }], ds);
 * console.log(formatTable(table));
 * ```
 */
export async function runConfigurations(configs: NamedRetriever[], dataset: Dataset, opts: EvaluateOptions = {}): Promise<ResultTable> {
  if (!Array.isArray(configs) || configs.length === 0) invalid('INVALID_ARGUMENT', 'configs must be a non-empty array of { name, retriever }');
  const names = new Set<string>();
  for (const c of configs) {
    if (typeof c?.name !== 'string' || c.name === '') invalid('INVALID_ARGUMENT', 'every configuration needs a non-empty name');
    if (names.has(c.name)) invalid('DUPLICATE_ID', `configuration name '${c.name}' is used twice; names must be unique`);
    names.add(c.name);
  }
  const rows: ResultTable['rows'] = [];
  for (const c of configs) rows.push({ name: c.name, result: await evaluate(c.retriever, dataset, { ...opts, name: c.name }) });
  return { dataset: dataset.name, rows };
}
