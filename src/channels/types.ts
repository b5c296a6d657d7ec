/**
 * The channel contract. A channel is one searchable representation of the indexed texts
 * (dense vectors, sparse lexical weights, token vectors, BM25 term frequencies, or vectors the
 * user brings) held in its own store under internal entry ids. HybridIndex holds channels by
 * name and loops over them: adding, removing, first-stage candidates, exact scores for given
 * ids, explanations, statistics and persistence all go through this interface, so a new kind
 * is one module plus one registration (see registry.ts).
 */
import type { ExternalId } from '../store/index.js';

/** The kinds of channel trident ships. */
export type ChannelKind = 'dense' | 'sparse' | 'multivector' | 'bm25';

/**
 * Where a vector channel's vectors come from: the index's encoder (default), or the caller
 * (`add([{ id, text, vectors: { <channel>: … } }])`, `search({ vectors })`).
 */
export type ChannelSource = 'encoder' | 'vectors';

/** A dense channel's persisted settings. */
export interface DenseChannelSpec {
  name: string;
  kind: 'dense';
  source: ChannelSource;
  dtype: 'f32' | 'f16' | 'i8';
  dimensions: number;
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
}

/** A sparse (learned lexical weights) channel's persisted settings. */
export interface SparseChannelSpec {
  name: string;
  kind: 'sparse';
  source: ChannelSource;
  /** 'idf': query weights take the index's IDF at search time (BM42-style encoders). */
  modifier?: 'none' | 'idf';
}

/** A multi-vector (ColBERT MaxSim) channel's persisted settings. */
export interface MultiVectorChannelSpec {
  name: string;
  kind: 'multivector';
  source: ChannelSource;
  dtype: 'f32' | 'f16' | 'i8' | 'binary' | 'residual';
  /** 'residual': bits per dimension (1, 2, 4; default 2). */
  bits?: 1 | 2 | 4;
  /** 'residual': number of centroids (default: from the vectors trained on). */
  centroids?: number;
  poolFactor: 1 | 2 | 3;
  dimensions: number;
  screening?: 'int8' | 'none';
}

/** A BM25 channel's persisted settings (it analyses each unit's text). */
export interface Bm25ChannelSpec {
  name: string;
  kind: 'bm25';
  analyzer: 'plain' | 'english' | 'bigram' | 'auto';
  k1: number;
  b: number;
  /** Absent in indexes written before version 2 (= 1). */
  analyzerVersion?: number;
}

/** Any channel's persisted settings (manifest `config.channels[i]`). */
export type ChannelSpec = DenseChannelSpec | SparseChannelSpec | MultiVectorChannelSpec | Bm25ChannelSpec;

/** A sparse vector: ids ascending, weights aligned. */
export interface SparseValue {
  ids: Uint32Array;
  weights: Float32Array;
}

/** Token vectors of one text (row-major `count × dim`), with optional token ids and spans. */
export interface MultiVectorValue {
  data: Float32Array;
  dim: number;
  count: number;
  tokenIds?: Uint32Array;
  charSpans?: Array<[number, number]>;
}

/**
 * What a channel may read for one unit (a document, or a chunk of one): the encoder's outputs,
 * the caller's own vectors by channel name, and the unit's text.
 */
export interface UnitSource {
  /** The document's id, for error messages. */
  doc: ExternalId;
  text: string;
  dense?: Float32Array | null | undefined;
  sparse?: SparseValue | null | undefined;
  multivector?: MultiVectorValue | null | undefined;
  vectors?: Readonly<Record<string, unknown>> | undefined;
}

/** What a channel may read for one query. */
export interface QuerySource {
  text: string | undefined;
  dense?: Float32Array | null | undefined;
  sparse?: SparseValue | null | undefined;
  multivector?: MultiVectorValue | null | undefined;
  vectors?: Readonly<Record<string, unknown>> | undefined;
}

/** One channel's part of a hit's explanation. */
export interface ChannelExplanation {
  score: number;
  /** Matched terms (sparse, BM25), strongest contribution first. */
  matches?: Array<{ tokenId: number; token: string; queryWeight: number; docWeight: number; contribution: number }>;
  /** MaxSim alignments (multi-vector), strongest first. */
  alignments?: Array<{ queryToken: string; docToken: string; score: number; docSpan?: [number, number]; docText?: string }>;
}

/** Per-channel size figures. */
export interface ChannelStats {
  kind: ChannelKind;
  /** Entries held. */
  size: number;
  /** Approximate bytes held in memory. */
  bytes?: number;
  [extra: string]: unknown;
}

/** What explain() may need besides the channel: token decoding and the document's text. */
export interface ExplainContext {
  decode(ids: number[]): string[];
  text: string | undefined;
}

/**
 * The contract every channel implements. `V` is the value stored per entry, `Q` the prepared
 * query. Ids are the index's internal entry ids (uint32).
 */
export interface Channel<V = unknown, Q = unknown> {
  readonly name: string;
  readonly kind: ChannelKind;
  readonly spec: ChannelSpec;
  /**
   * True when the channel's scores are unbounded (BM25): the weighted fusion then divides
   * them by the query's best score in the channel (see fusion/channels.ts).
   */
  readonly unbounded: boolean;
  /** True when the channel can produce first-stage candidates itself. */
  readonly firstStage: boolean;
  /** Entries held. */
  readonly size: number;
  has(id: number): boolean;
  /**
   * Reads and validates one unit's value (typed error naming the document; nothing changes).
   * Null: the unit has nothing for this channel (e.g. an encoder without that head).
   */
  prepare(unit: UnitSource): V | null;
  /**
   * Reads many units at once (optional): the same values as `prepare` on each (any value `add`
   * accepts), with the same errors, but in one pass (the BM25 channel analyses a whole batch
   * natively). Channels without it are asked one unit at a time.
   */
  prepareBatch?(units: readonly UnitSource[]): Array<V | null>;
  /**
   * {@link prepareBatch} whose work may finish later (optional): the values are returned now
   * and are usable once `ready` resolves (the BM25 channel analyses on a worker thread while
   * the change is being logged). `ready` rejects with what `prepareBatch` would have thrown.
   */
  prepareBatchDeferred?(units: readonly UnitSource[]): { values: Array<V | null>; ready: Promise<void> };
  /** Adds a prepared value (inside a batch: see begin/commit/rollback). */
  add(id: number, value: V): void;
  /**
   * Adds many prepared values at once (optional; `ids` are new and distinct): the same entries
   * as `add` called for each pair in order, all-or-nothing (on a throw the channel holds none
   * of `ids`), but in one pass over the store (BM25 statistics once, a multi-threaded graph
   * build). Channels without it are fed one `add` per entry.
   */
  addBatch?(ids: Uint32Array, values: readonly V[]): void;
  /** Removes an entry; false when the channel does not hold it. */
  remove(id: number): boolean;
  /** Starts a batch of adds (optional): state that must change only on success is staged. */
  begin?(): void;
  /** Commits the staged state of a batch. */
  commit?(): void;
  /** Drops the staged state of a failed batch (the batch's ids were removed already). */
  rollback?(): void;
  /** The channel's query, or null when this query has nothing for it (no text, no vector). */
  query(q: QuerySource): Q | null;
  /** Top-`k` ids for a query (only when `firstStage`), best first, with exact scores (exact top-k for every kind but the approximate first stage of a residual multi-vector store). */
  candidates(q: Q, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array };
  /** Exact scores of `ids` (ids the channel does not hold score 0). */
  score(q: Q, ids: Uint32Array): Float32Array;
  /**
   * `candidates` with the store work on worker threads (optional; segmented channels of an
   * index opened with `searchThreads`): the same ids and scores. Work on in-memory state is
   * done before the first await, so the caller can tell whether a write landed meanwhile.
   */
  candidatesOff?(q: Q, k: number, filter: OffThreadFilter | null): Promise<{ ids: Uint32Array; scores: Float32Array }>;
  /** `score` with the store work on worker threads (optional, as {@link candidatesOff}). */
  scoreOff?(q: Q, ids: Uint32Array): Promise<Float32Array>;
  /** Why an entry scored what it did. */
  explain(q: Q, id: number, score: number, ctx: ExplainContext): ChannelExplanation;
  stats(): ChannelStats;
  /** Drops removed entries' space before a save. */
  compact(): void;
  /**
   * Writes the channel's files into `dir` (`<data dir>/<name>`, created by the caller); files
   * that live beside it in the data dir go through `io`. Returns the names written in `dir`.
   */
  save(dir: string, io: SaveIO): Promise<string[]>;
}

/**
 * A search filter in both forms: `test` for work on the main thread, `allow` (bit `id & 7` of
 * byte `id >> 3` set for every id `test` passes) for work on worker threads.
 */
export interface OffThreadFilter {
  test: (id: number) => boolean;
  allow: Uint8Array;
}

/** Writes a file of the generation's data directory by name (the index's file-system seam). */
export interface SaveIO {
  writeFile(name: string, data: string): Promise<void>;
}

/** Names of the files a saved channel of this spec must have (relative to the data dir). */
export type ChannelFiles = (spec: ChannelSpec) => string[];
