/**
 * Layout of compressed token vectors (binary and residual codes), shared by the codec, the TS
 * twin and (in C++) native/codes.h. Each vector takes ceil(dim / 64) blocks of 8 × bits bytes;
 * inside a 64-dimension block:
 * - bits 1: byte j, bit t ↔ dimension 8j + t (a little-endian u64 mask);
 * - bits 2: byte j (0…15), bits 2t…2t+1 ↔ dimension 16t + j;
 * - bits 4: byte j (0…31), bits 4t…4t+3 ↔ dimension 32t + j.
 * Padding dimensions hold code 0. The interleaved 2- and 4-bit layouts let SIMD kernels expand
 * a block with one broadcast, shift and byte shuffle.
 */

/** Code widths a compressed store supports. */
export type CodeBits = 1 | 2 | 4;

/**
 * Bytes of one vector's codes.
 *
 * @example
 * ```ts
 * codesBytes(1024, 2) // 256
 * ```
 */
export function codesBytes(dim: number, bits: number): number {
  return Math.ceil(dim / 64) * 8 * bits;
}

/**
 * Byte index and bit shift of dimension k's code inside its vector.
 *
 * @example
 * ```ts
 * codePos(17, 2) // { byte: 1, shift: 2 }
 * ```
 */
export function codePos(k: number, bits: number): { byte: number; shift: number } {
  const blk = Math.floor(k / 64);
  const o = k % 64;
  const base = blk * 8 * bits;
  if (bits === 1) return { byte: base + (o >> 3), shift: o & 7 };
  if (bits === 2) return { byte: base + (o % 16), shift: 2 * Math.floor(o / 16) };
  return { byte: base + (o % 32), shift: 4 * Math.floor(o / 32) };
}

/**
 * Packs one vector's codes (dim values < 2^bits) at `out[offset…]` (those bytes must be zero).
 *
 * @example
 * ```ts
 * packCodes(Uint8Array.of(1, 0, 1), 3, 1, out, 0);
 * ```
 */
export function packCodes(codes: ArrayLike<number>, dim: number, bits: number, out: Uint8Array, offset: number): void {
  for (let k = 0; k < dim; k++) {
    const { byte, shift } = codePos(k, bits);
    out[offset + byte] = out[offset + byte]! | (codes[k]! << shift);
  }
}

/**
 * Unpacks one vector's codes (dim values) from `src[offset…]`.
 *
 * @example
 * ```ts
 * const codes = unpackCodes(src, 0, 1024, 2);
 * ```
 */
export function unpackCodes(src: Uint8Array, offset: number, dim: number, bits: number, out = new Uint8Array(dim)): Uint8Array {
  const mask = (1 << bits) - 1;
  for (let k = 0; k < dim; k++) {
    const { byte, shift } = codePos(k, bits);
    out[k] = (src[offset + byte]! >> shift) & mask;
  }
  return out;
}
