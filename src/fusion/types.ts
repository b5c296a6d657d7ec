/** The three representations, always in this order: [dense, sparse, multivector]. */
export type Weights3 = readonly [number, number, number];

/** Per-candidate scores of one representation, aligned with a candidate id list. */
export type ScoreColumn = Float32Array | Float64Array | number[];

/** Fusion methods HybridIndex understands. */
export type FusionKind = 'weighted' | 'rrf' | 'dbsf' | 'minmax';

/** Options for a fusion call; `weights` are [dense, sparse, multivector]. */
export interface FusionOptions {
  kind: FusionKind;
  weights?: Weights3;
  /** RRF constant (default 60). */
  rrfK?: number;
}
