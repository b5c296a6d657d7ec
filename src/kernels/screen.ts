/**
 * Screening sidecar of an f32 / f16 token-vector arena, for the exact screened MaxSim kernels
 * (`maxsimF32Screen` / `maxsimF16Screen`, see types.ts).
 *
 * Formula: per vector x (f16 decoded exactly), scale = f32(max|x| / 127), int8 image
 * q_k = clamp(roundHalfEven(f32(x_k / scale)), ±127) (exactly {@link quantizeI8Row}), so
 * |x_k − scale·q_k| ≤ scale·(1/2 + 2^-17); and 6 stats floats
 * {scale, |x|_1, max|x|, Σ_k q_k, |x − scale·q|_2, |scale·q|_2} (sums in f64, the three
 * norms rounded up to f32). The native avx512 kernel bounds |q·x − a| with them
 * (a = the int8 estimate) and recomputes in full precision only the pairs that can still be
 * the maximum, so the result is the exact MaxSim whatever the sidecar's precision — but only
 * if the sidecar really describes the arena: rebuild it after changing vectors.
 * A vector the bound cannot cover (non-finite values, or a non-zero max|x| below the smallest
 * normal f32 × 127) gets |x|_1 = +Infinity, which sends its candidates to the brute-force path.
 *
 * Layout: canonical row-major, never ISA-packed: `i8[v·dim + k]`, `stats[4v … 4v+3]`. Runtime
 * only (rebuilt when a store is opened), +25 % memory over f32 vectors, +50 % over f16.
 */
import { invalid } from '../errors.js';
import { f16Values, quantizeI8Row } from './f16.js';

/** Floats of screening stats per vector. */
export const SCREEN_STATS = 6;

const MIN_NORMAL = 2 ** -126;

/**
 * Fills the sidecar of vectors `[from, from + count)` of an f32 or f16 arena (`rows`, row-major,
 * `dim` values per vector) into `i8` (dim bytes per vector) and `stats` ({@link SCREEN_STATS} floats per vector),
 * at the same vector indices.
 *
 * @example
 * ```ts
 * const i8 = new Int8Array(n * dim), stats = new Float32Array(n * SCREEN_STATS);
 * buildScreen(arenaF32, dim, 0, n, i8, stats);
 * kernels.maxsimF32Screen(query, qCount, dim, arenaF32, i8, stats, starts, counts, out);
 * ```
 */
export function buildScreen(rows: Float32Array | Uint16Array, dim: number, from: number, count: number, i8: Int8Array, stats: Float32Array): void {
  if (!Number.isInteger(dim) || dim < 1) invalid('INVALID_ARGUMENT', `buildScreen: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(from) || !Number.isInteger(count) || from < 0 || count < 0) invalid('INVALID_ARGUMENT', `buildScreen: from/count must be non-negative integers, got ${from}/${count}`);
  const end = from + count;
  if (end * dim > rows.length || end * dim > i8.length || end * SCREEN_STATS > stats.length) {
    invalid('INVALID_ARGUMENT', `buildScreen: vectors [${from}, ${end}) exceed the rows (${Math.floor(rows.length / dim)}), i8 (${Math.floor(i8.length / dim)}) or stats (${Math.floor(stats.length / SCREEN_STATS)}) given`);
  }
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
      res2 += (x[k]! - img) ** 2;
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
