/**
 * Fitting fusion weights on labelled queries: coordinate ascent on mean nDCG@k over the
 * weight of every channel the default search fuses (BM25 and the caller's own channels
 * included), with k-fold cross-validation reported beside the in-sample figure so that a
 * user sees overfitting. Candidates and their exact scores are computed once per query.
 * Owns no state.
 */
import { invalid } from '../errors.js';
import type { FusionKind } from '../fusion/index.js';
import type { ExternalId } from '../store/index.js';
import { fuseCandidates, resolveOptions, scoreCandidates, type ResolvedSearch, type SearchContext, type ScoredCandidates } from './search.js';
import { topPositions } from './topk.js';

/** A labelled query: relevant document ids with graded gains (or a list, gain 1). */
export interface CalibrationQuery {
  query: string;
  relevant: ExternalId[] | Record<string, number>;
}

/** A fusion setting with its mean nDCG@k. */
export interface CalibrationPoint {
  kind: FusionKind;
  /** Weight by channel name. */
  weights: Record<string, number>;
  ndcg: number;
}

/** Before/after figures of a calibration. */
export interface CalibrationReport {
  /** The index's fusion before (weights are ignored when `kind` is `rrf`). */
  before: CalibrationPoint;
  /** The fitted fusion (in-sample nDCG): `weighted` when the index used RRF and weights did better, else the index's kind. */
  after: CalibrationPoint;
  /**
   * k-fold cross-validation: the queries are split into `folds` parts (in their order, every
   * `folds`-th query in one part); weights are fitted on the other parts and nDCG@k measured
   * on the held-out part. `before` is the index's fusion on the same queries; a held-out
   * `after` well below the in-sample figure means the weights overfit.
   */
  crossValidated: { folds: number; before: number; after: number };
  queries: number;
  rounds: number;
}

interface Prepared {
  c: ScoredCandidates;
  gains: Map<ExternalId, number>;
}

const GRID = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3];

/**
 * Calibrates the fusion of the index's default channels. RRF has no weights: an RRF index is
 * fitted with `weighted` fusion, and the result is kept only if it beats the RRF figure
 * (else `after` equals `before`).
 */
export async function calibrateWeights(ctx: SearchContext, queries: CalibrationQuery[], k: number, folds: number | undefined): Promise<CalibrationReport> {
  if (!Array.isArray(queries) || queries.length === 0) invalid('INVALID_ARGUMENT', 'calibrate() needs at least one labelled query { query, relevant }');
  const base = resolveOptions(ctx, { k });
  const prepared: Prepared[] = [];
  for (const q of queries) {
    if (typeof q?.query !== 'string') invalid('INVALID_TEXT', 'each calibration query needs a string `query`');
    const gains = new Map<ExternalId, number>();
    if (Array.isArray(q.relevant)) for (const id of q.relevant) gains.set(id, 1);
    else for (const [id, g] of Object.entries(q.relevant ?? {})) gains.set(id, g);
    const needsEncoder = base.channels.some((c) => c.spec.kind !== 'bm25' && c.spec.source === 'encoder');
    const enc = needsEncoder && ctx.encoder ? (await ctx.encoder.encode([q.query], { role: 'query' }))[0]! : null;
    const src = { text: q.query, dense: enc?.dense ?? null, sparse: enc?.sparse ?? null, multivector: enc?.multivector ?? null };
    prepared.push({ c: scoreCandidates(ctx, src, base, { k }), gains });
  }
  const nFolds = folds ?? Math.min(5, prepared.length);
  if (!Number.isInteger(nFolds) || nFolds < 2 || nFolds > prepared.length) {
    if (folds !== undefined) invalid('INVALID_ARGUMENT', `folds must be an integer in 2..${prepared.length} (the number of queries), got ${String(folds)}`);
  }
  const current = ctx.config.fusion.kind;
  const start: Record<string, number> = { ...base.weights };
  const beforeAll = mean(prepared, (p) => ndcgAt(ctx, p, base, current, start, k));
  const fitted = fit(ctx, prepared, base, current, start, k);
  const before: CalibrationPoint = { kind: current, weights: start, ndcg: beforeAll };
  const keep = current === 'rrf' && fitted.ndcg <= beforeAll + 1e-9;
  const after: CalibrationPoint = keep ? { ...before } : { kind: fitted.kind, weights: fitted.weights, ndcg: fitted.ndcg };
  // cross-validation: fit on k−1 folds, measure on the held-out one
  let cvBefore = 0;
  let cvAfter = 0;
  let counted = 0;
  if (nFolds >= 2 && nFolds <= prepared.length) {
    for (let f = 0; f < nFolds; f++) {
      const train = prepared.filter((_p, i) => i % nFolds !== f);
      const test = prepared.filter((_p, i) => i % nFolds === f);
      const w = fit(ctx, train, base, current, start, k);
      const trainBefore = mean(train, (p) => ndcgAt(ctx, p, base, current, start, k));
      const useFitted = !(current === 'rrf' && w.ndcg <= trainBefore + 1e-9);
      for (const p of test) {
        cvBefore += ndcgAt(ctx, p, base, current, start, k);
        cvAfter += useFitted ? ndcgAt(ctx, p, base, w.kind, w.weights, k) : ndcgAt(ctx, p, base, current, start, k);
        counted++;
      }
    }
  }
  return {
    before,
    after,
    crossValidated: { folds: counted > 0 ? nFolds : 0, before: counted > 0 ? cvBefore / counted : beforeAll, after: counted > 0 ? cvAfter / counted : after.ndcg },
    queries: prepared.length,
    rounds: fitted.rounds,
  };
}

/** Coordinate ascent over the channels' weights on `set`; an RRF index is fitted as `weighted`. */
function fit(ctx: SearchContext, set: readonly Prepared[], r: ResolvedSearch, current: FusionKind, start: Record<string, number>, k: number): CalibrationPoint & { rounds: number } {
  const kind: FusionKind = current === 'rrf' ? 'weighted' : current;
  const names = r.channels.map((c) => c.name);
  let best = { ...start };
  let bestScore = mean(set, (p) => ndcgAt(ctx, p, r, kind, best, k));
  let rounds = 0;
  for (; rounds < 10; rounds++) {
    let improved = false;
    for (const name of names) {
      for (const v of GRID) {
        const w = { ...best, [name]: v };
        if (!names.some((n) => (w[n] ?? 0) > 0)) continue;
        const s = mean(set, (p) => ndcgAt(ctx, p, r, kind, w, k));
        if (s > bestScore + 1e-9) {
          bestScore = s;
          best = w;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return { kind, weights: best, ndcg: bestScore, rounds: rounds + 1 };
}

function mean<T>(xs: readonly T[], f: (x: T) => number): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += f(x);
  return s / xs.length;
}

/** nDCG@k with linear gains over documents (chunks rolled up, best chunk counts). */
function ndcgAt(ctx: SearchContext, p: Prepared, r: ResolvedSearch, kind: FusionKind, w: Record<string, number>, k: number): number {
  const { c, gains } = p;
  const fused = fuseCandidates(c, { channels: r.channels, kind, weights: w, rrfK: r.rrfK });
  const order = topPositions(fused, c.ids.length, c.ids);
  const seen = new Set<ExternalId>();
  let dcg = 0;
  let rank = 0;
  for (const pos of order) {
    if (rank >= k) break;
    const doc = ctx.entries.docOf(c.ids[pos]!)!;
    if (seen.has(doc)) continue;
    seen.add(doc);
    const g = gains.get(doc) ?? gains.get(String(doc)) ?? 0;
    dcg += g / Math.log2(rank + 2);
    rank++;
  }
  const ideal = [...gains.values()].sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => {
    idcg += g / Math.log2(i + 2);
  });
  return idcg > 0 ? dcg / idcg : 0;
}
