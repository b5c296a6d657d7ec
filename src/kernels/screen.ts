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
 * Layout: canonical row-major, never ISA-packed: `i8[v·dim + k]`, `stats[6v … 6v+5]` ({@link SCREEN_STATS} per vector). Runtime
 * only (rebuilt when a store is opened), +25 % memory over f32 vectors, +50 % over f16.
 */
import { invalid } from '../errors.js';
import { nativeConvert } from './index.js';
import { buildScreenReference, SCREEN_STATS } from './screen-reference.js';

export { SCREEN_STATS };

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
  if (!(rows instanceof Float32Array) && !(rows instanceof Uint16Array)) invalid('INVALID_ARGUMENT', 'buildScreen: rows must be a Float32Array or Uint16Array');
  if (count === 0) return;
  const n = nativeConvert();
  if (n === null) buildScreenReference(rows, dim, from, count, i8, stats);
  else if (rows instanceof Float32Array) n.buildScreenF32(rows, dim, from, count, i8, stats);
  else n.buildScreenF16(rows, dim, from, count, i8, stats);
}
