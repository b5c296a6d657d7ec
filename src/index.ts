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
export { TridentError, InvalidArgumentError, ModelError, StorageError, DataFileError, AbortedError, type ErrorCode } from './errors.js';

// encoder
export { loadEncoder } from './encode/index.js';
export type { Encoder, Encoded, EncodeOptions, EncoderInfo, LoadEncoderOptions, TokenLevel } from './encode/index.js';

// hybrid index
export { HybridIndex, compileFilter } from './hybrid/index.js';
export type {
  HybridIndexOptions,
  OpenOptions,
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
} from './hybrid/index.js';

// the three stores, usable on their own
export { DenseIndex } from './dense/index.js';
export type { DenseIndexOptions, DenseSearchOptions, DenseDtype } from './dense/index.js';
export { SparseIndex, BM25_DEFAULTS } from './sparse/index.js';
export type { SparseVector, SparseIndexOptions, SparseSearchOptions, QueryModifier, SparseStats } from './sparse/index.js';
export { MultiVectorStore } from './multivector/index.js';
export type { MultiVector, MultiVectorStoreOptions, MultiVectorOpenOptions, MultiVectorStats, MvScreening } from './multivector/index.js';
export { createAnalyzer, MAX_TERM_LENGTH, TermVocabulary, termFrequencies, sentenceSpans } from './analyze/index.js';

// fusion
export { fuse, weightedSum, rrfFromScores, rrfFromRankings, minMax, dbsfNormalize, M3_DISTILLED_WEIGHTS } from './fusion/index.js';
export type { FusionKind, FusionOptions, FusionSetting, WeightedFusion, WeightedFusionSetting, RrfFusion, Weights3 } from './fusion/index.js';

// kernels
export { backend, setIsa, setKernelLogger } from './kernels/index.js';
export type { Backend } from './kernels/index.js';

// evaluation and charts
export { loadBeir, evaluate, evaluateRun, runConfigurations, formatTable, compare, writeJson, ndcgAt, recallAt, mrrAt, averagePrecision } from './eval/index.js';
export type { Dataset, Retriever, EvalResult, Comparison } from './eval/index.js';
export { plotLatencyQuality, plotScaling, plotPerQueryDelta } from './plot/index.js';

// other model families, rerankers, remote APIs (one Encoder interface)
export { loadFamilyEncoder, PRESETS, findPreset, composeEncoders, COMPOSED_FUSION, searchExpanded, composeByRole, loadByRole, bm42Stem } from './families/index.js';
export type { LoadFamilyOptions, Preset, QueryExpander, RoleParts, WordSplitter, FamilyEncoderInfo } from './families/index.js';
export { loadCrossEncoder, applyRerank } from './rerank/index.js';
export type { Reranker } from './rerank/index.js';
export { createOpenAIEncoder, createCohereReranker, RateLimiter, RemoteError } from './remote/index.js';
export type { OpenAIEncoderOptions, CohereRerankOptions } from './remote/index.js';

// training static M3 models
export { trainStatic } from './train/index.js';
export type { TrainStaticOptions, TrainStaticResult } from './train/index.js';
