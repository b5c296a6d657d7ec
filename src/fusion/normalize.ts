/** Per-column score normalisations (min-max, DBSF's mean ± 3σ) and their weighted mean. */
import type { ScoreColumn, Weights3 } from './types.js';
import { firstLength, validateWeights } from './weighted.js';

/**
 * Min-max normalisation to [0, 1]: `(s - min) / (max - min)`.
 * Guards: an empty column gives an empty result; a zero range (all equal) gives 1 for every
 * value when that value is > 0 and 0 otherwise (all equally good, or all equally absent).
 *
 * @example
 * ```ts
 * minMax([2, 4, 3]); // Float64Array [0, 1, 0.5]
 * ```
 */
export function minMax(col: ScoreColumn): Float64Array {
  const n = col.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  for (let i = 0; i < n; i++) out[i] = range > 0 ? ((col[i] as number) - lo) / range : hi > 0 ? 1 : 0;
  return out;
}

/**
 * Distribution-based score fusion normaliser (Qdrant's DBSF): maps `[μ - 3σ, μ + 3σ]` to
 * [0, 1] and clamps, with μ, σ the column's mean and population standard deviation.
 * Guards: empty → empty; σ = 0 → same rule as {@link minMax}'s zero range.
 *
 * @example
 * ```ts
 * dbsfNormalize([1, 2, 3]); // mean 2, σ≈0.816 → [≈0.296, 0.5, ≈0.704]
 * ```
 */
export function dbsfNormalize(col: ScoreColumn): Float64Array {
  const n = col.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += col[i] as number;
  mean /= n;
  let varSum = 0;
  for (let i = 0; i < n; i++) varSum += ((col[i] as number) - mean) ** 2;
  const sigma = Math.sqrt(varSum / n);
  if (!(sigma > 0)) return minMax(col);
  const lo = mean - 3 * sigma;
  for (let i = 0; i < n; i++) out[i] = Math.min(1, Math.max(0, ((col[i] as number) - lo) / (6 * sigma)));
  return out;
}

/**
 * Normalise each column with `normalizer`, then take the weighted sum divided by the sum
 * of the weights of the present columns (same convention as M3's weighted sum).
 *
 * @example
 * ```ts
 * normalizedSum([[1, 3], [0, 1], null], [1, 1, 0], minMax); // [0, 1]
 * ```
 */
export function normalizedSum(columns: readonly (ScoreColumn | null)[], weights: Weights3 | readonly number[], normalizer: (c: ScoreColumn) => Float64Array): Float64Array {
  validateWeights(weights, columns.length);
  const n = firstLength(columns);
  const out = new Float64Array(n);
  let total = 0;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c];
    const w = weights[c]!;
    if (!col || w === 0) continue;
    total += w;
    const norm = normalizer(col);
    for (let i = 0; i < n; i++) out[i]! += w * norm[i]!;
  }
  if (total > 0) for (let i = 0; i < n; i++) out[i]! /= total;
  return out;
}
