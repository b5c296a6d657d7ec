export { HybridIndex, truncateDense, type HybridIndexOptions, type HybridConfig, type AddOptions } from './hybrid-index.js';
export { compileFilter } from './filter.js';
export { chunkSpans } from './chunking.js';
export type { CalibrationQuery, CalibrationReport } from './calibrate.js';
export type {
  SearchMode,
  SearchOptions,
  SearchHit,
  Explanation,
  DocumentInput,
  ChunkingOptions,
  MetadataFilter,
  FilterObject,
  FieldFilter,
  BoolFilter,
  FieldCondition,
  FilterValue,
  HybridEncoder,
  SaveOptions,
  OpenOptions,
  CalibrateOptions,
  DenseStoreOptions,
  MultiVectorStoreSettings,
  Bm25StoreOptions,
  StoredDocument,
  IndexStats,
} from './types.js';
