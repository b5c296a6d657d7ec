/**
 * Public types of the hybrid index: options of create/open/add/search/save/calibrate, the
 * encoder contract it needs, documents, filters, hits, explanations and statistics.
 */
import type { FusionKind, FusionSetting } from '../fusion/index.js';
import type { ExternalId, StoreFs } from '../store/index.js';
import type { MultiVectorStats } from '../multivector/index.js';
import type { SparseStats } from '../sparse/index.js';
import type { ChannelExplanation, ChannelStats } from '../channels/index.js';
import type { TieredMergeOptions } from '../segments/index.js';

/** Retrieval modes: which representations produce candidates and enter fusion. */
export type SearchMode = 'dense' | 'sparse' | 'multivector' | 'dense+sparse' | 'all' | 'bm25';

/** Where a segmented index's committed segments live: memory-mapped files, or read into memory (see `segmentMemory`). */
export type SegmentMemory = 'auto' | 'mapped' | 'resident';

/** What HybridIndex needs from an encoder (implemented by `loadEncoder`'s encoders). */
export interface HybridEncoder {
  readonly info: {
    id: string;
    dim: number;
    maxLength: number;
    fusionWeights?: readonly [number, number, number] | undefined;
    heads?: { dense?: boolean; sparse?: boolean; multivector?: boolean } | undefined;
    /**
     * Query-time modifier the sparse store applies (`idf`: Qdrant's `modifier: idf`, computed
     * from the index's own live statistics at each search; BM42 declares it). Default `none`.
     */
    sparseModifier?: 'none' | 'idf' | undefined;
  };
  encode(texts: string[], opts?: { role?: 'query' | 'document'; maxLength?: number }): Promise<EncodedLike[]>;
  encodeTokens?(texts: string[], opts?: { role?: 'query' | 'document'; maxLength?: number }): Promise<TokenLevelLike[]>;
  decodeTokens?(ids: Uint32Array | number[]): string[];
}

/** One encoded text (the encoder's output contract). */
export interface EncodedLike {
  dense?: Float32Array | null;
  sparse?: { ids: Uint32Array; weights: Float32Array } | null;
  multivector?: { data: Float32Array; dim: number; count: number; tokenIds?: Uint32Array; charSpans?: Array<[number, number]> } | null;
  truncated?: boolean;
  tokenCount?: number;
}

/** Unpooled per-token output used by late chunking. */
export interface TokenLevelLike {
  tokenIds: Uint32Array;
  charSpans: Array<[number, number]>;
  tokenWeights: Float32Array;
  /** (T-1) × dim, positions 1..T-1, normalised. */
  colbert: Float32Array;
  /** T × H last hidden state, when the model exposes it. */
  hidden: Float32Array | null;
  hiddenDim?: number;
  dense: Float32Array;
  truncated: boolean;
  /**
   * 1 where the token comes from the caller's text, 0 for specials, markers and role-prefix
   * tokens. Absent (M3): position 0 and the ids 0–3 are the non-text positions.
   */
  textMask?: Uint8Array;
  /** False when `tokenWeights` carry no lexical weights (dense-only models). Default true. */
  lexical?: boolean;
}

/** A document to add. */
export interface DocumentInput {
  id: ExternalId;
  /** The text (encoded by the index's encoder, analysed by BM25 channels, stored unless storeText is false). Optional only when no channel needs it. */
  text?: string;
  metadata?: Record<string, unknown>;
  /**
   * Your own vectors by channel name, for channels created with `source: 'vectors'`: dense
   * `Float32Array | number[]`, sparse `{ ids, weights }` (or `{ indices, values }`),
   * multi-vector `{ data, dim, count }` or an array of token vectors. Checked like encoder
   * output (dimensions, finite values). Not allowed with chunking.
   */
  vectors?: Record<string, unknown>;
}

/**
 * Chunking options for `add`.
 *
 * @example
 * ```ts
 * await index.add(docs, { chunking: { kind: 'late', by: 'sentence', size: 3, overlap: 1 } });
 * ```
 */
export interface ChunkingOptions {
  /** `late`: encode the whole document once and pool per chunk; `ordinary`: encode each chunk's text. Required. */
  kind: 'late' | 'ordinary';
  /** Chunk unit: sentences or model tokens. Required. */
  by: 'sentence' | 'tokens';
  /** Units per chunk. Default 3 sentences, or 128 tokens. */
  size?: number;
  /** Units shared by consecutive chunks, in [0, size). Default 0. */
  overlap?: number;
}

/** A value a filter compares metadata fields with (by `===`). */
export type FilterValue = string | number | boolean | null;

/**
 * The condition on one metadata field: equality with a value, `in` / `nin` (one of / none of
 * the values), or a numeric range (`gt`, `gte`, `lt`, `lte`; non-numbers never match). An
 * operator object needs at least one operator; its operators AND together.
 */
export type FieldCondition = FilterValue | { in?: readonly FilterValue[]; nin?: readonly FilterValue[]; gt?: number; gte?: number; lt?: number; lte?: number };

/** Field conditions, ANDed: `{ year: { gte: 2020 }, lang: 'en' }`. Field names must not start with `$`. */
export type FieldFilter = { readonly [field: string]: FieldCondition };

/**
 * Boolean combinations (Qdrant's must / should / must_not): `$and` (every filter matches),
 * `$or` (at least one; never empty), `$not` (the filter must not match). Entries of one object AND.
 */
export interface BoolFilter {
  $and?: readonly FilterObject[];
  $or?: readonly FilterObject[];
  $not?: FilterObject;
}

/** An object filter: field conditions or a boolean combination. */
export type FilterObject = FieldFilter | BoolFilter;

/**
 * A metadata filter (see `compileFilter`): an object filter, or a function of the document's
 * metadata and id (if it throws, the search fails with INVALID_ARGUMENT carrying the cause).
 * Fields are matched as own properties of the metadata only.
 *
 * @example
 * ```ts
 * const f: MetadataFilter = { $or: [{ lang: 'en' }, { year: { gte: 2020 } }], $not: { draft: true } };
 * ```
 */
export type MetadataFilter = FilterObject | ((metadata: Record<string, unknown> | undefined, id: ExternalId) => boolean);

/**
 * A query as an object: its text (encoded by the index's encoder, analysed by BM25 channels)
 * and/or your own vectors by channel name (for channels created with `source: 'vectors'`).
 *
 * @example
 * ```ts
 * await index.search({ text: 'heart attack', vectors: { openai: queryEmbedding } });
 * ```
 */
export interface QueryInput {
  text?: string;
  vectors?: Record<string, unknown>;
}

/**
 * Options of `HybridIndex.search`. An unknown key (`limit`, `topK`, …) is an
 * INVALID_ARGUMENT that names the closest valid option.
 *
 * @example
 * ```ts
 * await index.search('what is bm25', { k: 5, mode: 'all', fusion: { kind: 'rrf' }, includeText: true });
 * ```
 */
export interface SearchOptions {
  /** Hits to return (documents, after chunk roll-up), a positive integer. Default 10. */
  k?: number;
  /** Representations that produce candidates and enter fusion. Default `'all'`. */
  mode?: SearchMode;
  /**
   * The channels to search and fuse, by name (default: the index's default set — every
   * channel, BM25 included, for an index created by this version). Each selected channel
   * contributes its top candidates (multi-vector channels only re-rank) and every candidate
   * gets an exact score from each. Not together with `mode`.
   */
  channels?: string[];
  /**
   * Fusion for this search: `{ kind: 'weighted' | 'dbsf' | 'minmax', weights? }` or
   * `{ kind: 'rrf', rrfK? }` (RRF takes no weights). Default: the index's fusion (`create`'s
   * `fusion`, i.e. weighted with the encoder's weights unless set).
   */
  fusion?: FusionSetting;
  /** Candidates taken from each first-stage list (dense top-N ∪ sparse top-N). Default: the index's (200). */
  candidates?: number;
  /** Keep only documents whose metadata match. Default: no filter. */
  filter?: MetadataFilter;
  /** Attach an {@link Explanation} to every hit. Default false. */
  explain?: boolean;
  /** Score every document exhaustively (oracle path). Default false. */
  exhaustive?: boolean;
  /**
   * Put each document's stored text on its hit (`hit.text`; the index must keep texts:
   * `storeText`, on by default). Default false.
   */
  includeText?: boolean;
  /**
   * A final re-ranking stage: the top `topN` fused hits (default 50) are re-scored by a
   * cross-encoder or rerank API and reordered; `hit.rerankScore` holds its score. Default: none.
   */
  rerank?: { model: import('../rerank/index.js').Reranker; topN?: number };
  /**
   * Query expansion hook: a function (e.g. an LLM call) that returns extra queries; each is
   * searched with the same options (each list max(k, 50) deep) and the lists are fused with
   * RRF (k = 60, 1-based ranks). Default: none.
   */
  expand?: (query: string) => Promise<string[]> | string[];
  /** A query already encoded with `encodeQuery` (lets benchmarks time retrieval apart from encoding). Default: encode `query`. */
  encoded?: EncodedLike;
  /**
   * Cancels the search: checked before encoding, after it, and before the rerank stage;
   * an aborted search rejects with a TridentError whose code is `ABORTED`. Default: none.
   */
  signal?: AbortSignal;
}

/**
 * Options of `HybridIndex.add` and `update`.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * await index.add(docs, { batchSize: 64, onProgress: (p) => console.log(p.done, p.total), signal: ac.signal });
 * ```
 */
export interface AddOptions {
  /** Called after each encoded batch with documents done / total. Default: none. */
  onProgress?: (p: { done: number; total: number }) => void;
  /** Split documents into chunks (stored and scored separately, rolled up at search). Default: no chunking. */
  chunking?: ChunkingOptions;
  /** Texts per encoder call, a positive integer. Default 32. */
  batchSize?: number;
  /**
   * Cancels the call: checked between encoder batches and once more before anything is
   * applied. An aborted add or update changes nothing (no document, no log record) and rejects
   * with a TridentError whose code is `ABORTED`. Default: none.
   */
  signal?: AbortSignal;
}

/**
 * Options of `HybridIndex.save`.
 *
 * @example
 * ```ts
 * await index.save({ signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface SaveOptions {
  /** Directory to save to. Default: the index's `path` (or the directory it was opened from). */
  dir?: string;
  /**
   * Cancels the save before it starts writing. Once the new generation is being written the
   * save completes (a crash-safe save cannot stop half-way without cleaning up, which it does
   * only on errors). An aborted save rejects with code `ABORTED` and leaves the saved index as
   * it was. Default: none.
   */
  signal?: AbortSignal;
}

/**
 * Options of `HybridIndex.calibrate`.
 *
 * @example
 * ```ts
 * const report = await index.calibrate(queries, { apply: false, k: 10 });
 * ```
 */
export interface CalibrateOptions {
  /** Make the fitted weights the index's default fusion weights. Default true. */
  apply?: boolean;
  /** Cut-off of the nDCG that is maximised, a positive integer. Default 10. */
  k?: number;
  /** Folds of the cross-validation reported beside the in-sample figure (2..number of queries). Default 5 (fewer with fewer queries). */
  folds?: number;
}

/**
 * Options of `HybridIndex.open`.
 *
 * @example
 * ```ts
 * const index = await HybridIndex.open('./my-index', { encoder });
 * ```
 */
export interface OpenOptions {
  /** The encoder the index was built with (same identity, else ENCODER_MISMATCH). Required unless the index was created without one. */
  encoder?: HybridEncoder;
  /**
   * Open for reading only: takes no writer lock (any number of readers may run beside one
   * writer, in any process) and never writes to the directory (no log reset, no temporary
   * files, no cleanup). The index is the last saved generation, read whole even while a writer
   * saves; changes in the writer's write-ahead log since that save are not replayed. add,
   * update, delete and save throw INDEX_READ_ONLY. Default false: open for writing, which
   * takes the directory's writer lock (INDEX_LOCKED if another writer holds it) until close().
   */
  readOnly?: boolean;
  /**
   * Worker threads for the store work of `search()` (`storage: 'segments'` only): each thread
   * holds the segmented channels' committed segments memory-mapped (the page cache is shared)
   * and runs first stages and exact scoring (sparse, BM25, MaxSim, dense) there, the channels
   * of one search and concurrent searches spread over the threads, so the event loop only
   * merges; the in-memory tail (documents added since the last save), fusion and roll-up stay
   * on the calling thread. Hits, scores and order are exactly those without threads. The
   * threads follow each `save()` / `optimize()` of this index and the deletions made since;
   * a change or save that lands while a search waits for its threads makes that search answer
   * again on the calling thread. A filter crosses to the threads as a bitmap of the entries it
   * passes (built per search on the calling thread). A thread that dies rejects its searches
   * with WORKER_FAILED and is replaced; `close()` rejects searches in flight with INDEX_CLOSED
   * and stops every thread. Default 0 (none); 1…256; INVALID_ARGUMENT without segments.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, searchThreads: 2 });
   * ```
   */
  searchThreads?: number;
  /**
   * How much lower the search threads (`searchThreads`) run than the calling thread: added to
   * their nice value (at most 19), 0…19, Linux only (elsewhere a thread's priority cannot be
   * set apart from its process's, and this is ignored). Above 0
   * the calling thread, at its own priority, is scheduled ahead of the search threads when
   * both want a core, so the event loop stays responsive while the threads saturate the CPU;
   * under other processes' load the threads also yield to those. Default: 10 when
   * `searchThreads` ≥ `os.availableParallelism()` (the threads can occupy every core, so the event
   * loop would wait for a time slice: with 2 threads on 2 vCPUs its delay p99 under 16 concurrent
   * searches was 5.3–5.9 ms at 0 and 2.0–2.2 ms at 10, QPS unchanged), else 0 (the same priority).
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, searchThreads: 2, searchThreadsNice: 10 });
   * ```
   */
  searchThreadsNice?: number;
  /**
   * `'segments'` converts an index of the default storage to segment storage (see
   * `HybridIndex.create`'s `storage`): from this open on it behaves as a segmented index whose
   * documents are all in the in-memory tail, with the same hits and scores, and its next
   * `save()` writes every document as the first segments and commits the index in the new
   * format (one atomic manifest replacement, as every save; until then the directory stays in
   * the default format and opens as before). Nothing is re-encoded: the stored vectors are
   * read back (a compressed multi-vector channel is re-encoded from its decoded vectors with a
   * codebook of its own). Needs a writer (INVALID_ARGUMENT with `readOnly`); INVALID_ARGUMENT,
   * with the index unchanged, for a channel segments cannot hold (dense 'i8', sparse with the
   * 'idf' modifier, pooled multi-vectors). On an index already in segments: nothing to do.
   * `'generations'` on a segmented index: INVALID_ARGUMENT (there is no conversion back).
   * Default: the storage the index was saved with.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, storage: 'segments' });
   * await index.save(); // now memory-mapped segments
   * ```
   */
  storage?: 'generations' | 'segments';
  /**
   * The tiered merge policy of `storage: 'segments'` (after Lucene's TieredMergePolicy, see
   * src/segments/merge-policy.ts): index-wide settings, and per channel under `channels`
   * (overriding them for that channel). Each save merges a channel's segments when it holds more
   * than `segmentsPerTier` per size tier (default 10; tiny segments count as `floorSegmentBytes`,
   * default 2 MiB). Fewer segments mean faster searches and more merge work at saves. A dense
   * channel also keeps at most `maxGraphSegments` segments searched through their HNSW graph
   * (default 4; each graph costs a descent and a beam of at least 3k, so eleven cost ~2× one
   * while four cost no more): beyond it, each save merges the two smallest, inserting the
   * smaller's vectors into the bigger's graph (a dense merge rebuilds a graph only when every
   * source has deletions). `{ channels: { dense: { maxGraphSegments: 1 } } }` keeps one graph
   * (every save then inserts into it and rewrites it); a large value turns the budget off. A run-time setting (as
   * Lucene's IndexWriterConfig): not saved with the index, give it again at each open.
   * INVALID_ARGUMENT for an unknown setting or channel, a value out of range, or the default
   * storage.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, mergePolicy: { channels: { dense: { maxGraphSegments: 2 } } } });
   * ```
   */
  mergePolicy?: MergePolicyOptions;
  /**
   * Where the committed segments' bytes live (`storage: 'segments'` only; a run-time setting,
   * not saved with the index). `'auto'` (default): memory-mapped files, `open()` reads headers
   * only, and the first search that reads a segment file copies it into anonymous memory at the
   * same addresses (off the event loop, huge-page-advised) while this process's copies stay
   * within a quarter of its memory (RAM, or its cgroup's limit; `TRIDENT_MMAP_PROMOTE=<bytes>`
   * sets the budget, `0` turns copying off): an index that fits is scored at the in-memory
   * stores' speed, one that does not keeps reading the rest through the page cache. Each process
   * holds its own copies (the page cache is shared: several processes serving one index may
   * prefer `'mapped'`). `'mapped'`: memory-mapped files only, read through the page cache: RSS
   * grows only with the pages queries touch, and scans run slower (on scifact the MaxSim
   * re-rank over mapped files ran 1.1–1.2× the in-memory store's, copied 1.00×; README "Segment
   * memory"). `'resident'`:
   * each segment file is read into page-aligned memory advised to use transparent huge pages
   * (Qdrant's `on_disk: false`): `open()` and each save's new segments read their files whole,
   * RSS holds every segment, and the kernels read anonymous memory instead of the page cache
   * (on scifact the MaxSim re-rank over mapped files ran 1.09–1.15× the in-memory store's,
   * resident 1.00×). Applies to sparse, BM25 and multi-vector
   * channels; dense channels stay mapped (usearch searches each graph through its own mapping
   * of the file, so a copy would hold every vector twice). Checksums, structural checks, hits
   * and scores are the same in all three. Search threads (`searchThreads`) map the files and
   * never copy them. INVALID_ARGUMENT for another value, or `'resident'` with the default storage.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, segmentMemory: 'resident' });
   * ```
   */
  segmentMemory?: SegmentMemory;
  /** File-system seam (fault-injection tests). Default: node:fs. */
  fs?: StoreFs;
}

/**
 * Options of `HybridIndex.create`. An unknown key, here or in a nested store object, is an
 * INVALID_ARGUMENT that names the closest valid option.
 *
 * @example
 * ```ts
 * const index = await HybridIndex.create({ encoder, path: './idx', bm25: { analyzer: 'english' }, fusion: { kind: 'rrf' } });
 * ```
 */
export interface HybridIndexOptions {
  /**
   * The encoder (from `loadEncoder`, `composeEncoders`, …). Required
   * unless every channel takes the caller's vectors or is BM25 (then give `dense: false,
   * sparse: false, multivector: false` or leave them out, and `channels`).
   */
  encoder?: HybridEncoder;
  /**
   * Where the index lives: `qdrant({ url, collection, … })` puts it in a Qdrant collection
   * (create() then returns a `QdrantIndex`; `path`, `wal`, `overwrite`, `fs` and `channels`
   * do not apply). Default: in this process (and `path` on disk).
   */
  backend?: import('../qdrant/backend.js').QdrantBackend;
  /** Directory the index is saved to (`save()` needs it). Default: none (in memory until `save(dir)`). */
  path?: string;
  /** Dense store; `false` disables it. Default: on when the encoder has a dense head, with the defaults of {@link DenseStoreOptions}. */
  dense?: false | DenseStoreOptions;
  /** Sparse (learned lexical weights) store; `false` disables it. It has no options (`{}`). Default: on when the encoder has a sparse head. */
  sparse?: false | Record<string, never>;
  /** Multi-vector store; `false` disables it. Default: on when the encoder has a multi-vector head, with the defaults of {@link MultiVectorStoreSettings}. */
  multivector?: false | MultiVectorStoreSettings;
  /**
   * A BM25 channel named `bm25` over analysed terms; when present, searches fuse it by default
   * (weighted: its scores divided by the query's best BM25 score, weight
   * {@link DEFAULT_BM25_WEIGHT}). Default: off.
   */
  bm25?: false | Bm25StoreOptions;
  /**
   * More channels, each with a unique name: a second dense model, a channel fed by your own
   * vectors (`source: 'vectors'`, the default here), another BM25 analyser. Their default
   * fusion weight is 1.
   *
   * @example
   * ```ts
   * channels: [{ name: 'openai', kind: 'dense', dimensions: 1536 }, { name: 'bm25-cjk', kind: 'bm25', analyzer: 'bigram' }]
   * ```
   */
  channels?: ChannelOptions[];
  /**
   * Default fusion of searches. Default `{ kind: 'weighted' }` with the encoder's distillation
   * weights for dense, sparse and multi-vector (BGE-M3: [1, 0.3, 1]), {@link DEFAULT_BM25_WEIGHT}
   * for BM25 and 1 for other channels; weights may be given by channel name
   * (`{ weights: { dense: 1, bm25: 0.5 } }`); `{ kind: 'rrf', rrfK? }` takes no weights.
   */
  fusion?: FusionSetting;
  /** First-stage candidates per list, a positive integer. Default 200. */
  candidates?: number;
  /** Keep document texts (needed for `includeText`, `get()`, chunk text and explanation snippets). Default true. */
  storeText?: boolean;
  /**
   * Write-ahead log. Default true: every add/update/delete is appended to `<path>/wal.log`
   * and fsynced before it is applied (concurrent calls share one write and one fsync), and
   * `open()` replays it, so a crash, or a `close()` without `save()`, loses nothing that was
   * acknowledged (the encoded vectors are logged, nothing is re-encoded). With `path`,
   * `create()` writes the empty index at once; without `path` the log starts at the first
   * `save(dir)`. `wal: false` turns it off: then a crash or a `close()` without `save()` loses
   * every change since the last `save()`. `wal: true` without `path` is INVALID_ARGUMENT.
   */
  wal?: boolean;
  /**
   * How the index is stored on disk. `'generations'` (the default): every `save()` rewrites
   * every channel into a new generation folder and `open()` reads and checks all of it.
   * `'segments'` (opt-in, needs `path`): the sparse, BM25, multi-vector (every dtype, no
   * pooling) and dense (f32 / f16; each vector once, in its segment's usearch graph file)
   * channels keep saved documents in immutable segment files under `<path>/segments/<channel>/`,
   * memory-mapped at open (headers checked eagerly, big sections on first touch); a save writes
   * only the documents added since the last one (plus deletion bitmaps and the small files) and
   * merges segments by a tiered policy; `optimize()` merges them all. Searches give the same
   * hits and scores as the default storage (a residual channel's own candidates come from each
   * segment's centroid lists). `searchThreads` runs their search work on worker threads.
   */
  storage?: 'generations' | 'segments';
  /**
   * The tiered merge policy of `storage: 'segments'` (after Lucene's TieredMergePolicy, see
   * src/segments/merge-policy.ts): index-wide settings, and per channel under `channels`
   * (overriding them for that channel). Each save merges a channel's segments when it holds more
   * than `segmentsPerTier` per size tier (default 10; tiny segments count as `floorSegmentBytes`,
   * default 2 MiB). Fewer segments mean faster searches and more merge work at saves. A dense
   * channel also keeps at most `maxGraphSegments` segments searched through their HNSW graph
   * (default 4; each graph costs a descent and a beam of at least 3k, so eleven cost ~2× one
   * while four cost no more): beyond it, each save merges the two smallest, inserting the
   * smaller's vectors into the bigger's graph (a dense merge rebuilds a graph only when every
   * source has deletions). `{ channels: { dense: { maxGraphSegments: 1 } } }` keeps one graph
   * (every save then inserts into it and rewrites it); a large value turns the budget off. A run-time setting (as
   * Lucene's IndexWriterConfig): not saved with the index, give it again at each open.
   * INVALID_ARGUMENT for an unknown setting or channel, a value out of range, or the default
   * storage.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, mergePolicy: { channels: { dense: { maxGraphSegments: 2 } } } });
   * ```
   */
  mergePolicy?: MergePolicyOptions;
  /**
   * Worker threads for the store work of `search()` (`storage: 'segments'` only): each thread
   * holds the segmented channels' committed segments memory-mapped (the page cache is shared)
   * and runs first stages and exact scoring (sparse, BM25, MaxSim, dense) there, the channels
   * of one search and concurrent searches spread over the threads, so the event loop only
   * merges; the in-memory tail (documents added since the last save), fusion and roll-up stay
   * on the calling thread. Hits, scores and order are exactly those without threads. The
   * threads follow each `save()` / `optimize()` of this index and the deletions made since;
   * a change or save that lands while a search waits for its threads makes that search answer
   * again on the calling thread. A filter crosses to the threads as a bitmap of the entries it
   * passes (built per search on the calling thread). A thread that dies rejects its searches
   * with WORKER_FAILED and is replaced; `close()` rejects searches in flight with INDEX_CLOSED
   * and stops every thread. Default 0 (none); 1…256; INVALID_ARGUMENT without segments.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, searchThreads: 2 });
   * ```
   */
  searchThreads?: number;
  /**
   * How much lower the search threads (`searchThreads`) run than the calling thread: added to
   * their nice value (at most 19), 0…19, Linux only (elsewhere a thread's priority cannot be
   * set apart from its process's, and this is ignored). Above 0
   * the calling thread, at its own priority, is scheduled ahead of the search threads when
   * both want a core, so the event loop stays responsive while the threads saturate the CPU;
   * under other processes' load the threads also yield to those. Default: 10 when
   * `searchThreads` ≥ `os.availableParallelism()` (the threads can occupy every core, so the event
   * loop would wait for a time slice: with 2 threads on 2 vCPUs its delay p99 under 16 concurrent
   * searches was 5.3–5.9 ms at 0 and 2.0–2.2 ms at 10, QPS unchanged), else 0 (the same priority).
   *
   * @example
   * ```ts
   * const index = await HybridIndex.open('./idx', { encoder, searchThreads: 2, searchThreadsNice: 10 });
   * ```
   */
  searchThreadsNice?: number;
  /**
   * Replace an index (or write beside other files) at `path`. Default false: `create()` refuses
   * a directory that holds an index (INDEX_EXISTS) or other files (DIRECTORY_NOT_EMPTY). With
   * true the old index stays readable until this one's first `save()` replaces it; other
   * files are never deleted.
   */
  overwrite?: boolean;
  /**
   * Where the committed segments' bytes live (`storage: 'segments'` only; a run-time setting,
   * not saved with the index). `'auto'` (default): memory-mapped files, `open()` reads headers
   * only, and the first search that reads a segment file copies it into anonymous memory at the
   * same addresses (off the event loop, huge-page-advised) while this process's copies stay
   * within a quarter of its memory (RAM, or its cgroup's limit; `TRIDENT_MMAP_PROMOTE=<bytes>`
   * sets the budget, `0` turns copying off): an index that fits is scored at the in-memory
   * stores' speed, one that does not keeps reading the rest through the page cache. Each process
   * holds its own copies (the page cache is shared: several processes serving one index may
   * prefer `'mapped'`). `'mapped'`: memory-mapped files only, read through the page cache: RSS
   * grows only with the pages queries touch, and scans run slower (on scifact the MaxSim
   * re-rank over mapped files ran 1.1–1.2× the in-memory store's, copied 1.00×; README "Segment
   * memory"). `'resident'`:
   * each segment file is read into page-aligned memory advised to use transparent huge pages
   * (Qdrant's `on_disk: false`): `open()` and each save's new segments read their files whole,
   * RSS holds every segment, and the kernels read anonymous memory instead of the page cache
   * (on scifact the MaxSim re-rank over mapped files ran 1.09–1.15× the in-memory store's,
   * resident 1.00×). Applies to sparse, BM25 and multi-vector
   * channels; dense channels stay mapped (usearch searches each graph through its own mapping
   * of the file, so a copy would hold every vector twice). Checksums, structural checks, hits
   * and scores are the same in all three. Search threads (`searchThreads`) map the files and
   * never copy them. INVALID_ARGUMENT for another value, or `'resident'` with the default storage.
   *
   * @example
   * ```ts
   * const index = await HybridIndex.create({ encoder, path: './idx', storage: 'segments', segmentMemory: 'resident' });
   * ```
   */
  segmentMemory?: SegmentMemory;
  /** File-system seam (fault-injection tests). Default: node:fs. */
  fs?: StoreFs;
}

/**
 * An extra channel of {@link HybridIndexOptions.channels}. Vector channels take the caller's
 * vectors by default (`source: 'vectors'`); `source: 'encoder'` feeds one from the index's
 * encoder (e.g. a second dense channel truncated to fewer dimensions).
 *
 * @example
 * ```ts
 * const c: ChannelOptions = { name: 'mine', kind: 'dense', dimensions: 384, dtype: 'f16' };
 * ```
 */
export type ChannelOptions =
  | ({ name: string; kind: 'dense'; source?: 'vectors' | 'encoder' } & DenseStoreOptions)
  | { name: string; kind: 'sparse'; source?: 'vectors' | 'encoder'; modifier?: 'none' | 'idf' }
  | ({ name: string; kind: 'multivector'; source?: 'vectors' | 'encoder'; dimensions?: number } & MultiVectorStoreSettings)
  | ({ name: string; kind: 'bm25' } & Bm25StoreOptions);

/**
 * Dense store settings of {@link HybridIndexOptions}.
 *
 * @example
 * ```ts
 * await HybridIndex.create({ encoder, dense: { dtype: 'i8', dimensions: 256 } });
 * ```
 */
export interface DenseStoreOptions {
  /** Precision: 'f32', 'f16' or 'i8'. Default 'f16' from 512 dimensions up, else 'f32'. */
  dtype?: 'f32' | 'f16' | 'i8';
  /** Keep the first N dimensions (Matryoshka), then normalise; 1 … the encoder's. Default: all. */
  dimensions?: number;
  /** HNSW edges per node. Default 16. */
  connectivity?: number;
  /** HNSW search breadth while inserting. Default 128. */
  expansionAdd?: number;
  /** HNSW search breadth at query time. Default 128. */
  expansionSearch?: number;
}

/**
 * Multi-vector store settings of {@link HybridIndexOptions}.
 *
 * @example
 * ```ts
 * await HybridIndex.create({ encoder, multivector: { dtype: 'i8', poolFactor: 2 } });
 * ```
 */
export interface MultiVectorStoreSettings {
  /**
   * Storage precision. Default: 'residual' 2-bit for an encoder's token vectors of 512
   * dimensions or more (BGE-M3's 1024-d: ≈ 52 KB instead of 400 KB per 200-token document,
   * nDCG@10 within 0.005 of f16), else 'f16' (the built-in 128-d model, your own vectors, or when
   * `screening` is set). A saved index keeps the dtype it was created with. Compressed: 'binary'
   * (1 bit per dimension) and 'residual' (ColBERTv2-style centroid + `bits` per dimension; the
   * default storage trains one codebook on the first vectors added, `storage: 'segments'` one
   * per segment, retrained at merges).
   */
  dtype?: 'f32' | 'f16' | 'i8' | 'binary' | 'residual';
  /** 'residual' only: bits per dimension, 1, 2 or 4. Default 2. */
  bits?: 1 | 2 | 4;
  /** 'residual' only: number of centroids (1 … 65536). Default from the number of vectors trained on. */
  centroids?: number;
  /** Token pooling: 1 (off), 2 or 3 (about half / a third of the vectors). Default 1. */
  poolFactor?: 1 | 2 | 3;
  /**
   * f32/f16 stores keep an int8 screening sidecar for exact MaxSim at int8 speed (+dim+24
   * bytes per token vector, runtime only); 'none' saves the memory. Default 'int8' on avx512 / amx, else 'none'.
   */
  screening?: 'int8' | 'none';
}

/**
 * BM25 store settings of {@link HybridIndexOptions}.
 *
 * @example
 * ```ts
 * await HybridIndex.create({ encoder, bm25: { analyzer: 'english', k1: 1.2, b: 0.75 } });
 * ```
 */
export interface Bm25StoreOptions {
  /** Text → terms: 'plain' (`\w+`), 'english' (stop-words, Porter2), 'bigram' (CJK), 'auto' (by script). Default 'auto'. */
  analyzer?: 'plain' | 'english' | 'bigram' | 'auto';
  /** Term-frequency saturation. Default 1.2 (`BM25_DEFAULTS`; indexes made before it: 0.9). */
  k1?: number;
  /** Length normalisation in [0, 1]. Default 0.75 (`BM25_DEFAULTS`; indexes made before it: 0.4). */
  b?: number;
}

/**
 * A stored document, as `HybridIndex.get` returns it.
 *
 * @example
 * ```ts
 * const [doc] = await index.get(['a']); // { id: 'a', text: '…', metadata: { year: 2020 } } or null
 * ```
 */
export interface StoredDocument {
  id: ExternalId;
  /** The text given to `add` (absent when the index was created with `storeText: false`). */
  text?: string;
  /** The metadata given to `add` (absent when none was). */
  metadata?: Record<string, unknown>;
  /** The chunks' character spans in `text`, when the document was added with `chunking`. */
  chunks?: Array<{ start: number; end: number }>;
}

/**
 * What `HybridIndex.stats()` reports.
 *
 * @example
 * ```ts
 * const s: IndexStats = index.stats(); // s.documents, s.multivector?.bytesPerDoc
 * ```
 */
export interface IndexStats {
  /** Live documents. */
  documents: number;
  /** Live stored units (documents, or their chunks). */
  entries: number;
  /** Dense store (null when disabled): vectors held. */
  dense: { size: number } | null;
  /** Every channel's figures, by name. */
  channels: Record<string, ChannelStats>;
  /** Sparse store (null when disabled). */
  sparse: SparseStats | null;
  /** Multi-vector store (null when disabled). */
  multivector: MultiVectorStats | null;
  /** BM25 store (null when disabled). */
  bm25: SparseStats | null;
}

/** One search hit. Scores are raw (inner product, lexical dot, MaxSim); `score` is fused. */
/** Exact scores of a hit by channel name. */
export type ChannelScores = { dense?: number; sparse?: number; multivector?: number; bm25?: number; [channel: string]: number | undefined };

export interface SearchHit {
  id: ExternalId;
  score: number;
  /** The document's stored text, when the search asked for `includeText`. */
  text?: string;
  scores: ChannelScores;
  metadata?: Record<string, unknown>;
  chunk?: { index: number; start: number; end: number; text?: string };
  explanation?: Explanation;
  /** Score given by the rerank stage (when `rerank` was asked for and this hit was in its top N). */
  rerankScore?: number;
}

/** Why a hit ranked where it did. */
export interface Explanation {
  /** The mode alias the search used, if any. */
  mode?: SearchMode;
  /**
   * The fusion: kind, the weight of each channel (1 each for RRF) and, for the weighted kind,
   * the divisor of each unbounded channel (BM25: the query's best score).
   */
  fusion: { kind: FusionKind; weights: Record<string, number>; scales?: Record<string, number> };
  scores: ChannelScores;
  /** Each channel's own explanation. */
  channels: Record<string, ChannelExplanation>;
  sparseMatches: Array<{ tokenId: number; token: string; queryWeight: number; docWeight: number; contribution: number }>;
  alignments: Array<{ queryToken: string; docToken: string; score: number; docSpan?: [number, number]; docText?: string }>;
}

/**
 * Merge policy settings of a segmented index ({@link HybridIndexOptions.mergePolicy}):
 * index-wide, and per channel name under `channels`.
 *
 * @example
 * ```ts
 * const p: MergePolicyOptions = { floorSegmentBytes: 16 * 2 ** 20, channels: { dense: { segmentsPerTier: 2 } } };
 * ```
 */
export interface MergePolicyOptions extends TieredMergeOptions {
  /** Settings for single channels, by name (merged over the index-wide ones). */
  channels?: Record<string, TieredMergeOptions>;
}
