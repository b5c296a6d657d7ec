/**
 * Score fusion: weighted sums, RRF, DBSF and min-max over aligned score columns, and the
 * run-time checks of fusion options. `fuse` takes BGE-M3's three columns; `fuseColumns` any
 * number of named channels.
 */
import type { FusionOptions, ScoreColumn, Weights3 } from './types.js';
import { validateWeights, weightedSum } from './weighted.js';
import { rrfFromScores } from './rrf.js';
import { dbsfNormalize, minMax, normalizedSum } from './normalize.js';
import { invalid } from '../errors.js';
import { checkOptions } from '../options.js';

export type { FusionKind, NamedWeights, FusionOptions, FusionSetting, RrfFusion, ScoreColumn, WeightedFusion, WeightedFusionSetting, Weights3 } from './types.js';
export { weightedSum, validateWeights } from './weighted.js';
export { rrfFromScores, rrfFromRankings, rankOrder, validateRrfK } from './rrf.js';
export { minMax, dbsfNormalize, normalizedSum } from './normalize.js';
export { fuseColumns, type FusionColumn } from './channels.js';

/** BGE-M3's self-distillation teacher weights, [dense, sparse, multivector]. */
export const M3_DISTILLED_WEIGHTS: Weights3 = [1, 0.3, 1];

/**
 * Fuse aligned score columns ([dense, sparse, multivector], `null` where absent) into one
 * score per candidate with the chosen method.
 *
 * @example
 * ```ts
 * fuse([dense, sparse, mv], { kind: 'weighted', weights: [1, 0.3, 1] });
 * ```
 */
export function fuse(columns: readonly (ScoreColumn | null)[], opts: FusionOptions): Float64Array {
  checkFusion('fuse() options', opts, false);
  switch (opts.kind) {
    case 'weighted':
      return weightedSum(columns, opts.weights ?? M3_DISTILLED_WEIGHTS);
    case 'rrf':
      return rrfFromScores(columns, EQUAL_WEIGHTS, opts.rrfK ?? 60);
    case 'dbsf':
      return normalizedSum(columns, opts.weights ?? M3_DISTILLED_WEIGHTS, dbsfNormalize);
    case 'minmax':
      return normalizedSum(columns, opts.weights ?? M3_DISTILLED_WEIGHTS, minMax);
  }
}

const EQUAL_WEIGHTS: Weights3 = [1, 1, 1];
const KINDS: readonly string[] = ['weighted', 'rrf', 'dbsf', 'minmax'];

/**
 * Run-time twin of the {@link FusionOptions} union: throws INVALID_ARGUMENT for an unknown
 * kind, an unknown key, `weights` with `rrf` or `rrfK` without it, and bad values. With
 * `kindOptional` (create/search settings) a missing kind is accepted.
 *
 * @example
 * ```ts
 * checkFusion('search() fusion', { kind: 'rrf', weights: [1, 1, 1] }, true); // throws
 * ```
 */
export function checkFusion(where: string, f: unknown, kindOptional: boolean): void {
  if (f === undefined && kindOptional) return;
  if (f === null || typeof f !== 'object' || Array.isArray(f)) invalid('INVALID_ARGUMENT', `${where} must be an object such as { kind: 'weighted', weights: [1, 0.3, 1] } or { kind: 'rrf' }`);
  const o = f as { kind?: unknown; weights?: unknown; rrfK?: unknown };
  if (o.kind === undefined ? !kindOptional : !KINDS.includes(o.kind as string)) {
    invalid('INVALID_ARGUMENT', `${where}: unknown fusion kind '${String(o.kind)}': use weighted, rrf, dbsf or minmax`);
  }
  if (o.kind === 'rrf') {
    if ('weights' in o) invalid('INVALID_ARGUMENT', `${where}: RRF fuses ranks with equal weights and takes no 'weights'; drop them, or use kind 'weighted', 'dbsf' or 'minmax' to weight the lists`);
    checkOptions(where, f, { kind: true, rrfK: true });
    if (o.rrfK !== undefined && (typeof o.rrfK !== 'number' || !Number.isFinite(o.rrfK) || o.rrfK <= 0)) invalid('INVALID_ARGUMENT', `${where}: rrfK must be a positive number, got ${String(o.rrfK)}`);
  } else {
    if ('rrfK' in o) invalid('INVALID_ARGUMENT', `${where}: rrfK is the RRF constant; it needs kind 'rrf' (fusion kind here: '${String(o.kind ?? 'the index default')}')`);
    checkOptions(where, f, { kind: true, weights: true });
    if (o.weights !== undefined) {
      if (Array.isArray(o.weights) || !kindOptional) validateWeights(o.weights as number[]);
      else validateNamedWeights(where, o.weights);
    }
  }
}

/**
 * Throws INVALID_ARGUMENT unless `w` is an object of finite weights ≥ 0 by channel name with a
 * positive sum (whether the names are channels of the index is checked by the search).
 *
 * @example
 * ```ts
 * validateNamedWeights('search() fusion', { dense: 1, bm25: 0.5 }); // ok
 * ```
 */
export function validateNamedWeights(where: string, w: unknown): void {
  if (w === null || typeof w !== 'object') invalid('INVALID_ARGUMENT', `${where}: weights must be [dense, sparse, multivector] or an object of weights by channel name, such as { dense: 1, bm25: 0.7 }`);
  let sum = 0;
  for (const [k, v] of Object.entries(w as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid('INVALID_ARGUMENT', `${where}: weight of '${k}' is ${String(v)}, not a finite number ≥ 0`);
    sum += v;
  }
  if (!(sum > 0)) invalid('INVALID_ARGUMENT', `${where}: the weights sum to 0: give at least one channel a positive weight`);
  if (!Number.isFinite(sum)) invalid('INVALID_ARGUMENT', `${where}: the weights overflow when summed: scale them down (only their ratios matter)`);
}
