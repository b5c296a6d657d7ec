/** The three representations, always in this order: [dense, sparse, multivector]. */
export type Weights3 = readonly [number, number, number];

/**
 * Weights by channel name (`{ dense: 1, bm25: 0.7 }`), for `HybridIndex` searches over any
 * channels. A tuple `[dense, sparse, multivector]` means the same as
 * `{ dense, sparse, multivector }` (BGE-M3's three).
 */
export type NamedWeights = Readonly<Record<string, number>>;

/** Per-candidate scores of one representation, aligned with a candidate id list. */
export type ScoreColumn = Float32Array | Float64Array | number[];

/** Fusion methods HybridIndex understands. */
export type FusionKind = 'weighted' | 'rrf' | 'dbsf' | 'minmax';

/**
 * Score fusion with per-representation weights: `weighted` (M3's weighted mean of raw
 * scores), `dbsf` (distribution-based: mean ± 3σ normalisation, then the weighted mean) or
 * `minmax` (min-max normalisation, then the weighted mean).
 *
 * @example
 * ```ts
 * const f: WeightedFusion = { kind: 'weighted', weights: [1, 0.3, 1] };
 * ```
 */
export interface WeightedFusion {
  /** The method. In `search()` options it may be omitted: the index's default kind is used. */
  kind: 'weighted' | 'dbsf' | 'minmax';
  /**
   * [dense, sparse, multivector], finite, ≥ 0, positive sum. Default: the index's weights
   * (the encoder's distillation weights, BGE-M3 [1, 0.3, 1]; `fuse()` defaults to those).
   */
  weights?: Weights3;
}

/**
 * Reciprocal rank fusion (Cormack et al. 2009): `Σ_lists 1 / (rrfK + rank)`, 1-based ranks,
 * every list weighted equally. It takes no weights: a `weights` key is refused by the
 * compiler and at run time (use `weighted`, `dbsf` or `minmax` to weight the lists).
 *
 * @example
 * ```ts
 * const f: RrfFusion = { kind: 'rrf', rrfK: 60 };
 * ```
 */
export interface RrfFusion {
  kind: 'rrf';
  /** The RRF constant k added to each rank (a positive number). Default 60. */
  rrfK?: number;
}

/**
 * Options for a fusion call: a discriminated union on `kind`.
 *
 * @example
 * ```ts
 * fuse(columns, { kind: 'rrf' }); fuse(columns, { kind: 'dbsf', weights: [1, 1, 1] });
 * ```
 */
export type FusionOptions = WeightedFusion | RrfFusion;

/**
 * Fusion in `HybridIndex.create` / `search` options: as {@link FusionOptions}, except that
 * `kind` may be left out of a weights-only setting (`{ weights }` keeps the index's kind,
 * which must then not be `rrf`).
 *
 * @example
 * ```ts
 * await index.search('q', { fusion: { weights: [1, 0, 1] } });
 * await index.search('q', { fusion: { kind: 'rrf' } });
 * ```
 */
export type FusionSetting = WeightedFusionSetting | RrfFusion;

/**
 * {@link WeightedFusion} with `kind` optional (see {@link FusionSetting}).
 *
 * @example
 * ```ts
 * const f: WeightedFusionSetting = { weights: [1, 0.3, 1] };
 * ```
 */
export interface WeightedFusionSetting {
  /** The method. Default: the index's kind (`HybridIndex.create`: `weighted`). */
  kind?: 'weighted' | 'dbsf' | 'minmax';
  /**
   * A weight per channel name (`{ dense: 1, bm25: 0.7 }`; channels not named weigh 0), or
   * `[dense, sparse, multivector]`. Default: the index's weights.
   */
  weights?: Weights3 | NamedWeights;
}
