/**
 * Shapes shared by the multi-vector (ColBERT / M3) store.
 */

/**
 * Storage precision of token vectors: f32, f16 (binary16 bit patterns), i8 with one
 * symmetric scale per vector, or compressed: 'binary' (1 bit per dimension) and 'residual'
 * (centroid id + 1, 2 or 4 bits per dimension, ColBERTv2 style).
 *
 * @example
 * ```ts
 * const dtype: MvDtype = 'residual'; // ~258 B per 1024-d token vector at 2 bits
 * ```
 */
export type MvDtype = 'f32' | 'f16' | 'i8' | 'binary' | 'residual';

/**
 * The uncompressed dtypes (kept in an {@link Arena}).
 *
 * @example
 * ```ts
 * const d: DenseMvDtype = 'f16';
 * ```
 */
export type DenseMvDtype = 'f32' | 'f16' | 'i8';

/**
 * A set of token vectors: `count × dim` row-major values in `data`, with the encoder's
 * token ids (one per vector) and optional character spans `[start, end)` for explanations.
 * `charSpans` is either an array of pairs or a flat Uint32Array of `2 × count` values.
 *
 * @example
 * ```ts
 * const mv: MultiVector = { data: new Float32Array(2 * 1024), dim: 1024, count: 2, tokenIds: Uint32Array.of(9001, 2) };
 * ```
 */
export interface MultiVector {
  data: Float32Array;
  dim: number;
  count: number;
  tokenIds?: Uint32Array;
  charSpans?: Array<[number, number]> | Uint32Array;
}

/**
 * One query vector's best-matching document vector (see MultiVectorStore.alignments).
 *
 * @example
 * ```ts
 * const a: Alignment = { queryIndex: 3, docIndex: 17, score: 0.82, docTokenId: 9001, docCharSpan: [40, 45] };
 * ```
 */
export interface Alignment {
  /** Index of the query vector. */
  queryIndex: number;
  /** Index of the document vector (after pooling, if the store pools). */
  docIndex: number;
  /** Their dot product: this query vector's contribution × qCount to the MaxSim score. */
  score: number;
  /** Encoder token id of the document vector (first member's id when pooled). */
  docTokenId?: number;
  /** Character span of the document vector (first member's span when pooled). */
  docCharSpan?: [number, number];
}

/**
 * Sentinel for "no token id / no span" in the arenas.
 *
 * @example
 * ```ts
 * if (tokens[v] !== NONE) use(tokens[v]);
 * ```
 */
export const NONE = 0xffff_ffff;
