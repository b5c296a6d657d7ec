/**
 * The kernel contract shared by the native SIMD addon and the pure-TS twins.
 *
 * Layouts (all row-major, canonical, never ISA-packed):
 * - a set of token vectors is `count × dim` contiguous values;
 * - document arenas hold many documents' token vectors back to back; a candidate is
 *   described by `starts[i]` (index of its first token vector in the arena) and
 *   `counts[i]` (how many vectors it has);
 * - f16 values are IEEE-754 binary16 bit patterns in a Uint16Array;
 * - i8 rows carry one symmetric scale per row: value ≈ scale × int8.
 *
 * MaxSim (M3 / ColBERT): score(q, d) = (1/|q|) Σ_i max_j q_i · d_j; a document with no
 * vectors or a query with no vectors scores 0.
 *
 * Validation (both backends): query length must be qCount × dim (else DIMENSION_MISMATCH);
 * starts/counts/out equal lengths, candidates inside the arena, row ids inside the rows,
 * typed-array types as declared (else INVALID_ARGUMENT). i8 dim is limited to 65 536.
 *
 * @example
 * ```ts
 * import { kernels } from './index.js';
 * const out = new Float32Array(2);
 * kernels.maxsimF32(query, 32, 1024, arena, Uint32Array.of(0, 180), Uint32Array.of(180, 64), out);
 * ```
 */
export interface Kernels {
  /** out[i] = MaxSim(query, doc i) for f32 documents. query: qCount×dim f32. */
  maxsimF32(query: Float32Array, qCount: number, dim: number, docs: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void;
  /** Same with f16 document vectors (query stays f32). */
  maxsimF16(query: Float32Array, qCount: number, dim: number, docs: Uint16Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void;
  /**
   * Same with i8 document vectors and one scale per document vector (query quantised internally
   * as needed). `docSums` (optional): Σ of each document vector's int8 values, one per vector of
   * `docs` ({@link rowSumsI8}); stores keep it so the kernel need not re-sum candidate rows.
   * Results are identical with or without it (if it is right).
   */
  maxsimI8(query: Float32Array, qCount: number, dim: number, docs: Int8Array, docScales: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array, docSums?: Int32Array | null): void;
  /**
   * Same result as {@link maxsimF32} (exact), given the arena's screening sidecar built by
   * `buildScreen` (src/kernels/screen.ts): `screenI8` holds every vector's int8 image (dim
   * bytes each, row-major like the arena) and `screenStats` SCREEN_STATS (6) floats per vector. The avx512 / amx
   * kernel screens all pairs with it instead of quantising the candidates' rows on every call;
   * the other ISAs and the TS twin ignore it. The sidecar must cover every candidate vector.
   */
  maxsimF32Screen(query: Float32Array, qCount: number, dim: number, docs: Float32Array, screenI8: Int8Array, screenStats: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void;
  /** Same with f16 document vectors (sidecar built from their decoded values). */
  maxsimF16Screen(query: Float32Array, qCount: number, dim: number, docs: Uint16Array, screenI8: Int8Array, screenStats: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void;
  /**
   * MaxSim over compressed token vectors (binary / residual codes, layout in src/kernels/codes.ts):
   * the query is quantised per vector as for {@link maxsimI8}; a pair scores
   * r = f32(f32(f32(Σ q8·table[code]) × qScale) × scale); with centroids (`cids`, `norms`, `ct`: all
   * or none; ct holds qCount × k values) the pair scores f32(f32(ct[i × k + cids[v]] + r) × norms[v]).
   * With `centroids` (k × dim int8 rows) and `centroidScales` (k), ct is an output: the kernel
   * fills it with the query × centroid dots exactly as {@link dotsI8} would, then scores from it.
   */
  maxsimCodes(
    query: Float32Array,
    qCount: number,
    dim: number,
    codes: Uint8Array,
    bits: number,
    table: Int8Array,
    scale: number,
    cids: Uint16Array | null,
    norms: Float32Array | null,
    ct: Float32Array | null,
    k: number,
    starts: Uint32Array,
    counts: Uint32Array,
    out: Float32Array,
    centroids?: Int8Array | null,
    centroidScales?: Float32Array | null,
  ): void;
  /** out[i] = query · rows[r] with r = rowIds ? rowIds[i] : i (f32 rows, rowCount = out.length). */
  dotsF32(query: Float32Array, dim: number, rows: Float32Array, rowIds: Uint32Array | null, out: Float32Array): void;
  /** Same with f16 rows. */
  dotsF16(query: Float32Array, dim: number, rows: Uint16Array, rowIds: Uint32Array | null, out: Float32Array): void;
  /** Same with i8 rows and one scale per row. */
  dotsI8(query: Float32Array, dim: number, rows: Int8Array, rowScales: Float32Array, rowIds: Uint32Array | null, out: Float32Array): void;
}

/**
 * Which implementation answers kernel calls.
 *
 * @example
 * ```ts
 * const b: Backend = backend(); // { kind: 'native', isa: 'amx', available: ['amx', 'avx512', 'avx2', 'serial'] }
 * ```
 */
export interface Backend {
  kind: 'native' | 'js';
  /** e.g. 'amx', 'avx512', 'avx2', 'neon', 'serial', or 'js'. */
  isa: string;
  /** ISAs this machine can run, most capable first (native only). */
  available: string[];
}
