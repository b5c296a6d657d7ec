import type { FusionKind, Weights3 } from '../fusion/index.js';
import type { ExternalId } from '../store/index.js';

/** Retrieval modes: which representations produce candidates and enter fusion. */
export type SearchMode = 'dense' | 'sparse' | 'multivector' | 'dense+sparse' | 'all' | 'bm25';

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
  text: string;
  metadata?: Record<string, unknown>;
}

/** Chunking options for `add`. */
export type ChunkingOptions =
  | { kind: 'late' | 'ordinary'; by: 'sentence' | 'tokens'; size?: number; overlap?: number };

/** A value a filter compares metadata fields with (by `===`). */
export type FilterValue = string | number | boolean | null;

/**
 * The condition on one metadata field: equality with a value, `in` / `nin` (one of / none of
 * the values), or a numeric range (`gt`, `gte`, `lt`, `lte`; non-numbers never match). An
 * operator object needs at least one operator; its operators AND together.
 */
export type FieldCondition =
  | FilterValue
  | { in?: readonly FilterValue[]; nin?: readonly FilterValue[]; gt?: number; gte?: number; lt?: number; lte?: number };

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

/** Options of `HybridIndex.search`. */
export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  fusion?: { kind?: FusionKind; weights?: Weights3; rrfK?: number };
  /** Candidates taken from each first-stage list (dense top-N ∪ sparse top-N). Default 200. */
  candidates?: number;
  filter?: MetadataFilter;
  explain?: boolean;
  /** Score every document exhaustively (oracle path). */
  exhaustive?: boolean;
  /**
   * A final re-ranking stage: the top `topN` fused hits (default 50) are re-scored by a
   * cross-encoder or rerank API and reordered; `hit.rerankScore` holds its score.
   */
  rerank?: { model: import('../rerank/index.js').Reranker; topN?: number };
  /**
   * Query expansion hook: a function (e.g. an LLM call) that returns extra queries; each is
   * searched with the same options (each list max(k, 50) deep) and the lists are fused with
   * RRF (k = 60, 1-based ranks).
   */
  expand?: (query: string) => Promise<string[]> | string[];
  /** A query already encoded with `encodeQuery` (lets benchmarks time retrieval apart from encoding). */
  encoded?: EncodedLike;
}

/** One search hit. Scores are raw (inner product, lexical dot, MaxSim); `score` is fused. */
export interface SearchHit {
  id: ExternalId;
  score: number;
  scores: { dense?: number; sparse?: number; multivector?: number; bm25?: number };
  metadata?: Record<string, unknown>;
  chunk?: { index: number; start: number; end: number; text?: string };
  explanation?: Explanation;
  /** Score given by the rerank stage (when `rerank` was asked for and this hit was in its top N). */
  rerankScore?: number;
}

/** Why a hit ranked where it did. */
export interface Explanation {
  mode: SearchMode;
  fusion: { kind: FusionKind; weights: Weights3 };
  scores: { dense?: number; sparse?: number; multivector?: number; bm25?: number };
  sparseMatches: Array<{ tokenId: number; token: string; queryWeight: number; docWeight: number; contribution: number }>;
  alignments: Array<{ queryToken: string; docToken: string; score: number; docSpan?: [number, number]; docText?: string }>;
}
