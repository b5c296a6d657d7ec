import type { ScoreColumn, Weights3 } from './types.js';
import { invalid } from '../errors.js';

/**
 * M3 weighted sum (FlagEmbedding `compute_score`):
 * `s = (wd·dense + ws·sparse + wm·multivector) / (wd + ws + wm)`.
 * A column that is `null` (representation absent) contributes nothing and its weight is
 * left out of the denominator, so `weighted([d, null, m], [1, 0.3, 1])` = (d + m) / 2.
 *
 * @example
 * ```ts
 * weightedSum([[0.62], [0.19], [0.78]], [0.4, 0.2, 0.4]); // → Float64Array [0.598]
 * ```
 */
export function weightedSum(columns: readonly (ScoreColumn | null)[], weights: Weights3): Float64Array {
  validateWeights(weights);
  const n = firstLength(columns);
  const out = new Float64Array(n);
  let total = 0;
  for (let c = 0; c < 3; c++) {
    const col = columns[c];
    const w = weights[c]!;
    if (!col || w === 0) continue;
    if (col.length !== n) invalid('INVALID_ARGUMENT', `score column ${c} has ${col.length} values, expected ${n}`);
    total += w;
    for (let i = 0; i < n; i++) out[i]! += w * (col[i] as number);
  }
  if (total > 0) for (let i = 0; i < n; i++) out[i]! /= total;
  return out;
}

/**
 * Throws INVALID_ARGUMENT unless weights are three finite numbers ≥ 0 whose sum is finite and
 * positive (`[1e308, 1e308, 1e308]` overflows to Infinity and would fuse to NaN).
 *
 * @example
 * ```ts
 * validateWeights([1, 0.3, 1]); // ok
 * ```
 */
export function validateWeights(weights: readonly number[]): void {
  if (!Array.isArray(weights) || weights.length !== 3) invalid('INVALID_ARGUMENT', 'fusion weights must be [dense, sparse, multivector] (three numbers)');
  for (const w of weights) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) invalid('INVALID_ARGUMENT', `fusion weight ${String(w)} is not a finite number ≥ 0`);
  }
  const sum = weights[0]! + weights[1]! + weights[2]!;
  if (sum <= 0) invalid('INVALID_ARGUMENT', 'fusion weights sum to 0: give at least one positive weight');
  if (!Number.isFinite(sum)) invalid('INVALID_ARGUMENT', `fusion weights [${weights.join(', ')}] overflow when summed: scale them down (only their ratios matter)`);
}

export function firstLength(columns: readonly (ScoreColumn | null)[]): number {
  for (const c of columns) if (c) return c.length;
  return 0;
}
