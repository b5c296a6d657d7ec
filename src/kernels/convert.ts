/**
 * Bulk storage conversions used when vectors are stored: f32 → binary16 and symmetric
 * per-row int8. The native addon does them when the native backend is active (about 20×
 * faster than the TS loops, which box every value); the TS twins in f16.ts give the same bits
 * (parity-tested), so the stored bytes never depend on the backend.
 */
import { invalid } from '../errors.js';
import { f32ToF16, quantizeI8Row } from './f16.js';
import { nativeConvert } from './index.js';

/**
 * `dst[dstOffset + i] = f32ToF16(src[i])` for every i.
 *
 * @example
 * ```ts
 * const h = new Uint16Array(4); toF16Into(Float32Array.of(1, -2, 0.5, 65504), h, 0); // 0x3c00, 0xc000, …
 * ```
 */
export function toF16Into(src: Float32Array, dst: Uint16Array, dstOffset: number): void {
  if (!Number.isInteger(dstOffset) || dstOffset < 0 || dstOffset + src.length > dst.length) {
    invalid('INVALID_ARGUMENT', `toF16Into: ${src.length} values do not fit in dst (${dst.length}) at ${dstOffset}`);
  }
  const n = nativeConvert();
  if (n !== null) n.f32ToF16(src, dst, dstOffset);
  else for (let i = 0; i < src.length; i++) dst[dstOffset + i] = f32ToF16(src[i]!);
}

/**
 * Quantises `src` (rows × dim) row by row as {@link quantizeI8Row}: bytes to `dst` at
 * `dstOffset`, one scale per row to `scales` at `scaleOffset`.
 *
 * @example
 * ```ts
 * quantizeI8RowsInto(vectors, 1024, arenaI8, start * 1024, arenaScales, start);
 * ```
 */
export function quantizeI8RowsInto(src: Float32Array, dim: number, dst: Int8Array, dstOffset: number, scales: Float32Array, scaleOffset: number): void {
  const rows = src.length / dim;
  if (!Number.isInteger(dim) || dim < 1 || !Number.isInteger(rows) || !Number.isInteger(dstOffset) || dstOffset < 0 || dstOffset + src.length > dst.length || !Number.isInteger(scaleOffset) || scaleOffset < 0 || scaleOffset + rows > scales.length) {
    invalid('INVALID_ARGUMENT', `quantizeI8RowsInto: ${src.length} values in rows of ${dim} do not fit dst (${dst.length}) at ${dstOffset} / scales (${scales.length}) at ${scaleOffset}`);
  }
  const n = nativeConvert();
  if (n !== null) n.quantizeI8Rows(src, dim, dst, dstOffset, scales, scaleOffset);
  else for (let r = 0; r < rows; r++) scales[scaleOffset + r] = quantizeI8Row(src, r * dim, dim, dst, dstOffset + r * dim);
}
