/**
 * trident — in-process hybrid retrieval for Node.js.
 *
 * One BGE-M3-style encoder pass gives a dense vector, sparse lexical weights and per-token
 * multi-vectors; each lives in its own index and results are fused.
 *
 * @example
 * ```ts
 * import { HybridIndex, loadEncoder } from 'trident';
 * const encoder = await loadEncoder('builtin:static-en');
 * const index = await HybridIndex.create({ encoder });
 * await index.add([{ id: 1, text: 'Hybrid retrieval fuses dense and lexical scores.' }]);
 * console.log(await index.search('what is hybrid retrieval?', { k: 3, explain: true }));
 * ```
 */
export { TridentError, InvalidArgumentError, ModelError, StorageError, DataFileError, AbortedError, EncoderClosedError, type ErrorCode } from './errors.js';
export { EvalDataError } from './eval/index.js';

// encoder: one contract, one loader, model families as presets, composition
export { loadEncoder, PRESETS, findPreset, composeEncoders, COMPOSED_FUSION, composeByRole, loadByRole, bm42Stem } from './encode/index.js';
export type { Encoder, Encoded, EncodeOptions, EncoderInfo, EncoderKind, LoadEncoderOptions, TokenLevel, Preset, RoleParts, WordSplitter } from './encode/index.js';
/** @deprecated use `loadEncoder` (same options; pass `{ kind }` or `{ preset }` to force a backend). */
export { loadFamilyEncoder } from './encode/index.js';
/** @deprecated use `LoadEncoderOptions` / `EncoderInfo`. */
export type { LoadFamilyOptions, FamilyEncoderInfo } from './encode/index.js';

// hybrid index
export { HybridIndex, compileFilter } from './hybrid/index.js';
export type {
  HybridIndexOptions,
  OpenOptions,
  MergePolicyOptions,
  SegmentMemory,
  TieredMergeOptions,
  HybridConfig,
  AddOptions,
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
  CalibrationQuery,
  CalibrationReport,
  SaveOptions,
  CalibrateOptions,
  DenseStoreOptions,
  MultiVectorStoreSettings,
  Bm25StoreOptions,
  StoredDocument,
  IndexStats,
  QueryInput,
  ChannelOptions,
  ChannelScores,
  CalibrationPoint,
} from './hybrid/index.js';
export { DEFAULT_BM25_WEIGHT } from './hybrid/index.js';

// channels: the store interface every representation implements
export { CHANNEL_KINDS, DenseChannel, SparseChannel, MultiVectorChannel, Bm25Channel } from './channels/index.js';
export type { Channel, ChannelKind, ChannelSpec, ChannelSource, ChannelExplanation, ChannelStats, DenseChannelSpec, SparseChannelSpec, MultiVectorChannelSpec, Bm25ChannelSpec } from './channels/index.js';

// Qdrant backend (loads @qdrant/js-client-rest only when used)
export { qdrant, QdrantIndex } from './qdrant/public.js';
export type { QdrantBackend, QdrantBackendOptions, QdrantIndexOptions } from './qdrant/public.js';

// the three stores, usable on their own
export { DenseIndex } from './dense/index.js';
export type { DenseIndexOptions, DenseSearchOptions, DenseDtype } from './dense/index.js';
export { SparseIndex, BM25_DEFAULTS } from './sparse/index.js';
export type { SparseVector, SparseIndexOptions, SparseSearchOptions, QueryModifier, SparseStats } from './sparse/index.js';
export { MultiVectorStore, FdeEncoder, MuveraIndex } from './multivector/index.js';
export type { MultiVector, MultiVectorStoreOptions, MultiVectorOpenOptions, MultiVectorStats, MvScreening, MvDtype, FirstStageOptions, FirstStageResult, FdeOptions, FdeSettings, MuveraIndexOptions, MuveraSearchOptions } from './multivector/index.js';
export { createAnalyzer, MAX_TERM_LENGTH, TermVocabulary, termFrequencies, sentenceSpans } from './analyze/index.js';

// fusion
export { fuse, fuseColumns, weightedSum, rrfFromScores, rrfFromRankings, minMax, dbsfNormalize, M3_DISTILLED_WEIGHTS } from './fusion/index.js';
export type { FusionColumn, NamedWeights, FusionKind, FusionOptions, FusionSetting, WeightedFusion, WeightedFusionSetting, RrfFusion, Weights3 } from './fusion/index.js';

// kernels
export { backend, setIsa, setKernelLogger } from './kernels/index.js';
export type { Backend } from './kernels/index.js';

// evaluation and charts
export { loadBeir, evaluate, evaluateRun, runConfigurations, formatTable, compare, writeJson, ndcgAt, recallAt, mrrAt, averagePrecision } from './eval/index.js';
export type { Dataset, Retriever, EvalResult, Comparison } from './eval/index.js';
export { plotLatencyQuality, plotScaling, plotPerQueryDelta } from './plot/index.js';

// search-stage helpers: query expansion
export { searchExpanded } from './search/index.js';
export type { QueryExpander } from './search/index.js';

// rerankers, remote APIs (remote encoders implement the same Encoder contract)
export { loadCrossEncoder, applyRerank } from './rerank/index.js';
export type { Reranker } from './rerank/index.js';
export { createOpenAIEncoder, createCohereReranker, RateLimiter, RemoteError } from './remote/index.js';
export type { OpenAIEncoderOptions, CohereRerankOptions } from './remote/index.js';

// training static M3 models
export { trainStatic } from './train/index.js';
export type { TrainStaticOptions, TrainStaticResult } from './train/index.js';
