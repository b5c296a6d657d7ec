/**
 * TS twin of the native screening-sidecar builder (native/convert.cc): the formula and
 * layout are documented in screen.ts. Arguments are validated by `buildScreen` there.
 */
import { f16Values, quantizeI8Row } from './f16.js';

/** Floats of screening stats per vector. */
export const SCREEN_STATS = 6;

const MIN_NORMAL = 2 ** -126;

/**
 * Fills sidecar vectors `[from, from + count)` (no argument checks; see `buildScreen`).
 *
 * @example
 * ```ts
 * buildScreenReference(arenaF32, dim, 0, n, i8, stats);
 * ```
 */
export function buildScreenReference(rows: Float32Array | Uint16Array, dim: number, from: number, count: number, i8: Int8Array, stats: Float32Array): void {
  const end = from + count;
  const x = new Float32Array(dim);
  const t = rows instanceof Uint16Array ? f16Values() : null;
  for (let v = from; v < end; v++) {
    const off = v * dim;
    let l1 = 0;
    let maxAbs = 0;
    if (t !== null) {
      for (let k = 0; k < dim; k++) x[k] = t[(rows as Uint16Array)[off + k]!]!;
    } else {
      x.set((rows as Float32Array).subarray(off, off + dim));
    }
    for (let k = 0; k < dim; k++) {
      const a = Math.abs(x[k]!);
      l1 += a;
      if (a > maxAbs) maxAbs = a;
    }
    const scale = quantizeI8Row(x, 0, dim, i8, off);
    let sum = 0;
    let res2 = 0;
    let img2 = 0;
    for (let k = 0; k < dim; k++) {
      const q = i8[off + k]!;
      sum += q;
      const img = scale * q; // exact in f64
      const d = x[k]! - img;
      res2 += d * d;
      img2 += img * img;
    }
    const coverable = Number.isFinite(l1) && (maxAbs === 0 || scale >= MIN_NORMAL);
    const s = v * SCREEN_STATS;
    stats[s] = scale;
    // rounded up so the stored |x|_1 never understates the true one
    stats[s + 1] = coverable ? roundUpF32(l1) : Infinity;
    stats[s + 2] = maxAbs;
    stats[s + 3] = sum;
    stats[s + 4] = roundUpF32(Math.sqrt(res2) * (1 + 2 ** -40));
    stats[s + 5] = roundUpF32(Math.sqrt(img2) * (1 + 2 ** -40));
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Smallest f32 ≥ x (x ≥ 0; NaN and Infinity pass through). */
function roundUpF32(x: number): number {
  if (!Number.isFinite(x)) return x;
  f32[0] = x;
  if (f32[0]! >= x) return f32[0]!;
  u32[0] = u32[0]! + 1;
  return f32[0]!;
}
