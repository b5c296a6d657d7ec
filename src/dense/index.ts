/**
 * Dense stage: usearch HNSW index with an exact brute-force oracle.
 *
 * @example
 * ```ts
 * import { DenseIndex } from './dense/index.js';
 * const index = DenseIndex.create({ dimensions: 1024 });
 * ```
 */
export { DenseIndex, EXACT_BELOW_VALUES, type DenseIndexOptions, type DenseSearchOptions, type DenseDtype, type Ranked } from './dense-index.js';
export { type DenseSettings, DENSE_ROWS_FILE, DENSE_GRAPH_FILE, DENSE_FORMAT_VERSION } from './persist.js';
export { topK } from '../kernels/topk.js';
