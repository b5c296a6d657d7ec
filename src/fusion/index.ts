import type { FusionOptions, ScoreColumn, Weights3 } from './types.js';
import { weightedSum } from './weighted.js';
import { rrfFromScores } from './rrf.js';
import { dbsfNormalize, minMax, normalizedSum } from './normalize.js';
import { invalid } from '../errors.js';

export type { FusionKind, FusionOptions, ScoreColumn, Weights3 } from './types.js';
export { weightedSum, validateWeights } from './weighted.js';
export { rrfFromScores, rrfFromRankings, rankOrder, validateRrfK } from './rrf.js';
export { minMax, dbsfNormalize, normalizedSum } from './normalize.js';

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
  const weights = opts.weights ?? M3_DISTILLED_WEIGHTS;
  switch (opts.kind) {
    case 'weighted':
      return weightedSum(columns, weights);
    case 'rrf':
      return rrfFromScores(columns, weights, opts.rrfK ?? 60);
    case 'dbsf':
      return normalizedSum(columns, weights, dbsfNormalize);
    case 'minmax':
      return normalizedSum(columns, weights, minMax);
    default:
      return invalid('INVALID_ARGUMENT', `unknown fusion kind '${String((opts as { kind: unknown }).kind)}': use weighted, rrf, dbsf or minmax`);
  }
}
