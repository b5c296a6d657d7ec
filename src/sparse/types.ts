/** Public option and result types of the sparse index. */

/**
 * Default BM25 parameters of new indexes (SparseIndex and HybridIndex's BM25 store): Lucene's,
 * as Elasticsearch, tantivy and LanceDB use. They replaced Anserini's k1 0.9, b 0.4 because the
 * gap to LanceDB's BM25 on dev/scifact (0.682 vs 0.689 nDCG@10) was these two numbers, not the
 * analyser (issue 15; figures in the README). Saved indexes keep the k1 and b they were built with.
 *
 * @example
 * ```ts
 * SparseIndex.create({ scorer: 'bm25' }).k1 === BM25_DEFAULTS.k1; // true
 * ```
 */
export const BM25_DEFAULTS: Readonly<{ k1: number; b: number }> = Object.freeze({ k1: 1.2, b: 0.75 });

/**
 * Options of {@link SparseIndex.create}.
 *
 * @example
 * ```ts
 * const opts: SparseIndexOptions = { scorer: 'bm25', k1: 0.9, b: 0.4 };
 * ```
 */
export interface SparseIndexOptions {
  /** `dot` (M3 lexical: Σ w_q·w_d, default) or `bm25` (weights are term frequencies). */
  scorer?: 'dot' | 'bm25';
  /** BM25 term-frequency saturation, default {@link BM25_DEFAULTS}.k1 (1.2). */
  k1?: number;
  /** BM25 length normalisation in [0, 1], default {@link BM25_DEFAULTS}.b (0.75). */
  b?: number;
}

/**
 * Query-time weight modifier of a `dot` index: `none` (weights as given) or `idf` (Qdrant's
 * `modifier: idf`: q_t · ln(1 + (N − n_t + 0.5) / (n_t + 0.5)) over the live documents).
 *
 * @example
 * ```ts
 * const m: QueryModifier = 'idf';
 * sparseIndex.setQueryModifier(m);
 * ```
 */
export type QueryModifier = 'none' | 'idf';

/**
 * Search options.
 *
 * @example
 * ```ts
 * index.search(q, 10, { filter: (id) => id % 2 === 0 });
 * ```
 */
export interface SparseSearchOptions {
  /** Keep only documents for which this returns true (must be pure). */
  filter?: (docId: number) => boolean;
  /** Use the exhaustive scorer instead of MaxScore (same results, slower). */
  exhaustive?: boolean;
}

/**
 * Search result: internal ids best first (higher score, then lower id) and their f32 scores.
 * Only documents sharing at least one term with the query appear.
 *
 * @example
 * ```ts
 * const { ids, scores } = index.search(q, 10);
 * ```
 */
export interface SparseHits {
  ids: Uint32Array;
  scores: Float32Array;
}

/**
 * A matched term of a document, for explanations.
 *
 * @example
 * ```ts
 * const m: SparseMatch = { id: 42, queryWeight: 1, docWeight: 3 };
 * ```
 */
export interface SparseMatch {
  id: number;
  queryWeight: number;
  docWeight: number;
}

/**
 * Memory and size figures of a {@link SparseIndex}.
 *
 * @example
 * ```ts
 * const { bytesPerPosting } = index.stats();
 * ```
 */
export interface SparseStats {
  /** live documents */
  docs: number;
  /** tombstoned documents not yet compacted */
  deleted: number;
  /** distinct terms with postings */
  terms: number;
  /** stored postings (tombstoned ones included until compaction) */
  postings: number;
  /** typed-array bytes allocated: postings (capacity included) + per-document arrays */
  bytes: number;
  /** `bytes / postings` (0 when empty); 8 after compact() plus the per-document share */
  bytesPerPosting: number;
}
