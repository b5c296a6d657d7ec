/**
 * Storage-precision helpers shared by the stores, the kernels, the model readers and the
 * trainer — the project's only binary16 conversion: IEEE-754 binary16 ↔ f32 (round to
 * nearest, ties to even, as F16C `vcvtps2ph` with imm 0 does) and symmetric per-row int8
 * quantisation (scale = maxabs / 127).
 *
 * NaN policy, as F16C: f32 → f16 keeps the sign and the top 10 payload bits and sets the
 * quiet bit (a signalling NaN comes back quiet, never as Infinity); f16 → f32 (`fromF16`,
 * `f16Values`) keeps sign and payload and sets the quiet bit. So every quiet-NaN half
 * survives f16 → f32 → f16 bit for bit. A JS `number` cannot carry a NaN payload, so the
 * per-value `f16ToF32` gives the plain NaN; the array forms work on the bits.
 *
 * The i8 arithmetic here is the exact f32 arithmetic the native addon performs when it
 * quantises a query (division in f32, rounding ties to even, clamp to [-127, 127]), so the
 * TS twin and the SIMD kernels see identical int8 queries.
 */

import { invalid } from '../errors.js';

const f32Box = new Float32Array(1);
const u32Box = new Uint32Array(f32Box.buffer);

/**
 * Converts one number to its binary16 bit pattern (the number is first rounded to f32).
 * Overflow gives ±Infinity, values below half the smallest subnormal give ±0, NaN stays NaN.
 *
 * @example
 * ```ts
 * f32ToF16(1) // 0x3c00
 * f32ToF16(-2) // 0xc000
 * ```
 */
export function f32ToF16(x: number): number {
  f32Box[0] = x;
  return f32BitsToF16(u32Box[0]!);
}

/**
 * As {@link f32ToF16}, on the f32's bit pattern (so a NaN's sign and payload are seen).
 *
 * @example
 * ```ts
 * f32BitsToF16(0x3f800000) // 0x3c00
 * f32BitsToF16(0x7fc02000) // 0x7e01: quiet NaN, payload kept
 * ```
 */
export function f32BitsToF16(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // re-biased exponent (127 → 15)
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e; // 14..24
    const half = 1 << (shift - 1);
    const rem = full & ((1 << shift) - 1);
    let r = full >>> shift;
    if (rem > half || (rem === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) r++; // carry may give Infinity, as it should
  return sign | r;
}

let f16Table: Float32Array | null = null;

/**
 * Lookup table of all 65 536 binary16 values as f32 (built on first use, 256 KiB).
 *
 * @example
 * ```ts
 * f16Values()[0x3c00] // 1
 * ```
 */
export function f16Values(): Float32Array {
  if (f16Table !== null) return f16Table;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f && mant !== 0) {
      bits[h] = (((h & 0x8000) << 16) | 0x7fc00000 | (mant << 13)) >>> 0; // quiet NaN, sign and payload kept
      continue;
    }
    let v: number;
    if (exp === 0) v = mant * 2 ** -24;
    else if (exp === 0x1f) v = Infinity;
    else v = (1 + mant / 1024) * 2 ** (exp - 15);
    t[h] = sign * v;
  }
  f16Table = t;
  return t;
}

let f16Bits: Uint32Array | null = null;
/** {@link f16Values} as f32 bit patterns. */
function f16BitsTable(): Uint32Array {
  f16Bits ??= new Uint32Array(f16Values().buffer);
  return f16Bits;
}

/**
 * Converts one binary16 bit pattern to a number (exact).
 *
 * @example
 * ```ts
 * f16ToF32(0x3c00) // 1
 * ```
 */
export function f16ToF32(h: number): number {
  return f16Values()[h & 0xffff]!;
}

/**
 * Converts an array of numbers to binary16 bit patterns.
 *
 * @example
 * ```ts
 * const h = toF16(new Float32Array([0.5, -1])); // Uint16Array [0x3800, 0xbc00]
 * ```
 */
export function toF16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  if (src instanceof Float32Array) {
    const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
    for (let i = 0; i < src.length; i++) out[i] = f32BitsToF16(bits[i]!);
  } else {
    for (let i = 0; i < src.length; i++) out[i] = f32ToF16(src[i]!);
  }
  return out;
}

/**
 * Converts binary16 bit patterns back to f32 (exact).
 *
 * @example
 * ```ts
 * fromF16(toF16([0.25])) // Float32Array [0.25]
 * ```
 */
export function fromF16(src: Uint16Array): Float32Array {
  const t = f16BitsTable();
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = t[src[i]!]!;
  return out;
}

/**
 * Rounds every element to the nearest binary16 value in place (NaN payloads as
 * {@link toF16} / {@link fromF16}); returns the binary16 bits.
 *
 * @example
 * ```ts
 * const a = Float32Array.of(0.1); roundToF16(a); // a[0] === 0.0999755859375, returns Uint16Array [0x2e66]
 * ```
 */
export function roundToF16(a: Float32Array): Uint16Array {
  const h = toF16(a);
  a.set(fromF16(h));
  return h;
}

/**
 * Rounds to the nearest integer, ties to even (the default IEEE rounding, as `nearbyintf`).
 *
 * @example
 * ```ts
 * roundHalfEven(2.5) // 2
 * roundHalfEven(-3.5) // -4
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties go up
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * Quantises one row of `dim` values to int8 with a symmetric scale and returns the scale:
 * `scale = f32(maxabs / 127)`, `q[k] = clamp(roundHalfEven(f32(x[k] / scale)), -127, 127)`,
 * so `x[k] ≈ scale × q[k]`. An all-zero row gets scale 0 and zeros.
 * Inputs must be finite.
 *
 * @example
 * ```ts
 * const q = new Int8Array(3);
 * const s = quantizeI8Row(new Float32Array([0.5, -1, 0.25]), 0, 3, q, 0); // s = 1/127, q = [64, -127, 32]
 * ```
 */
export function quantizeI8Row(src: Float32Array, srcOffset: number, dim: number, dst: Int8Array, dstOffset: number): number {
  let maxAbs = 0;
  for (let k = 0; k < dim; k++) {
    const a = Math.abs(src[srcOffset + k]!);
    if (a > maxAbs) maxAbs = a;
  }
  const scale = Math.fround(maxAbs / 127);
  if (scale === 0) {
    dst.fill(0, dstOffset, dstOffset + dim);
    return 0;
  }
  for (let k = 0; k < dim; k++) {
    let r = roundHalfEven(Math.fround(src[srcOffset + k]! / scale));
    if (r > 127) r = 127;
    else if (r < -127) r = -127;
    dst[dstOffset + k] = r;
  }
  return scale;
}

/**
 * Quantises `rows × dim` f32 values (row-major) to int8 with one scale per row
 * (see {@link quantizeI8Row}).
 *
 * @example
 * ```ts
 * const { data, scales } = quantizeI8(new Float32Array([1, 0, 0, 1]), 2);
 * // data = [127, 0, 0, 127], scales = [1/127, 1/127]
 * ```
 */
export function quantizeI8(src: Float32Array, dim: number): { data: Int8Array; scales: Float32Array } {
  if (!Number.isInteger(dim) || dim < 1 || src.length % dim !== 0) {
    invalid('DIMENSION_MISMATCH', `quantizeI8: length ${src.length} is not a multiple of dim ${dim}; pass rows × dim values`);
  }
  const rows = src.length / dim;
  const data = new Int8Array(src.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) scales[r] = quantizeI8Row(src, r * dim, dim, data, r * dim);
  return { data, scales };
}

/**
 * Inverse of {@link quantizeI8}: `x[r][k] = scales[r] × data[r][k]`.
 *
 * @example
 * ```ts
 * dequantizeI8(new Int8Array([127, 0]), new Float32Array([0.5 / 127]), 2) // ≈ [0.5, 0]
 * ```
 */
export function dequantizeI8(data: Int8Array, scales: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = scales[Math.floor(i / dim)]! * data[i]!;
  return out;
}

/**
 * Writes Σ_k rows[r·dim + k] of int8 rows `[from, from + count)` into `out[r]` (the per-vector
 * sums {@link Kernels.maxsimI8} accepts as `docSums`).
 *
 * @example
 * ```ts
 * const sums = new Int32Array(n); rowSumsI8(arenaI8, 1024, 0, n, sums);
 * ```
 */
export function rowSumsI8(rows: Int8Array, dim: number, from: number, count: number, out: Int32Array): void {
  for (let r = from; r < from + count; r++) {
    let s = 0;
    const off = r * dim;
    for (let k = 0; k < dim; k++) s += rows[off + k]!;
    out[r] = s;
  }
}
