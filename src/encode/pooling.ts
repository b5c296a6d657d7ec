/**
 * Pure pooling rules of the M3 family (shared/M3-SPEC.md):
 * - dense: CLS row, L2-normalised with eps 1e-12 (`v / max(‖v‖, 1e-12)`);
 * - sparse: per-position relu weights → drop special ids and weights ≤ 0, keep the max per id;
 * - multi-vector: rows for positions 1..len-1 (CLS dropped, `</s>` kept, padding excluded),
 *   each L2-normalised.
 */
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
  keys.forEach((k, i) => { out.ids[i] = k; out.weights[i] = best.get(k)!; });
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
