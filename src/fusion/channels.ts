/**
 * Fusion over any number of named channels (Qdrant's model: a normalisation × an aggregation
 * × weights). Each column holds one channel's exact scores for the same candidates.
 *
 * - `weighted`: Σ wᵢ·sᵢ / Σ wᵢ over the channels present. Bounded channels (cosine, MaxSim,
 *   learned sparse weights) enter raw — with dense, sparse and multi-vector this is exactly
 *   BGE-M3's formula. An unbounded channel (BM25) is divided by `scale`, the query's best
 *   score in that channel over every document the search may return (its exact top-1, which
 *   the channel's first stage computes), so its top document contributes wᵢ·1 and the fused
 *   score of a document does not depend on which other documents became candidates.
 * - `minmax` / `dbsf`: each column normalised over the candidates (min-max, or mean ± 3σ
 *   clipped to [0, 1]), then the weighted mean.
 * - `rrf`: Σ 1 / (rrfK + rank) over the columns, 1-based ranks among the candidates, ties by
 *   position; no weights.
 */
import { weightedSum } from './weighted.js';
import { dbsfNormalize, minMax, normalizedSum } from './normalize.js';
import { rrfFromScores } from './rrf.js';
import type { FusionKind, ScoreColumn } from './types.js';

/** One channel's column for fusion. */
export interface FusionColumn {
  name: string;
  scores: ScoreColumn;
  weight: number;
  /** Divisor for an unbounded channel in the weighted kind (its best score for this query); absent for bounded channels. */
  scale?: number;
}

/**
 * Fuses columns into one score per candidate.
 *
 * @example
 * ```ts
 * fuseColumns([{ name: 'dense', scores: d, weight: 1 }, { name: 'bm25', scores: b, weight: 0.5, scale: 12.3 }], 'weighted', 60);
 * ```
 */
export function fuseColumns(columns: readonly FusionColumn[], kind: FusionKind, rrfK: number): Float64Array {
  if (columns.length === 0) return new Float64Array(0);
  if (kind === 'rrf')
    return rrfFromScores(
      columns.map((c) => c.scores),
      columns.map(() => 1),
      rrfK,
    );
  const weights = columns.map((c) => c.weight);
  if (kind === 'minmax')
    return normalizedSum(
      columns.map((c) => c.scores),
      weights,
      minMax,
    );
  if (kind === 'dbsf')
    return normalizedSum(
      columns.map((c) => c.scores),
      weights,
      dbsfNormalize,
    );
  return weightedSum(columns.map(scaled), weights);
}

/** A column divided by its scale (zeros when the scale is not positive: nothing matched). */
export function scaled(c: FusionColumn): ScoreColumn {
  if (c.scale === undefined) return c.scores;
  const out = new Float64Array(c.scores.length);
  if (c.scale > 0) for (let i = 0; i < out.length; i++) out[i] = (c.scores[i] as number) / c.scale;
  return out;
}
