/**
 * Pure pooling and sparse rules of the families (each function documents its formula).
 * Rows are read from a [B, T, H] block: row `t` of text `b` starts at `(b·T + t)·H`.
 */
import type { SparseVector } from '../encode/types.js';
import type { DensePooling } from './config.js';

/** L2-normalises in place with eps 1e-12 (`v / max(‖v‖, 1e-12)`). */
export function l2(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
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
  for (let v = 0; v < V; v++) if (best[v]! > 0) { out.ids[k] = v; out.weights[k++] = best[v]!; }
  return out;
}

/** Sparse vector of distinct ids with weight 1 (BoW queries of doc-only SPLADE, BM42 queries). */
export function unitSparse(ids: Iterable<number>): SparseVector {
  const u = [...new Set(ids)].sort((a, b) => a - b);
  return { ids: Uint32Array.from(u), weights: new Float32Array(u.length).fill(1) };
}
