/**
 * Codecs of the compressed multi-vector dtypes (layout: src/kernels/codes.ts).
 *
 * - `binary`: 1 bit per dimension, the sign (x ≥ 0 → +1). Decoded value ±1/√dim (a unit
 *   vector): levels {-1, +1}, scale f32(1/√dim), no centroids.
 * - `residual` (ColBERTv2 style): k centroids (k-means with Euclidean assignment on a sample of the
 *   collection's normalised token vectors; centroids are cluster means, not re-normalised, stored as int8 rows with one f32 scale each), every vector keeps
 *   its nearest centroid's id (u16) and `bits` (1, 2, 4) per dimension of its residual
 *   x − centroid: the buckets are the Lloyd-Max (MSE-optimal) scalar quantiser of the pooled
 *   residual values of the training sample (lloydMax), the bucket weights rounded to an int8 grid (levels × scale) so
 *   the kernels add them with integer dots. Decoded vector: (cscale[c]·c8[c] + scale·levels[codes])
 *   times its stored inverse norm (re-normalised, as ColBERTv2's decompression).
 * Centroid assignment (training and encoding) uses the int8 dots kernel (argmax of q8 · c8).
 */
import { invalid } from '../errors.js';
import { kernels } from '../kernels/index.js';
import { quantizeI8 } from '../kernels/f16.js';
import { codesBytes, packCodes, unpackCodes, type CodeBits } from '../kernels/codes.js';

/**
 * A trained residual codebook.
 *
 * @example
 * ```ts
 * const cb = trainResidual(sample, n, 128, { bits: 2, k: 256 });
 * ```
 */
export interface ResidualCodebook {
  dim: number;
  bits: CodeBits;
  /** Number of centroids (≤ 65536). */
  k: number;
  /** k × dim int8 centroid rows. */
  centroids: Int8Array;
  /** One f32 scale per centroid. */
  centroidScales: Float32Array;
  /** 2^bits int8 levels of the residual buckets. */
  levels: Int8Array;
  /** Step of the levels (f32). */
  scale: number;
  /** 2^bits − 1 increasing bucket cutoffs (f32). */
  cutoffs: Float32Array;
}

/**
 * The binary codebook's levels and scale for `dim`.
 *
 * @example
 * ```ts
 * binaryLevels(1024) // { levels: Int8Array [-1, 1], scale: 0.03125 }
 * ```
 */
export function binaryLevels(dim: number): { levels: Int8Array; scale: number } {
  return { levels: Int8Array.of(-1, 1), scale: Math.fround(1 / Math.sqrt(dim)) };
}

/**
 * Encodes `count` rows as sign bits at `out[offset…]` (codesBytes(dim, 1) bytes per row).
 *
 * @example
 * ```ts
 * encodeBinary(rows, 200, 1024, out, 0);
 * ```
 */
export function encodeBinary(rows: Float32Array, count: number, dim: number, out: Uint8Array, offset: number): void {
  const bytes = codesBytes(dim, 1);
  out.fill(0, offset, offset + count * bytes);
  for (let v = 0; v < count; v++) {
    const o = offset + v * bytes;
    for (let k = 0; k < dim; k++) {
      const at = o + (k >> 6) * 8 + ((k & 63) >> 3);
      if (rows[v * dim + k]! >= 0) out[at] = out[at]! | (1 << (k & 7));
    }
  }
}

/**
 * Half the squared norm of each (int8, dequantised) centroid: nearest centroid in Euclidean
 * distance = argmax of x · c − ½|c|².
 */
export function centroidHalfNorms(centroids: Int8Array, scales: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(scales.length);
  for (let c = 0; c < scales.length; c++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += Math.fround(scales[c]! * centroids[c * dim + t]!) ** 2;
    out[c] = s / 2;
  }
  return out;
}

const NO_CODES = { codes: new Uint8Array(0), table: new Int8Array(2), cids: new Uint16Array(0), norms: new Float32Array(0), none: new Uint32Array(0), out: new Float32Array(0) };

/**
 * Index of the nearest centroid for each row: argmax of the int8 dot (exactly dotsI8's value)
 * minus ½|c|² (ties → lower id). The dots of a batch of rows with every centroid come from one
 * maxsimCodes call that only fills its query × centroid table (no documents to score): the
 * kernel's MaxSim engine (AMX tiles where available) instead of one dotsI8 call per row.
 */
export function assignCentroids(rows: Float32Array, count: number, dim: number, centroids: Int8Array, scales: Float32Array, out: Uint16Array | Uint32Array, outOffset = 0, halfNorms = centroidHalfNorms(centroids, scales, dim)): void {
  const k = scales.length;
  const batch = Math.max(16, Math.min(1024, Math.floor((1 << 18) / k))); // table ≤ ~1 MiB (L2)
  const table = new Float32Array(Math.min(batch, Math.max(count, 1)) * k);
  const z = NO_CODES;
  for (let v0 = 0; v0 < count; v0 += batch) {
    const n = Math.min(batch, count - v0);
    const ct = table.subarray(0, n * k);
    kernels.maxsimCodes(rows.subarray(v0 * dim, (v0 + n) * dim), n, dim, z.codes, 1, z.table, 1, z.cids, z.norms, ct, k, z.none, z.none, z.out, centroids, scales);
    for (let i = 0; i < n; i++) {
      const dots = ct.subarray(i * k, (i + 1) * k);
      let b = 0;
      let best = dots[0]! - halfNorms[0]!;
      for (let c = 1; c < k; c++) {
        const s = dots[c]! - halfNorms[c]!;
        if (s > best) {
          best = s;
          b = c;
        }
      }
      out[outOffset + v0 + i] = b;
    }
  }
}

/** Small seeded PRNG (mulberry32) for reproducible training. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Default number of centroids for n token vectors: 2^floor(log2(16·√n)) (ColBERTv2's choice),
 * within [1, min(n, 65536)] (centroid ids are u16).
 *
 * @example
 * ```ts
 * defaultCentroids(1_000_000) // 8192
 * ```
 */
export function defaultCentroids(n: number): number {
  const k = 2 ** Math.floor(Math.log2(Math.max(1, 16 * Math.sqrt(n))));
  return Math.max(1, Math.min(k, 65536, n));
}

/** FNV-1a hash of a row's f32 bit patterns (k-means seeding skips repeated rows). */
function rowHash(bits: Uint32Array, off: number, dim: number): number {
  let h = 0x811c9dc5;
  for (let t = 0; t < dim; t++) h = Math.imul(h ^ bits[off + t]!, 16777619);
  return h >>> 0;
}

/**
 * Trains a residual codebook on `n` normalised rows: k-means (int8 nearest-centroid assignment,
 * `iters` rounds, seeded), then the residual quantiles.
 *
 * @example
 * ```ts
 * const cb = trainResidual(rows, n, 1024, { bits: 2 });
 * ```
 */
export function trainResidual(rows: Float32Array, n: number, dim: number, opts: { bits: CodeBits; k?: number; iters?: number; seed?: number; sample?: number }): ResidualCodebook {
  if (n < 1) invalid('INVALID_ARGUMENT', 'residual training needs at least one token vector; add documents first');
  const r = prng(opts.seed ?? 12345);
  const k = Math.min(opts.k ?? defaultCentroids(n), n, 65536);
  // training sample: up to `sample` rows (default max(32·k, 16384)), chosen without replacement
  const m = Math.min(n, opts.sample ?? Math.max(32 * k, 16384));
  const pick = new Uint32Array(n);
  for (let i = 0; i < n; i++) pick[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(r() * (n - i));
    const t = pick[i]!;
    pick[i] = pick[j]!;
    pick[j] = t;
  }
  const sample = new Float32Array(m * dim);
  for (let i = 0; i < m; i++) sample.set(rows.subarray(pick[i]! * dim, (pick[i]! + 1) * dim), i * dim);
  // seeds: the first k distinct sample rows (token vectors repeat, e.g. a static model's; equal
  // seeds would tie and leave clusters empty), then random rows if fewer than k are distinct
  let cent = new Float32Array(k * dim);
  const sbits = new Uint32Array(sample.buffer, sample.byteOffset, m * dim);
  const seen = new Map<number, number[]>();
  let seeded = 0;
  for (let i = 0; i < m && seeded < k; i++) {
    const h = rowHash(sbits, i * dim, dim);
    const same = seen.get(h);
    if (same?.some((j) => sbits.subarray(j * dim, (j + 1) * dim).every((b, t) => b === sbits[i * dim + t]))) continue;
    if (same === undefined) seen.set(h, [i]);
    else same.push(i);
    cent.set(sample.subarray(i * dim, (i + 1) * dim), seeded * dim);
    seeded++;
  }
  for (; seeded < k; seeded++) {
    const j = Math.floor(r() * m);
    cent.set(sample.subarray(j * dim, (j + 1) * dim), seeded * dim);
  }
  const assign = new Uint32Array(m);
  let q = quantizeI8(cent, dim);
  for (let it = 0; it < (opts.iters ?? 4); it++) {
    assignCentroids(sample, m, dim, q.data, q.scales, assign);
    const sum = new Float64Array(k * dim);
    const cnt = new Uint32Array(k);
    for (let i = 0; i < m; i++) {
      const c = assign[i]!;
      cnt[c]!++;
      for (let t = 0; t < dim; t++) sum[c * dim + t] = sum[c * dim + t]! + sample[i * dim + t]!;
    }
    const next = new Float32Array(k * dim);
    for (let c = 0; c < k; c++) {
      if (cnt[c] === 0) {
        // empty cluster: re-seed with a random sample row
        const j = Math.floor(r() * m);
        next.set(sample.subarray(j * dim, (j + 1) * dim), c * dim);
        continue;
      }
      // the mean (not re-normalised as in spherical k-means): the residuals x − c stay smallest
      for (let t = 0; t < dim; t++) next[c * dim + t] = sum[c * dim + t]! / cnt[c]!;
    }
    cent = next;
    q = quantizeI8(cent, dim);
  }
  // residual buckets: the MSE-optimal scalar quantiser (Lloyd-Max) of the pooled residual values
  // of the sample against the final (int8) centroids, started from the quantiles. Residuals are
  // peaked at 0 (token vectors a centroid reproduces) with heavy tails: quantile buckets crowd
  // the levels near 0 and clip the tails, Lloyd's conditional means do not.
  assignCentroids(sample, m, dim, q.data, q.scales, assign);
  const take = Math.min(m * dim, 1 << 20);
  const res = new Float32Array(take);
  for (let i = 0; i < take; i++) {
    const idx = take === m * dim ? i : Math.floor(r() * m * dim);
    const v = Math.floor(idx / dim);
    const t = idx % dim;
    const c = assign[v]!;
    res[i] = sample[v * dim + t]! - Math.fround(q.scales[c]! * q.data[c * dim + t]!);
  }
  res.sort();
  const { levels, scale, cutoffs } = lloydMax(res, opts.bits);
  return { dim, bits: opts.bits, k, centroids: q.data, centroidScales: q.scales, levels, scale, cutoffs };
}

/**
 * Lloyd-Max quantiser of sorted values with 2^bits levels: starts from the (j + ½)/2^bits
 * quantiles, then alternates cutoffs = midpoints of adjacent weights and weights = mean of their
 * bucket (prefix sums over the sorted values) until stable. The weights are rounded to an int8
 * grid (levels × scale, |levels| ≤ 127) and the cutoffs put at the midpoints of the rounded
 * weights, so encoding picks the nearest decoded level.
 *
 * @example
 * ```ts
 * lloydMax(Float32Array.of(-1, -1, 1, 1), 1) // { levels: [-127, 127], scale: 1 / 127, cutoffs: [0] }
 * ```
 */
export function lloydMax(sorted: Float32Array, bits: CodeBits): { levels: Int8Array; scale: number; cutoffs: Float32Array } {
  const n = sorted.length;
  const L = 1 << bits;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + sorted[i]!;
  // first index with sorted[i] > x
  const upper = (x: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const w = new Float64Array(L);
  for (let j = 0; j < L; j++) w[j] = sorted[Math.min(n - 1, Math.floor(((j + 0.5) / L) * n))]!;
  for (let it = 0; it < 100; it++) {
    let moved = 0;
    let lo = 0;
    for (let j = 0; j < L; j++) {
      const hi = j === L - 1 ? n : upper((w[j]! + w[j + 1]!) / 2);
      if (hi > lo) {
        const mean = (prefix[hi]! - prefix[lo]!) / (hi - lo);
        moved = Math.max(moved, Math.abs(mean - w[j]!));
        w[j] = mean;
      }
      lo = Math.max(lo, hi);
    }
    if (moved === 0) break;
  }
  let maxW = 0;
  for (const x of w) maxW = Math.max(maxW, Math.abs(x));
  const scale = Math.fround(maxW > 0 ? maxW / 127 : 1);
  const levels = new Int8Array(L);
  for (let j = 0; j < L; j++) levels[j] = Math.max(-127, Math.min(127, Math.round(w[j]! / scale)));
  levels.sort();
  const cutoffs = new Float32Array(L - 1);
  for (let j = 1; j < L; j++) cutoffs[j - 1] = (Math.fround(scale * levels[j - 1]!) + Math.fround(scale * levels[j]!)) / 2;
  return { levels, scale, cutoffs };
}

const halfNormCache = new WeakMap<Int8Array, Float32Array>();
function halfNormsOf(cb: ResidualCodebook): Float32Array {
  let h = halfNormCache.get(cb.centroids);
  if (h === undefined) {
    h = centroidHalfNorms(cb.centroids, cb.centroidScales, cb.dim);
    halfNormCache.set(cb.centroids, h);
  }
  return h;
}

/**
 * Encodes `count` normalised rows with a residual codebook: centroid ids into `cids[cidOffset…]`,
 * codes into `out[offset…]` (codesBytes(dim, bits) bytes per row).
 *
 * @example
 * ```ts
 * encodeResidual(cb, rows, 200, out, 0, cids, 0);
 * ```
 */
export function encodeResidual(cb: ResidualCodebook, rows: Float32Array, count: number, out: Uint8Array, offset: number, cids: Uint16Array, cidOffset: number, norms?: Float32Array): void {
  const { dim, bits } = cb;
  const bytes = codesBytes(dim, bits);
  assignCentroids(rows, count, dim, cb.centroids, cb.centroidScales, cids, cidOffset, halfNormsOf(cb));
  out.fill(0, offset, offset + count * bytes);
  const codes = new Uint8Array(dim);
  const cut = cb.cutoffs;
  for (let v = 0; v < count; v++) {
    const c = cids[cidOffset + v]!;
    const cs = cb.centroidScales[c]!;
    for (let t = 0; t < dim; t++) {
      const x = rows[v * dim + t]! - Math.fround(cs * cb.centroids[c * dim + t]!);
      let code = 0;
      while (code < cut.length && x > cut[code]!) code++;
      codes[t] = code;
    }
    packCodes(codes, dim, bits, out, offset + v * bytes);
    if (norms !== undefined) {
      // 1 / |centroid + residual| of the decoded vector (f64 sum of its f32 values)
      let n2 = 0;
      for (let t = 0; t < dim; t++) n2 += Math.fround(Math.fround(cs * cb.centroids[c * dim + t]!) + Math.fround(cb.scale * cb.levels[codes[t]!]!)) ** 2;
      norms[cidOffset + v] = n2 > 0 ? 1 / Math.sqrt(n2) : 1;
    }
  }
}

/**
 * Decodes one vector (binary: cb = null) to f32 values: what the kernels score against
 * (residual: (centroid + residual) × `norm`, the stored inverse norm).
 *
 * @example
 * ```ts
 * const x = decodeVector(codes, v * bytes, 1024, 2, cb, cids[v], norms[v]);
 * ```
 */
export function decodeVector(codes: Uint8Array, offset: number, dim: number, bits: CodeBits, cb: ResidualCodebook | null, cid: number, norm = 1): Float32Array {
  const c = unpackCodes(codes, offset, dim, bits);
  const out = new Float32Array(dim);
  const { levels, scale } = cb ?? binaryLevels(dim);
  for (let t = 0; t < dim; t++) {
    const r = Math.fround(scale * levels[c[t]!]!);
    out[t] = cb === null ? r : Math.fround(Math.fround(cb.centroidScales[cid]! * cb.centroids[cid * dim + t]!) + r) * norm;
  }
  return out;
}
