/**
 * Multi-vector stage: token-vector store (f32/f16/i8, optional token pooling) with MaxSim
 * re-ranking and exhaustive scans through the kernels.
 *
 * @example
 * ```ts
 * import { MultiVectorStore } from './multivector/index.js';
 * const store = MultiVectorStore.create({ dim: 1024 });
 * ```
 */
export { MultiVectorStore, type MultiVectorStoreOptions, type MultiVectorStats, type MultiVectorOpenOptions, type MvScreening } from './store.js';
export type { FirstStageOptions, FirstStageResult } from './first-stage.js';
export type { MultiVector, MvDtype, Alignment } from './types.js';
export { MV_FILE, MV_FORMAT_VERSION } from './persist.js';
export { poolDoc, clusterBlock, POOL_BLOCK } from './pool.js';
export { FdeEncoder, type FdeOptions, type FdeSettings } from './muvera.js';
export { MuveraIndex, type MuveraIndexOptions, type MuveraSearchOptions } from './muvera-index.js';
