/** Reciprocal rank fusion from score columns or from ranked lists. */
import { invalid } from '../errors.js';
import type { ScoreColumn, Weights3 } from './types.js';
import { firstLength, validateWeights } from './weighted.js';

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009):
 * `rrf(d) = Σ_lists w_l / (k + rank_l(d))` with **1-based** ranks and k = 60 by default.
 * Ranks are taken within the candidate set, per column, best score first; equal scores
 * share no rank: ties break by candidate position (callers pass candidates in internal-id
 * order, so ties break by internal id). A `null` column or zero weight is skipped.
 *
 * @example
 * ```ts
 * rrfFromScores([[0.9, 0.1], [0.2, 0.8], null], [1, 1, 0]); // both docs 1/61 + 1/62
 * ```
 */
export function rrfFromScores(columns: readonly (ScoreColumn | null)[], weights: Weights3 | readonly number[], k = 60): Float64Array {
  validateWeights(weights, columns.length);
  validateRrfK(k);
  const n = firstLength(columns);
  const out = new Float64Array(n);
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c];
    const w = weights[c]!;
    if (!col || w === 0) continue;
    const order = rankOrder(col);
    for (let r = 0; r < n; r++) out[order[r]!]! += w / (k + r + 1);
  }
  return out;
}

/**
 * RRF over ranked id lists (the classic form): `lists[l]` is best-first; ids absent from a
 * list get nothing from it. Returns a Map id → fused score.
 *
 * @example
 * ```ts
 * rrfFromRankings([[7, 3], [3]], [1, 1]); // Map { 7 → 1/61, 3 → 1/62 + 1/61 }
 * ```
 */
export function rrfFromRankings<T>(lists: readonly (readonly T[])[], weights?: readonly number[], k = 60): Map<T, number> {
  validateRrfK(k);
  const out = new Map<T, number>();
  lists.forEach((list, l) => {
    const w = weights?.[l] ?? 1;
    list.forEach((id, r) => {
      out.set(id, (out.get(id) ?? 0) + w / (k + r + 1));
    });
  });
  return out;
}

/**
 * Throws INVALID_ARGUMENT unless the RRF constant k is a finite number > 0 (0 or a negative k
 * divides by zero or flips the ranking; NaN and Infinity make every score NaN or 0).
 *
 * @example
 * ```ts
 * validateRrfK(60); // ok
 * ```
 */
export function validateRrfK(k: number): void {
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) invalid('INVALID_ARGUMENT', `rrfK must be a finite number > 0 (got ${String(k)}); the usual value is 60`);
}

/** Candidate positions sorted by score descending, ties by position ascending. */
export function rankOrder(col: ScoreColumn): Uint32Array {
  const order = new Uint32Array(col.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (col[b] as number) - (col[a] as number) || a - b);
  return order;
}
