/**
 * Scorers shared by the pruned search, the exhaustive oracle, `score()` and `matches()`.
 *
 * Per shared term t with query weight q_t and document weight w_t:
 * - `dot` (M3 lexical): c_t = q_t · w_t.
 * - `bm25`: c_t = q_t · idf_t · w_t · (k1 + 1) / (w_t + k1 · (1 − b + b · dl / avgdl)),
 *   idf_t = ln(1 + (N − df_t + 0.5) / (df_t + 0.5)) (Lucene's non-negative idf), w_t = term
 *   frequency, dl = Σ tf of the document, q_t = the query's term frequency (a repeated query
 *   term counts once per occurrence, like summed clauses). N, df and avgdl are those of the
 *   live documents: a delete moves them at once, and compaction (save/open) changes no score.
 *
 * Precision policy: every contribution is computed in f64 by one expression, the document score
 * is the f64 sum of contributions in query-id order, then rounded once to f32. Every path sums in
 * that canonical order, so pruned and exhaustive scores are bit-identical and ties are real ties.
 */
import type { PostingStore } from './postings.js';

/** Collection-level constants one query needs; internal. */
export interface ScoreContext {
  bm25: boolean;
  /** k1 · (1 − b) for BM25 */
  lenConst: number;
  /** k1 · b / avgdl for BM25 */
  lenSlope: number;
  docLen: Float32Array;
  /** 0 = absent, 1 = live, 2 = tombstoned */
  state: Uint8Array;
}

/** Query terms present in the index, in ascending query-id order; internal. */
export interface PreparedQuery {
  m: number;
  termIds: Uint32Array;
  /** arena range [start, end) of each term's postings */
  start: Uint32Array;
  end: Uint32Array;
  /** multiplier per term: q_t for dot, q_t · idf_t · (k1 + 1) for BM25 */
  qf: Float64Array;
  /** upper bound of c_t over the list */
  ub: Float64Array;
  /** raw query weight per term */
  qw: Float32Array;
}

/** BM25 inverse document frequency (always > 0). */
export function bm25Idf(docCount: number, df: number): number {
  return Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
}

/** Contribution of one posting; the single expression every path uses. */
export function contribution(ctx: ScoreContext, qf: number, w: number, doc: number): number {
  return ctx.bm25 ? (qf * w) / (w + ctx.lenConst + ctx.lenSlope * ctx.docLen[doc]!) : qf * w;
}

/**
 * Upper bound of {@link contribution} over one list: exact for dot (max weight); for BM25 the
 * maximum over the list's skyline, or over the list itself when it is short.
 */
export function upperBound(ctx: ScoreContext, qf: number, store: PostingStore, slot: number): number {
  if (!ctx.bm25) return qf * store.maxW[slot]!;
  let best = 0;
  const sky = store.skyline(slot, ctx.docLen);
  if (sky !== null) {
    const { T, D } = sky;
    for (let i = 0; i < T.length; i++) {
      const w = T[i]!;
      const c = (qf * w) / (w + ctx.lenConst + ctx.lenSlope * D[i]!);
      if (c > best) best = c;
    }
    return best;
  }
  const a = store.start[slot]!;
  const e = a + store.len[slot]!;
  for (let p = a; p < e; p++) {
    const c = contribution(ctx, qf, store.weights[p]!, store.docs[p]!);
    if (c > best) best = c;
  }
  return best;
}

/** Sums contributions in canonical order and rounds to f32 (the one place a score is finalised). */
export function finalScore(contrib: Float64Array, canonToSlot: Int32Array, m: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) s += contrib[canonToSlot[j]!]!;
  return Math.fround(s);
}
