/**
 * Seeded synthetic data for the scale benchmark: a small PRNG, Gaussian and Zipf samplers,
 * clustered dense vectors, Zipf sparse postings with M3-like weights, and ColBERT-like
 * token-vector documents. Everything is deterministic for a given seed.
 */

/**
 * mulberry32: a 32-bit seeded PRNG returning floats in [0, 1).
 *
 * @example
 * ```ts
 * const r = rng(42); r(); // 0.6011…
 * ```
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal sampler (Box–Muller, both values used) over a uniform source.
 *
 * @example
 * ```ts
 * const g = gaussian(rng(1)); g(); // a N(0, 1) draw
 * ```
 */
export function gaussian(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Zipf sampler over ranks 0 … n−1 with P(rank r) ∝ 1 / (r + 1)^s, by inverse CDF
 * (binary search in the cumulative table).
 *
 * @example
 * ```ts
 * const z = new Zipf(50_000, 1.07); z.sample(rng(7)); // 0 is the most frequent rank
 * ```
 */
export class Zipf {
  readonly n: number;
  readonly s: number;
  readonly #cdf: Float64Array;

  constructor(n: number, s: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Zipf: n must be a positive integer, got ${n}`);
    if (!(s >= 0)) throw new RangeError(`Zipf: exponent must be ≥ 0, got ${s}`);
    this.n = n;
    this.s = s;
    this.#cdf = new Float64Array(n);
    let acc = 0;
    for (let r = 0; r < n; r++) this.#cdf[r] = acc += 1 / (r + 1) ** s;
    for (let r = 0; r < n; r++) this.#cdf[r]! /= acc;
  }

  /** Probability of rank `r`. */
  probability(r: number): number {
    return r === 0 ? this.#cdf[0]! : this.#cdf[r]! - this.#cdf[r - 1]!;
  }

  /** One rank drawn with the given uniform source. */
  sample(uniform: () => number): number {
    const u = uniform();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * A sparse document or query: distinct term ids drawn from a Zipf vocabulary (`tokens`
 * draws, duplicates merged), weighted like M3's lexical head: ≤ 0.35, larger for rarer terms,
 * times a little noise. Ids ascending.
 *
 * @example
 * ```ts
 * const v = zipfSparse(new Zipf(50_000, 1.07), 80, rng(3)); // { ids, weights }
 * ```
 */
export function zipfSparse(zipf: Zipf, tokens: number, uniform: () => number): { ids: Uint32Array; weights: Float32Array } {
  const set = new Set<number>();
  for (let i = 0; i < tokens; i++) set.add(zipf.sample(uniform));
  const ids = Uint32Array.from(set).sort();
  const weights = new Float32Array(ids.length);
  const logN = Math.log(zipf.n + 1);
  for (let i = 0; i < ids.length; i++) {
    const rarity = Math.log(ids[i]! + 2) / logN; // 0 (most frequent) … 1 (rarest)
    weights[i] = 0.35 * (0.15 + 0.85 * rarity) * (0.6 + 0.4 * uniform());
  }
  return { ids, weights };
}

/**
 * Clustered dense vectors: `centres` (c × dim, N(0, I)) plus `spread` · N(0, I) noise, rows
 * written into `out` (count × dim) — not normalised (the index does it).
 *
 * @example
 * ```ts
 * const centres = gaussianMatrix(100, 1024, rng(1));
 * const rows = clusteredRows(centres, 100, 1024, 1000, 1.0, rng(2));
 * ```
 */
export function clusteredRows(centres: Float32Array, clusters: number, dim: number, count: number, spread: number, uniform: () => number): Float32Array {
  const g = gaussian(uniform);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(uniform() * clusters) * dim;
    const o = i * dim;
    for (let j = 0; j < dim; j++) out[o + j] = centres[c + j]! + spread * g();
  }
  return out;
}

/**
 * A rows × dim matrix of N(0, 1) draws.
 *
 * @example
 * ```ts
 * const m = gaussianMatrix(4, 8, rng(1)); // 32 values
 * ```
 */
export function gaussianMatrix(rows: number, dim: number, uniform: () => number): Float32Array {
  const g = gaussian(uniform);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = g();
  return out;
}

/**
 * ColBERT-like token vectors without a model: every token is a "word" direction (Zipf over
 * a pool of `words` random vectors) plus a noise row from a small table, so documents that
 * share words align as real ones do. Generating is cheap (two row reads per token).
 *
 * @example
 * ```ts
 * const gen = new TokenVectors(128, 4000, 1);
 * const doc = gen.document(200); // { data, dim: 128, count: 200 }
 * ```
 */
export class TokenVectors {
  readonly dim: number;
  readonly #words: Float32Array;
  readonly #noise: Float32Array;
  readonly #zipf: Zipf;
  readonly #rand: () => number;
  static readonly NOISE_ROWS = 1024;

  constructor(dim: number, words: number, seed: number, noise = 0.7) {
    this.dim = dim;
    this.#rand = rng(seed);
    this.#words = gaussianMatrix(words, dim, this.#rand);
    this.#noise = gaussianMatrix(TokenVectors.NOISE_ROWS, dim, this.#rand);
    for (let i = 0; i < this.#noise.length; i++) this.#noise[i]! *= noise;
    this.#zipf = new Zipf(words, 1.0);
  }

  /** A document of `count` token vectors (count × dim, row-major) and the words it used. */
  document(count: number): { data: Float32Array; dim: number; count: number; words: Uint32Array } {
    const d = this.dim;
    const data = new Float32Array(count * d);
    const words = new Uint32Array(count);
    for (let t = 0; t < count; t++) {
      const w = this.#zipf.sample(this.#rand);
      words[t] = w;
      const n = Math.floor(this.#rand() * TokenVectors.NOISE_ROWS) * d;
      const wo = w * d;
      const o = t * d;
      for (let j = 0; j < d; j++) data[o + j] = this.#words[wo + j]! + this.#noise[n + j]!;
    }
    return { data, dim: d, count, words };
  }

  /** A query of `count` vectors: a share `fromDoc` of them reuse words of `doc`, the rest are Zipf draws. */
  query(count: number, doc: Uint32Array, fromDoc = 0.7): { data: Float32Array; dim: number; count: number } {
    const d = this.dim;
    const data = new Float32Array(count * d);
    for (let t = 0; t < count; t++) {
      const w = this.#rand() < fromDoc && doc.length > 0 ? doc[Math.floor(this.#rand() * doc.length)]! : this.#zipf.sample(this.#rand);
      const n = Math.floor(this.#rand() * TokenVectors.NOISE_ROWS) * d;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const v = this.#words[w * d + j]! + this.#noise[n + j]!;
        data[t * d + j] = v;
        norm += v * v;
      }
      const inv = 1 / Math.sqrt(norm || 1);
      for (let j = 0; j < d; j++) data[t * d + j]! *= inv;
    }
    return { data, dim: d, count };
  }
}
