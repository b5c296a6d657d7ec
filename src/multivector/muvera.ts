/**
 * MUVERA fixed dimensional encodings (Dhulipala et al., "MUVERA: Multi-Vector Retrieval via
 * Fixed Dimensional Encodings", NeurIPS 2024): a multi-vector becomes one vector whose dot
 * product with another's approximates their Chamfer similarity (MaxSim × query length), so a
 * single-vector index can retrieve for MaxSim (the first stage in muvera-index.ts).
 *
 * Per repetition r = 0 … R−1:
 * - SimHash: k_sim Gaussian hyperplanes g_1 … g_k; a token x falls in partition
 *   code(x) = Σ_b [g_b · x > 0] · 2^b (2^k_sim partitions; k_sim = 0 → one partition).
 * - Inner projection (optional): p(x) = (1/√d_proj) S x with S ∈ {±1}^(d_proj × d) (AMS);
 *   without it p(x) = x (block width d).
 * - Query block of partition c: Σ_{x in c} p(x) (sum). Document block: the mean of p(x) over
 *   the partition's tokens; an empty partition takes p of the token whose code is nearest in
 *   Hamming distance (lowest token index on ties) when `fillEmpty`, else stays 0.
 * The FDE is the blocks laid out [repetition][partition][d_proj], R · 2^k_sim · d_proj values;
 * an optional final count-sketch (coordinate i → bucket h(i) with sign s(i)) folds it to
 * `finalDimensions`. Every random draw comes from `seed`: same options, same encodings.
 * Must never depend on the store's state: the encoder is a pure function of its options.
 */
import { invalid } from '../errors.js';
import { checkOptions, type OptionKeys } from '../options.js';
import { kernels } from '../kernels/index.js';
import { createRng } from '../train/rng.js';
import type { MultiVector } from './types.js';
import { checkQuery } from './validate.js';

/**
 * Options of {@link FdeEncoder.create}. Defaults are the paper's main setting
 * (R = 20, k_sim = 5, d_proj = 16: 10,240 dimensions, empty partitions filled, no final
 * projection).
 *
 * @example
 * ```ts
 * const opts: FdeOptions = { dimensions: 128, repetitions: 10, simhashBits: 4, projection: 16, finalDimensions: 1024 };
 * ```
 */
export interface FdeOptions {
  /** Token vector length d (1 … 65536). */
  dimensions: number;
  /** Repetitions R (1 … 1024). Default 20. */
  repetitions?: number;
  /** SimHash hyperplanes k_sim per repetition (0 … 12): 2^k_sim partitions. Default 5. */
  simhashBits?: number;
  /** Inner random projection d_proj per block (1 … d), or `null` for none (block width d). Default 16. */
  projection?: number | null;
  /** Final count-sketch projection to this many dimensions, or `null` for none. Default null. */
  finalDimensions?: number | null;
  /** Fill a document's empty partitions from the Hamming-nearest token. Default true. */
  fillEmpty?: boolean;
  /** Seed of every random draw (hyperplanes, projections, sketch). Default 42. */
  seed?: number;
}

/** Resolved encoder settings. */
export interface FdeSettings {
  dimensions: number;
  repetitions: number;
  simhashBits: number;
  projection: number | null;
  finalDimensions: number | null;
  fillEmpty: boolean;
  seed: number;
}

const OPTION_KEYS = { dimensions: true, repetitions: true, simhashBits: true, projection: true, finalDimensions: true, fillEmpty: true, seed: true } satisfies OptionKeys<FdeOptions>;
const MAX_FDE = 1 << 24;

function checkInt(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) invalid('INVALID_ARGUMENT', `FdeEncoder: ${name} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

/**
 * MUVERA encoder: queries and documents to fixed dimensional encodings.
 *
 * @example
 * ```ts
 * const fde = FdeEncoder.create({ dimensions: 128, repetitions: 10, simhashBits: 4, projection: 16 });
 * const score = dot(fde.encodeQuery(q), fde.encodeDocument(d)); // ≈ Σ_q max_d q·d
 * ```
 */
export class FdeEncoder {
  readonly settings: Readonly<FdeSettings>;
  /** Hyperplanes: R × k_sim × d. */
  #planes: Float32Array;
  /** ±1 inner projections: R × d_proj × d (empty without projection). */
  #proj: Float32Array;
  /** Count-sketch bucket and sign of each FDE coordinate (empty without final projection). */
  #bucket: Uint32Array;
  #sign: Float32Array;
  #block: number;
  #raw: number;

  private constructor(s: FdeSettings) {
    this.settings = Object.freeze(s);
    const d = s.dimensions;
    const rng = createRng(s.seed);
    this.#block = s.projection ?? d;
    this.#raw = s.repetitions * (1 << s.simhashBits) * this.#block;
    this.#planes = new Float32Array(s.repetitions * s.simhashBits * d);
    for (let i = 0; i < this.#planes.length; i++) this.#planes[i] = rng.normal();
    this.#proj = new Float32Array(s.projection === null ? 0 : s.repetitions * s.projection * d);
    const scale = s.projection === null ? 0 : 1 / Math.sqrt(s.projection);
    for (let i = 0; i < this.#proj.length; i++) this.#proj[i] = rng.next() < 0.5 ? -scale : scale;
    const fin = s.finalDimensions;
    this.#bucket = new Uint32Array(fin === null ? 0 : this.#raw);
    this.#sign = new Float32Array(fin === null ? 0 : this.#raw);
    for (let i = 0; i < this.#bucket.length; i++) {
      this.#bucket[i] = rng.int(fin!);
      this.#sign[i] = rng.next() < 0.5 ? -1 : 1;
    }
  }

  /**
   * Validates the options (INVALID_ARGUMENT naming the bad one) and draws the random
   * hyperplanes and projections from the seed.
   *
   * @example
   * ```ts
   * const fde = FdeEncoder.create({ dimensions: 128 }); // paper defaults: 10,240 dimensions
   * ```
   */
  static create(opts: FdeOptions): FdeEncoder {
    if (opts === null || typeof opts !== 'object') invalid('INVALID_ARGUMENT', 'FdeEncoder.create: pass an options object with `dimensions`');
    checkOptions('FdeEncoder.create() options', opts, OPTION_KEYS);
    const dimensions = checkInt(opts.dimensions, 'dimensions', 1, 65536);
    const repetitions = checkInt(opts.repetitions ?? 20, 'repetitions', 1, 1024);
    const simhashBits = checkInt(opts.simhashBits ?? 5, 'simhashBits', 0, 12);
    const projection = opts.projection === undefined ? Math.min(16, dimensions) : opts.projection === null ? null : checkInt(opts.projection, 'projection', 1, dimensions);
    const finalDimensions = opts.finalDimensions === undefined || opts.finalDimensions === null ? null : checkInt(opts.finalDimensions, 'finalDimensions', 1, MAX_FDE);
    const fillEmpty = opts.fillEmpty ?? true;
    if (typeof fillEmpty !== 'boolean') invalid('INVALID_ARGUMENT', `FdeEncoder: fillEmpty must be a boolean, got ${String(fillEmpty)}`);
    const seed = checkInt(opts.seed ?? 42, 'seed', 0, 0xffff_ffff);
    const raw = repetitions * (1 << simhashBits) * (projection ?? dimensions);
    if (raw > MAX_FDE) invalid('INVALID_ARGUMENT', `FdeEncoder: repetitions × 2^simhashBits × projection = ${raw} values, more than ${MAX_FDE}; lower one of them or set a projection`);
    return new FdeEncoder({ dimensions, repetitions, simhashBits, projection, finalDimensions, fillEmpty, seed });
  }

  /**
   * Length of the encodings: `finalDimensions`, else R · 2^k_sim · (d_proj or d).
   *
   * @example
   * ```ts
   * FdeEncoder.create({ dimensions: 128 }).outputDimensions; // 10240
   * ```
   */
  get outputDimensions(): number {
    return this.settings.finalDimensions ?? this.#raw;
  }

  /**
   * Query FDE: per repetition and partition, the sum of the (projected) query vectors.
   *
   * @example
   * ```ts
   * const qf = fde.encodeQuery({ data: q, dim: 128, count: 32 });
   * ```
   */
  encodeQuery(query: MultiVector): Float32Array {
    const q = checkQuery(query, this.settings.dimensions, 'FdeEncoder.encodeQuery');
    return this.#encode(q.data, q.count, false);
  }

  /**
   * Document FDE: per repetition and partition, the mean of the (projected) document vectors;
   * empty partitions filled from the Hamming-nearest token (when `fillEmpty`). Vectors are used
   * as given: pass the stored (normalised) ones, as MultiVectorStore.get returns them.
   *
   * @example
   * ```ts
   * const df = fde.encodeDocument(store.get(7));
   * ```
   */
  encodeDocument(doc: MultiVector): Float32Array {
    const d = checkQuery(doc, this.settings.dimensions, 'FdeEncoder.encodeDocument');
    return this.#encode(d.data, d.count, true);
  }

  #encode(data: Float32Array, count: number, isDoc: boolean): Float32Array {
    const { dimensions: d, repetitions: R, simhashBits: k, projection, fillEmpty } = this.settings;
    const parts = 1 << k;
    const w = this.#block;
    const raw = new Float32Array(this.#raw);
    const codes = new Uint32Array(count);
    const projected = new Float32Array(count * w);
    const counts = new Uint32Array(parts);
    // every token's hyperplane dots (R·k) and projections (R·d_proj) in one kernel call each
    const rk = R * k;
    const hs = new Float32Array(count * rk);
    const pw = projection === null ? 0 : R * w;
    const ps = new Float32Array(count * pw);
    for (let t = 0; t < count; t++) {
      const x = data.subarray(t * d, (t + 1) * d);
      if (rk > 0) kernels.dotsF32(x, d, this.#planes, null, hs.subarray(t * rk, (t + 1) * rk));
      if (pw > 0) kernels.dotsF32(x, d, this.#proj, null, ps.subarray(t * pw, (t + 1) * pw));
    }
    for (let r = 0; r < R; r++) {
      for (let t = 0; t < count; t++) {
        let code = 0;
        for (let b = 0; b < k; b++) if (hs[t * rk + r * k + b]! > 0) code |= 1 << b;
        codes[t] = code;
        if (projection === null) projected.set(data.subarray(t * d, (t + 1) * d), t * w);
        else projected.set(ps.subarray(t * pw + r * w, t * pw + (r + 1) * w), t * w);
      }
      const out = r * parts * w;
      counts.fill(0);
      for (let t = 0; t < count; t++) {
        const o = out + codes[t]! * w;
        counts[codes[t]!]!++;
        for (let i = 0; i < w; i++) raw[o + i]! += projected[t * w + i]!;
      }
      if (!isDoc) continue;
      for (let c = 0; c < parts; c++) {
        const o = out + c * w;
        const n = counts[c]!;
        if (n > 1) for (let i = 0; i < w; i++) raw[o + i]! /= n;
        else if (n === 0 && fillEmpty && count > 0) {
          let best = 0;
          let bestDist = 33;
          for (let t = 0; t < count; t++) {
            const dist = popcount(codes[t]! ^ c);
            if (dist < bestDist) {
              bestDist = dist;
              best = t;
            }
          }
          raw.set(projected.subarray(best * w, best * w + w), o);
        }
      }
    }
    if (this.settings.finalDimensions === null) return raw;
    const fin = new Float32Array(this.settings.finalDimensions);
    const bucket = this.#bucket;
    const sign = this.#sign;
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (v !== 0) fin[bucket[i]!]! += sign[i]! * v;
    }
    return fin;
  }
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
