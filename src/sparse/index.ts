/**
 * Sparse stage: inverted index with M3 lexical and BM25 scorers, MaxScore top-k and its
 * exhaustive oracle. Named exports only.
 */
export { SparseIndex } from './sparse-index.js';
export { BM25_DEFAULTS } from './types.js';
export type { QueryModifier, SparseIndexOptions, SparseSearchOptions, SparseHits, SparseMatch, SparseStats } from './sparse-index.js';
export { sparseVector, validateSparseVector } from './vector.js';
export type { SparseVector } from './vector.js';
export { SPARSE_FILE, SPARSE_FORMAT_VERSION } from './format.js';
