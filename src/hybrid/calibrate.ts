import { invalid } from '../errors.js';
import type { FusionKind, Weights3 } from '../fusion/index.js';
import type { ExternalId } from '../store/index.js';
import { fuseCandidates, scoreCandidates, type SearchContext, type ScoredCandidates } from './search.js';
import { topPositions } from './topk.js';

/** A labelled query: relevant document ids with graded gains (or a list, gain 1). */
export interface CalibrationQuery {
  query: string;
  relevant: ExternalId[] | Record<string, number>;
}

/** Before/after figures of a calibration. */
export interface CalibrationReport {
  /** The index's fusion before (weights are ignored when `kind` is `rrf`). */
  before: { kind: FusionKind; weights: Weights3; ndcg: number };
  /** The fitted fusion: `weighted` when the index used RRF and weights did better, else the index's kind. */
  after: { kind: FusionKind; weights: Weights3; ndcg: number };
  queries: number;
  rounds: number;
}

/**
 * Coordinate ascent on mean nDCG@k over the labelled queries: each round tries, for each of
 * the three weights in turn, a grid of values (others fixed) and keeps the best; it stops
 * when a round brings no gain. Candidates and their exact scores are computed once per query.
 * RRF has no weights: an RRF index is fitted with `weighted` fusion, and the result is kept
 * only if it beats the RRF figure (else `after` equals `before`).
 */
export async function calibrateWeights(ctx: SearchContext, queries: CalibrationQuery[], start: Weights3, k: number): Promise<CalibrationReport> {
  if (!Array.isArray(queries) || queries.length === 0) invalid('INVALID_ARGUMENT', 'calibrate() needs at least one labelled query { query, relevant }');
  const prepared: Array<{ c: ScoredCandidates; gains: Map<ExternalId, number> }> = [];
  for (const q of queries) {
    if (typeof q?.query !== 'string') invalid('INVALID_TEXT', 'each calibration query needs a string `query`');
    const gains = new Map<ExternalId, number>();
    if (Array.isArray(q.relevant)) for (const id of q.relevant) gains.set(id, 1);
    else for (const [id, g] of Object.entries(q.relevant ?? {})) gains.set(id, g);
    const [enc] = await ctx.encoder.encode([q.query], { role: 'query' });
    prepared.push({ c: scoreCandidates(ctx, q.query, enc!, { mode: 'all', k }), gains });
  }
  const evalWeights = (w: Weights3): number => {
    let sum = 0;
    for (const { c, gains } of prepared) sum += ndcgAt(ctx, c, kind, w, gains, k);
    return sum / prepared.length;
  };
  const current = ctx.config.fusion.kind;
  let kind: FusionKind = current;
  const before = { kind: current, weights: [...start] as unknown as Weights3, ndcg: evalWeights(start) };
  if (current === 'rrf') kind = 'weighted';
  let best: Weights3 = [...start] as unknown as Weights3;
  let bestScore = evalWeights(best);
  const grid = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3];
  let rounds = 0;
  for (; rounds < 10; rounds++) {
    let improved = false;
    for (let dim = 0; dim < 3; dim++) {
      for (const v of grid) {
        const w = [...best] as [number, number, number];
        w[dim] = v;
        if (w[0] + w[1] + w[2] <= 0) continue;
        const s = evalWeights(w);
        if (s > bestScore + 1e-9) {
          bestScore = s;
          best = w;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  const after = current === 'rrf' && bestScore <= before.ndcg + 1e-9 ? { ...before } : { kind, weights: best, ndcg: bestScore };
  return { before, after, queries: prepared.length, rounds: rounds + 1 };
}

/** nDCG@k with linear gains over documents (chunks rolled up, best chunk counts). */
function ndcgAt(ctx: SearchContext, c: ScoredCandidates, kind: FusionKind, w: Weights3, gains: Map<ExternalId, number>, k: number): number {
  const fused = fuseCandidates(c, 'all', kind, w, ctx.config.fusion.rrfK);
  const order = topPositions(fused, c.ids.length, c.ids);
  const seen = new Set<ExternalId>();
  let dcg = 0;
  let rank = 0;
  for (const p of order) {
    if (rank >= k) break;
    const doc = ctx.entries.entry(c.ids[p]!)!.doc;
    if (seen.has(doc)) continue;
    seen.add(doc);
    const g = gains.get(doc) ?? gains.get(String(doc)) ?? 0;
    dcg += g / Math.log2(rank + 2);
    rank++;
  }
  const ideal = [...gains.values()].sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => (idcg += g / Math.log2(i + 2)));
  return idcg > 0 ? dcg / idcg : 0;
}
