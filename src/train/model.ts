/**
 * The static M3 model: a token embedding table and M3's three heads on static
 * (non-contextual) token vectors.
 *
 * - dense:  a_t = softplus(e_t·u + c), pooled = Σ a_t e_t / Σ a_t (over every
 *           position of `<s> … </s>`), dense = pooled / max(‖pooled‖, 1e-12)
 * - sparse: w_t = relu(e_t·w + b) per position; per text the max per id, ids
 *           {0,1,2,3} dropped (all positions of one id share one weight here)
 * - colbert: v_t = normalize(W e_t + b) for positions 1.. (after `<s>`, `</s>` kept)
 *
 * Forward caches keep what the hand-derived backward pass needs; `backwardText`
 * accumulates gradients into a {@link Grads}. All parameters are Float32Arrays.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from './rng.js';

/** Norm floor of the L2 normalisations (as torch.nn.functional.normalize). */
export const NORM_EPS = 1e-12;
/** Ids never given a sparse weight (`<s>`, `<pad>`, `</s>`, `<unk>`). */
export const SPARSE_DROP_MAX_ID = 3;

/** Shapes of a static M3 model. */
export interface StaticShape {
  /** Vocabulary size. */
  vocab: number;
  /** Token vector size D. */
  dim: number;
  /** ColBERT vector size D'. */
  colbertDim: number;
}

/**
 * Parameters of a static M3 model. Layouts: `emb` [V,D] row-major, `colW` [D',D] row-major.
 *
 * @example
 * ```ts
 * const { params } = loadStaticModel('src/models/static-en'); params.dim; // 100
 * ```
 */
export interface StaticParams extends StaticShape {
  emb: Float32Array;
  poolU: Float32Array;
  poolC: Float32Array;
  sparseW: Float32Array;
  sparseB: Float32Array;
  colW: Float32Array;
  colB: Float32Array;
}

/** Names of the small (dense-updated) parameter tensors. */
export const SMALL_PARAMS = ['poolU', 'poolC', 'sparseW', 'sparseB', 'colW', 'colB'] as const;
/** One small parameter name. */
export type SmallParam = (typeof SMALL_PARAMS)[number];

/**
 * Allocates a model: embeddings from `init` rows (or small random), identity-like ColBERT projection.
 *
 * @example
 * ```ts
 * const m = createParams({ vocab: 100, dim: 8, colbertDim: 8 }, createRng(1));
 * ```
 */
export function createParams(shape: StaticShape, rng: Rng): StaticParams {
  const { vocab, dim, colbertDim } = shape;
  if (!(vocab > 4 && dim > 0 && colbertDim > 0)) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `bad model shape ${JSON.stringify(shape)}: need vocab > 4, dim > 0, colbertDim > 0`);
  }
  const emb = new Float32Array(vocab * dim);
  for (let i = 0; i < emb.length; i++) emb[i] = rng.normal() * 0.1;
  const colW = new Float32Array(colbertDim * dim);
  for (let r = 0; r < colbertDim; r++) for (let c = 0; c < dim; c++) colW[r * dim + c] = (r === c ? 1 : 0) + rng.normal() * 0.02;
  return {
    vocab,
    dim,
    colbertDim,
    emb,
    poolU: new Float32Array(dim),
    poolC: Float32Array.of(0.5413), // softplus(0.5413) = 1
    sparseW: new Float32Array(dim),
    sparseB: Float32Array.of(0.1),
    colW,
    colB: new Float32Array(colbertDim),
  };
}

/** Gradient buffers matching {@link StaticParams}; embedding rows are tracked as touched. */
export interface Grads {
  emb: Float32Array;
  touched: Uint8Array;
  touchedRows: number[];
  poolU: Float32Array;
  poolC: Float32Array;
  sparseW: Float32Array;
  sparseB: Float32Array;
  colW: Float32Array;
  colB: Float32Array;
}

/** Zeroed gradient buffers for a model. */
export function createGrads(p: StaticParams): Grads {
  return {
    emb: new Float32Array(p.emb.length),
    touched: new Uint8Array(p.vocab),
    touchedRows: [],
    poolU: new Float32Array(p.dim),
    poolC: new Float32Array(1),
    sparseW: new Float32Array(p.dim),
    sparseB: new Float32Array(1),
    colW: new Float32Array(p.colW.length),
    colB: new Float32Array(p.colbertDim),
  };
}

/** Clears gradients (only touched embedding rows are zeroed). */
export function zeroGrads(g: Grads, dim: number): void {
  for (const r of g.touchedRows) {
    g.emb.fill(0, r * dim, (r + 1) * dim);
    g.touched[r] = 0;
  }
  g.touchedRows.length = 0;
  for (const k of SMALL_PARAMS) g[k].fill(0);
}

function touch(g: Grads, row: number): void {
  if (g.touched[row] === 0) {
    g.touched[row] = 1;
    g.touchedRows.push(row);
  }
}

function softplus(z: number): number {
  return z > 20 ? z : Math.log1p(Math.exp(z));
}
function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Forward cache of one text (outputs plus what the backward pass needs).
 *
 * @example
 * ```ts
 * const f: TextForward = forwardText(params, ids); f.dense; f.sparseIds; f.sparseWeights; f.colbert;
 * ```
 */
export interface TextForward {
  ids: Int32Array;
  /** Pooling logits z_t and weights a_t per position. */
  z: Float32Array;
  a: Float32Array;
  aSum: number;
  pooled: Float32Array;
  pooledNorm: number;
  /** Normalised dense vector. */
  dense: Float32Array;
  /** Unique sparse ids (ids > 3 with weight > 0) and their weights. */
  sparseIds: Int32Array;
  sparseWeights: Float32Array;
  /** ColBERT vectors for positions 1..L-1, row-major [(L-1), D'], and pre-normalisation norms. */
  colbert: Float32Array;
  colNorm: Float32Array;
}

/**
 * Runs the three heads over one tokenised text (`<s> … </s>`).
 *
 * @example
 * ```ts
 * const f = forwardText(params, tok.encode('protein folding'));
 * f.dense; f.sparseIds; f.colbert;
 * ```
 */
export function forwardText(p: StaticParams, ids: Int32Array): TextForward {
  const { dim: D, colbertDim: C, emb } = p;
  const L = ids.length;
  const z = new Float32Array(L),
    a = new Float32Array(L);
  const pooled = new Float32Array(D);
  const u = p.poolU,
    c0 = p.poolC[0]!;
  let aSum = 0;
  for (let t = 0; t < L; t++) {
    const o = ids[t]! * D;
    let s = c0;
    for (let k = 0; k < D; k++) s += emb[o + k]! * u[k]!;
    z[t] = s;
    const at = softplus(s);
    a[t] = at;
    aSum += at;
    for (let k = 0; k < D; k++) pooled[k]! += at * emb[o + k]!;
  }
  let nn = 0;
  for (let k = 0; k < D; k++) {
    pooled[k]! /= aSum;
    nn += pooled[k]! * pooled[k]!;
  }
  const pooledNorm = Math.max(Math.sqrt(nn), NORM_EPS);
  const dense = new Float32Array(D);
  for (let k = 0; k < D; k++) dense[k] = pooled[k]! / pooledNorm;
  // sparse: unique ids
  const sIds: number[] = [],
    sW: number[] = [];
  const w = p.sparseW,
    b0 = p.sparseB[0]!;
  for (let t = 0; t < L; t++) {
    const id = ids[t]!;
    if (id <= SPARSE_DROP_MAX_ID) continue;
    let dup = false;
    for (let q = 0; q < sIds.length; q++)
      if (sIds[q] === id) {
        dup = true;
        break;
      }
    if (dup) continue;
    const o = id * D;
    let s = b0;
    for (let k = 0; k < D; k++) s += emb[o + k]! * w[k]!;
    if (s > 0) {
      sIds.push(id);
      sW.push(s);
    }
  }
  // colbert
  const Lc = L - 1;
  const colbert = new Float32Array(Lc * C),
    colNorm = new Float32Array(Lc);
  const W = p.colW,
    cb = p.colB;
  for (let t = 1; t < L; t++) {
    const o = ids[t]! * D,
      r = (t - 1) * C;
    let n2 = 0;
    for (let j = 0; j < C; j++) {
      let s = cb[j]!;
      const wo = j * D;
      for (let k = 0; k < D; k++) s += W[wo + k]! * emb[o + k]!;
      colbert[r + j] = s;
      n2 += s * s;
    }
    const n = Math.max(Math.sqrt(n2), NORM_EPS);
    colNorm[t - 1] = n;
    for (let j = 0; j < C; j++) colbert[r + j]! /= n;
  }
  return { ids, z, a, aSum, pooled, pooledNorm, dense, sparseIds: Int32Array.from(sIds), sparseWeights: Float32Array.from(sW), colbert, colNorm };
}

/**
 * Back-propagates upstream gradients of one text's outputs into `g`:
 * `gDense` [D] w.r.t. the dense vector, `gSparse` [n] w.r.t. `sparseWeights`,
 * `gCol` [(L-1)·D'] w.r.t. the normalised ColBERT vectors (any may be null).
 */
export function backwardText(p: StaticParams, f: TextForward, g: Grads, gDense: Float32Array | null, gSparse: Float32Array | null, gCol: Float32Array | null, scratch: Float32Array): void {
  const { dim: D, colbertDim: C, emb } = p;
  const ids = f.ids,
    L = ids.length;
  if (gDense) {
    // through normalisation
    let dot = 0;
    for (let k = 0; k < D; k++) dot += gDense[k]! * f.dense[k]!;
    const gp = scratch; // [D]
    for (let k = 0; k < D; k++) gp[k] = (gDense[k]! - dot * f.dense[k]!) / f.pooledNorm;
    const u = p.poolU;
    for (let t = 0; t < L; t++) {
      const row = ids[t]!,
        o = row * D;
      touch(g, row);
      const at = f.a[t]! / f.aSum;
      let da = 0;
      for (let k = 0; k < D; k++) da += (emb[o + k]! - f.pooled[k]!) * gp[k]!;
      const dz = (da / f.aSum) * sigmoid(f.z[t]!);
      for (let k = 0; k < D; k++) {
        g.emb[o + k]! += at * gp[k]! + dz * u[k]!;
        g.poolU[k]! += dz * emb[o + k]!;
      }
      g.poolC[0]! += dz;
    }
  }
  if (gSparse) {
    const w = p.sparseW;
    for (let q = 0; q < f.sparseIds.length; q++) {
      const dz = gSparse[q]!;
      if (dz === 0) continue;
      const row = f.sparseIds[q]!,
        o = row * D;
      touch(g, row);
      for (let k = 0; k < D; k++) {
        g.emb[o + k]! += dz * w[k]!;
        g.sparseW[k]! += dz * emb[o + k]!;
      }
      g.sparseB[0]! += dz;
    }
  }
  if (gCol) {
    const W = p.colW;
    const gh = scratch;
    for (let t = 1; t < L; t++) {
      const r = (t - 1) * C;
      let dot = 0,
        any = false;
      for (let j = 0; j < C; j++) {
        const v = gCol[r + j]!;
        if (v !== 0) any = true;
        dot += v * f.colbert[r + j]!;
      }
      if (!any) continue;
      const n = f.colNorm[t - 1]!;
      for (let j = 0; j < C; j++) gh[j] = (gCol[r + j]! - dot * f.colbert[r + j]!) / n;
      const row = ids[t]!,
        o = row * D;
      touch(g, row);
      for (let j = 0; j < C; j++) {
        const ghj = gh[j]!;
        if (ghj === 0) continue;
        const wo = j * D;
        g.colB[j]! += ghj;
        for (let k = 0; k < D; k++) {
          g.colW[wo + k]! += ghj * emb[o + k]!;
          g.emb[o + k]! += ghj * W[wo + k]!;
        }
      }
    }
  }
}
