/**
 * Pure pooling and sparse rules of every preset (each function documents its formula).
 * M3 (shared/M3-SPEC.md):
 * - dense: CLS row, L2-normalised with eps 1e-12 (`v / max(‖v‖, 1e-12)`);
 * - sparse: per-position relu weights → drop special ids and weights ≤ 0, keep the max per id;
 * - multi-vector: rows for positions 1..len-1 (CLS dropped, `</s>` kept, padding excluded),
 *   each L2-normalised.
 * Other presets: masked dense pooling ({@link poolRows}), SPLADE max pooling, unit-weight
 * sparse queries. Rows are read from a [B, T, H] block: row `t` of text `b` starts at `(b·T + t)·H`.
 */
import type { DensePooling } from './family-config.js';
import type { SparseVector } from './types.js';

/** In-place L2 normalisation with the reference eps (torch.nn.functional.normalize). */
export function l2normalize(v: Float32Array, eps = 1e-12): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = 1 / Math.max(Math.sqrt(s), eps);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/**
 * Max-pools per-position weights by token id.
 *
 * @example
 * ```ts
 * poolSparse([0, 7, 7, 2], Float32Array.of(0.9, 0.1, 0.3, 0.5), new Set([0, 1, 2, 3]));
 * // { ids: [7], weights: [0.3] }
 * ```
 */
export function poolSparse(ids: ArrayLike<number>, weights: ArrayLike<number>, drop: ReadonlySet<number>): SparseVector {
  const best = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const w = weights[i]!;
    if (drop.has(id) || !(w > 0)) continue;
    const prev = best.get(id);
    if (prev === undefined || w > prev) best.set(id, w);
  }
  const keys = [...best.keys()].sort((a, b) => a - b);
  const out: SparseVector = { ids: new Uint32Array(keys.length), weights: new Float32Array(keys.length) };
  keys.forEach((k, i) => {
    out.ids[i] = k;
    out.weights[i] = best.get(k)!;
  });
  return out;
}

/**
 * Mean of rows `[0, len)` of a [T, H] block starting at `offset` in `data` (for `mean` pooling).
 */
export function meanRows(data: Float32Array, offset: number, len: number, h: number): Float32Array {
  const out = new Float32Array(h);
  for (let t = 0; t < len; t++) for (let j = 0; j < h; j++) out[j] = out[j]! + data[offset + t * h + j]!;
  for (let j = 0; j < h; j++) out[j] = out[j]! / Math.max(len, 1);
  return out;
}

/**
 * Pools the rows `t` with `mask[t] = 1` of one text:
 * cls = row of the first real token; mean = Σ rows / n; max = element-wise max;
 * mean_sqrt_len = Σ rows / √n; last_token = row of the last real token.
 *
 * @example
 * ```ts
 * poolRows(hidden, 0, T, H, [1, 1, 0], 'mean'); // mean of rows 0 and 1
 * ```
 */
export function poolRows(data: Float32Array, base: number, T: number, H: number, mask: ArrayLike<number>, mode: Exclude<DensePooling, 'graph'>): Float32Array {
  const out = new Float32Array(H);
  const real: number[] = [];
  for (let t = 0; t < T; t++) if (mask[t]) real.push(t);
  if (real.length === 0) return out;
  if (mode === 'cls' || mode === 'last_token') {
    const t = mode === 'cls' ? real[0]! : real[real.length - 1]!;
    out.set(data.subarray(base + t * H, base + (t + 1) * H));
    return out;
  }
  const acc = new Float64Array(H);
  if (mode === 'max') acc.fill(-Infinity);
  for (const t of real) {
    const o = base + t * H;
    if (mode === 'max') for (let j = 0; j < H; j++) acc[j] = Math.max(acc[j]!, data[o + j]!);
    else for (let j = 0; j < H; j++) acc[j] = acc[j]! + data[o + j]!;
  }
  const div = mode === 'mean' ? real.length : mode === 'mean_sqrt_len' ? Math.sqrt(real.length) : 1;
  for (let j = 0; j < H; j++) out[j] = acc[j]! / div;
  return out;
}

/**
 * SPLADE max pooling over the MLM logits of one text: `w_v = max_t log(1 + relu(x_{t,v}))`
 * over positions with `mask[t] = 1`; ids with `w_v > 0`, ascending.
 *
 * @example
 * ```ts
 * spladePool(logits, 0, T, vocab, mask); // { ids, weights }
 * ```
 */
export function spladePool(logits: Float32Array, base: number, T: number, V: number, mask: ArrayLike<number>): SparseVector {
  const best = new Float32Array(V);
  for (let t = 0; t < T; t++) {
    if (!mask[t]) continue;
    const o = base + t * V;
    for (let v = 0; v < V; v++) {
      const x = logits[o + v]!;
      if (x > 0) {
        const w = Math.log1p(x);
        if (w > best[v]!) best[v] = w;
      }
    }
  }
  let n = 0;
  for (let v = 0; v < V; v++) if (best[v]! > 0) n++;
  const out: SparseVector = { ids: new Uint32Array(n), weights: new Float32Array(n) };
  let k = 0;
  for (let v = 0; v < V; v++)
    if (best[v]! > 0) {
      out.ids[k] = v;
      out.weights[k++] = best[v]!;
    }
  return out;
}

/** Sparse vector of distinct ids with weight 1 (BoW queries of doc-only SPLADE, BM42 queries). */
export function unitSparse(ids: Iterable<number>): SparseVector {
  const u = [...new Set(ids)].sort((a, b) => a - b);
  return { ids: Uint32Array.from(u), weights: new Float32Array(u.length).fill(1) };
}
