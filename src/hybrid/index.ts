export { HybridIndex, truncateDense, type HybridIndexOptions, type OpenOptions, type HybridConfig, type AddOptions } from './hybrid-index.js';
export { compileFilter } from './filter.js';
export { chunkSpans } from './chunking.js';
export type { CalibrationQuery, CalibrationReport } from './calibrate.js';
export type { SearchMode, SearchOptions, SearchHit, Explanation, DocumentInput, ChunkingOptions, MetadataFilter, FilterObject, FieldFilter, BoolFilter, FieldCondition, FilterValue, HybridEncoder } from './types.js';
