/**
 * Per-query ranking metrics with trec_eval's definitions (trec_eval 9.x,
 * `m_ndcg_cut.c`, `m_recall.c`, `m_P.c`, `m_recip_rank.c`, `m_map.c`,
 * `m_map_cut.c`, `form_res_rels.c`):
 *
 * - Ranking: hits are sorted by score descending, ties broken by doc id
 *   DEscending in byte (UTF-8 / code point) order, exactly trec_eval's
 *   `comp_sim_docno` (`strcmp(p2->docno, p1->docno)`). The retriever's own
 *   order is ignored, as trec_eval ignores the rank column.
 * - A doc is relevant when its grade is ≥ 1 (trec_eval's default `-l 1`);
 *   `R` = number of judged docs with grade ≥ 1 (whether retrieved or not).
 * - nDCG@k = DCG@k / IDCG@k with DCG@k = Σ_{i≤k} g(rel_i) / log2(i + 1) (rank i
 *   1-based). Default gain `'linear'`: g(rel) = rel for rel > 0, else 0 (what
 *   trec_eval's `ndcg_cut` uses: "gain values are the relevance values in the
 *   qrels file"). `'exponential'`: g(rel) = 2^rel − 1 (Burges et al.); the two
 *   coincide on binary qrels. IDCG@k uses the k largest gains among all
 *   judged docs. IDCG = 0 → nDCG = 0.
 * - Recall@k = |relevant in top k| / R (0 when R = 0).
 * - P@k = |relevant in top k| / k (k, not the number retrieved).
 * - MRR@k = 1 / rank of the first relevant doc if that rank ≤ k, else 0.
 * - AP = (Σ over relevant retrieved docs of precision at their rank) / R;
 *   AP@k (trec_eval `map_cut`) sums only ranks ≤ k but still divides by R.
 *   AP = 0 when R = 0.
 *
 * A query whose qrels hold no grade ≥ 1 scores 0 on every metric and, like
 * in trec_eval, still counts in the mean (see `evaluate`'s `withoutRelevant`).
 */

/**
 * Metric families. Keys in results are `<name>@<k>`, plus `map` (AP over the whole ranking).
 *
 * @example
 * ```ts
 * const m: MetricName[] = ['ndcg', 'map'];
 * ```
 */
export type MetricName = 'ndcg' | 'recall' | 'precision' | 'mrr' | 'map';

/**
 * Gain of a grade in nDCG: `'linear'` (rel, trec_eval) or `'exponential'` (2^rel − 1).
 *
 * @example
 * ```ts
 * ndcgAt(ranked, judged, 10, 'exponential');
 * ```
 */
export type GainKind = 'linear' | 'exponential';

/**
 * All metric families, in display order.
 *
 * @example
 * ```ts
 * evaluate(r, ds, { metrics: [...ALL_METRICS] });
 * ```
 */
export const ALL_METRICS: readonly MetricName[] = ['ndcg', 'recall', 'precision', 'mrr', 'map'];

/**
 * Compares two strings by Unicode code point, which is the order of their
 * UTF-8 bytes and so of C's `strcmp` (JS `<` compares UTF-16 units and
 * differs for astral characters).
 *
 * @example
 * ```ts
 * compareCodePoints('a', 'b'); // < 0
 * compareCodePoints('\u{1F600}', '\uFF61'); // > 0 (UTF-16 order would say < 0)
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800–DFFF) encodes a code point ≥ 0x10000, above every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Orders hits the way trec_eval does (score descending, then id descending by
 * code point) and returns the ids of the first `depth` of them.
 *
 * @example
 * ```ts
 * rankHits([{ id: 'a', score: 1 }, { id: 'b', score: 1 }, { id: 'c', score: 2 }]); // ['c', 'b', 'a']
 * ```
 */
export function rankHits(hits: ReadonlyArray<{ id: string; score: number }>, depth = Infinity): string[] {
  const sorted = [...hits].sort((p, q) => (p.score !== q.score ? q.score - p.score : compareCodePoints(q.id, p.id)));
  return sorted.slice(0, depth).map((h) => h.id);
}

/**
 * The gain of a grade under `kind`.
 *
 * @example
 * ```ts
 * gainOf(2); // 2
 * gainOf(2, 'exponential'); // 3
 * ```
 */
export function gainOf(grade: number, kind: GainKind = 'linear'): number {
  if (!(grade > 0)) return 0;
  return kind === 'linear' ? grade : 2 ** grade - 1;
}

function relevantCount(judged: ReadonlyMap<string, number>): number {
  let r = 0;
  for (const g of judged.values()) if (g >= 1) r++;
  return r;
}

/**
 * nDCG@k of a ranking (ids in rank order) against graded judgements.
 *
 * @example
 * ```ts
 * ndcgAt(['d2', 'd1'], new Map([['d1', 2], ['d2', 1]]), 10); // (1 + 2/log2 3) / (2 + 1/log2 3)
 * ```
 */
export function ndcgAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number, gain: GainKind = 'linear'): number {
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    const g = gainOf(judged.get(ranked[i]!) ?? 0, gain);
    if (g > 0) dcg += g / Math.log2(i + 2);
  }
  const ideal = [...judged.values()]
    .map((g) => gainOf(g, gain))
    .filter((g) => g > 0)
    .sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i]! / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

function relevantInTop(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let c = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if ((judged.get(ranked[i]!) ?? 0) >= 1) c++;
  return c;
}

/**
 * Recall@k: relevant docs in the top k over all relevant docs (0 if none).
 *
 * @example
 * ```ts
 * recallAt(['a', 'x', 'b'], new Map([['a', 1], ['b', 1], ['c', 1]]), 2); // 1/3
 * ```
 */
export function recallAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const r = relevantCount(judged);
  return r === 0 ? 0 : relevantInTop(ranked, judged, k) / r;
}

/**
 * Precision@k: relevant docs in the top k over k (missing ranks count as non-relevant).
 *
 * @example
 * ```ts
 * precisionAt(['a'], new Map([['a', 1]]), 5); // 0.2
 * ```
 */
export function precisionAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  return relevantInTop(ranked, judged, k) / k;
}

/**
 * Reciprocal rank of the first relevant doc within the top k (0 if none).
 *
 * @example
 * ```ts
 * mrrAt(['x', 'a'], new Map([['a', 1]]), 10); // 0.5
 * ```
 */
export function mrrAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if ((judged.get(ranked[i]!) ?? 0) >= 1) return 1 / (i + 1);
  return 0;
}

/**
 * Average precision (trec_eval `map`), or `map_cut` at `k`: sum of precision at
 * each relevant doc's rank (ranks ≤ k), divided by the number of relevant docs.
 *
 * @example
 * ```ts
 * averagePrecision(['a', 'x', 'b'], new Map([['a', 1], ['b', 1], ['c', 1]])); // (1 + 2/3) / 3
 * ```
 */
export function averagePrecision(ranked: readonly string[], judged: ReadonlyMap<string, number>, k = Infinity): number {
  const r = relevantCount(judged);
  if (r === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if ((judged.get(ranked[i]!) ?? 0) >= 1) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / r;
}

/**
 * Every requested metric of one query, keyed `<name>@<k>` (plus `map` for
 * uncut AP when `'map'` is requested).
 *
 * @example
 * ```ts
 * queryMetrics(['a', 'b'], new Map([['b', 1]]), [1, 10], ['ndcg', 'mrr']);
 * // { 'ndcg@1': 0, 'ndcg@10': 0.6309…, 'mrr@1': 0, 'mrr@10': 0.5 }
 * ```
 */
export function queryMetrics(ranked: readonly string[], judged: ReadonlyMap<string, number>, ks: readonly number[], metrics: readonly MetricName[] = ALL_METRICS, gain: GainKind = 'linear'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    for (const k of ks) {
      switch (m) {
        case 'ndcg':
          out[`ndcg@${k}`] = ndcgAt(ranked, judged, k, gain);
          break;
        case 'recall':
          out[`recall@${k}`] = recallAt(ranked, judged, k);
          break;
        case 'precision':
          out[`precision@${k}`] = precisionAt(ranked, judged, k);
          break;
        case 'mrr':
          out[`mrr@${k}`] = mrrAt(ranked, judged, k);
          break;
        case 'map':
          out[`map@${k}`] = averagePrecision(ranked, judged, k);
          break;
      }
    }
    if (m === 'map') out.map = averagePrecision(ranked, judged);
  }
  return out;
}
