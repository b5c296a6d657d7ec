/** The weighted mean of score columns (BGE-M3's formula) and the weights' validation. */
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
export function weightedSum(columns: readonly (ScoreColumn | null)[], weights: Weights3 | readonly number[]): Float64Array {
  validateWeights(weights, columns.length);
  const n = firstLength(columns);
  const out = new Float64Array(n);
  let total = 0;
  for (let c = 0; c < columns.length; c++) {
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
 * Throws INVALID_ARGUMENT unless weights are `n` finite numbers ≥ 0 (default 3: [dense,
 * sparse, multivector]) whose sum is finite and positive (`[1e308, 1e308, 1e308]` overflows
 * to Infinity and would fuse to NaN).
 *
 * @example
 * ```ts
 * validateWeights([1, 0.3, 1]); // ok
 * validateWeights([1, 0.3, 1, 0.5], 4); // ok: four channels
 * ```
 */
export function validateWeights(weights: readonly number[], n = 3): void {
  if (!Array.isArray(weights) || weights.length !== n) {
    invalid('INVALID_ARGUMENT', n === 3 ? 'fusion weights must be [dense, sparse, multivector] (three numbers)' : `fusion weights must be ${n} numbers, one per score column`);
  }
  for (const w of weights) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) invalid('INVALID_ARGUMENT', `fusion weight ${String(w)} is not a finite number ≥ 0`);
  }
  let sum = 0;
  for (const w of weights) sum += w;
  if (sum <= 0) invalid('INVALID_ARGUMENT', 'fusion weights sum to 0: give at least one positive weight');
  if (!Number.isFinite(sum)) invalid('INVALID_ARGUMENT', `fusion weights [${weights.join(', ')}] overflow when summed: scale them down (only their ratios matter)`);
}

export function firstLength(columns: readonly (ScoreColumn | null)[]): number {
  for (const c of columns) if (c) return c.length;
  return 0;
}
