/** The hybrid index: channels by name, N-way fusion, persistence, the write-ahead log. */
export { HybridIndex, truncateDense, type HybridIndexOptions, type HybridConfig, type AddOptions } from './hybrid-index.js';
export { compileFilter } from './filter.js';
export { chunkSpans } from './chunking.js';
export type { CalibrationQuery, CalibrationReport, CalibrationPoint } from './calibrate.js';
export { DEFAULT_BM25_WEIGHT } from './create-config.js';
export type { TieredMergeOptions } from '../segments/index.js';
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
  EncodedLike,
  TokenLevelLike,
  SaveOptions,
  OpenOptions,
  MergePolicyOptions,
  SegmentMemory,
  CalibrateOptions,
  DenseStoreOptions,
  MultiVectorStoreSettings,
  Bm25StoreOptions,
  StoredDocument,
  IndexStats,
  QueryInput,
  ChannelOptions,
  ChannelScores,
} from './types.js';
