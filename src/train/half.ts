/**
 * IEEE 754 binary16 conversion (round to nearest, ties to even) for fp16 weight storage.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * float32 → binary16 bits.
 *
 * @example
 * ```ts
 * f32ToF16(1); // 0x3c00
 * ```
 */
export function f32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 255) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/**
 * binary16 bits → number.
 *
 * @example
 * ```ts
 * f16ToF32(0x3c00); // 1
 * ```
 */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Rounds every element to the nearest binary16 value in place; returns the bits. */
export function roundToF16(a: Float32Array): Uint16Array {
  const out = new Uint16Array(a.length);
  for (let i = 0; i < a.length; i++) { const h = f32ToF16(a[i]!); out[i] = h; a[i] = f16ToF32(h); }
  return out;
}
