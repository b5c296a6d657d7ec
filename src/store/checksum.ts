import * as zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, the zip/PNG polynomial) of a byte array, as an unsigned 32-bit int.
 * Uses `zlib.crc32` where Node has it, else a table-driven loop.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xCBF43926
 * ```
 */
export function crc32(data: Uint8Array): number {
  return crc32Update(0, data);
}

/**
 * Continues a CRC-32: `crc32Update(crc32(a), b) === crc32(a ++ b)`, so large files and
 * multi-part payloads are checksummed chunk by chunk (start from 0).
 *
 * @example
 * ```ts
 * let c = 0; for (const part of parts) c = crc32Update(c, part);
 * ```
 */
export function crc32Update(crc: number, data: Uint8Array): number {
  if (native) return native(data, crc >>> 0) >>> 0;
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * The GF(2) operator that advances a CRC-32 register over `n` zero bytes (32 columns), for
 * {@link crc32Combine}: zlib's `crc32_combine` method (square-and-multiply over the one-zero-bit
 * operator), built once per length so combining many equal blocks costs one product each.
 *
 * @example
 * ```ts
 * const z = crc32ZerosOperator(65536); // then crc32Combine(a, b, 65536, z)
 * ```
 */
export function crc32ZerosOperator(n: number): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`crc32ZerosOperator: length ${n}`);
  const known = zerosMemo.get(n);
  if (known !== undefined) return known;
  // the product of the operators of n's set bits (powers of one operator: they commute)
  let result: Uint32Array | null = null;
  for (let m = n, j = 0; m > 0; m = Math.floor(m / 2), j++) if (m % 2 === 1) result = result === null ? zerosPow(j) : gf2Compose(zerosPow(j), result);
  if (result === null) {
    result = new Uint32Array(32);
    for (let i = 0; i < 32; i++) result[i] = (1 << i) >>> 0; // identity
  }
  if (zerosMemo.size >= 64) zerosMemo.clear();
  zerosMemo.set(n, result);
  return result;
}

/** Operators already built, by length (read-only: shared by every caller). */
const zerosMemo = new Map<number, Uint32Array>();
/** zerosPows[j]: the operator of 2^j zero bytes (built on first use, by squaring). */
const zerosPows: Uint32Array[] = [];

function zerosPow(j: number): Uint32Array {
  if (zerosPows.length === 0) {
    // one zero bit: shift right, xor the polynomial when the low bit falls out
    let op: Uint32Array = new Uint32Array(32);
    op[0] = 0xedb88320;
    for (let i = 1; i < 32; i++) op[i] = (1 << (i - 1)) >>> 0;
    for (let i = 0; i < 3; i++) op = gf2Square(op); // 8 bits = one byte
    zerosPows.push(op);
  }
  while (zerosPows.length <= j) zerosPows.push(gf2Square(zerosPows[zerosPows.length - 1]!));
  return zerosPows[j]!;
}

/**
 * CRC-32 of `a ++ b` from `crc32(a)`, `crc32(b)` and b's byte length, without the bytes (zlib's
 * `crc32_combine`). `zeros` (crc32ZerosOperator(lengthB)) saves building the operator.
 *
 * @example
 * ```ts
 * crc32Combine(crc32(a), crc32(b), b.length) === crc32(concat(a, b)); // true
 * ```
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number, zeros = crc32ZerosOperator(lengthB)): number {
  return (gf2Times(zeros, crcA >>> 0) ^ crcB) >>> 0;
}

function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i]!;
  return sum >>> 0;
}

function gf2Square(mat: Uint32Array): Uint32Array {
  return gf2Compose(mat, mat);
}

/** a ∘ b (b first). */
function gf2Compose(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(32);
  for (let i = 0; i < 32; i++) out[i] = gf2Times(a, b[i]!);
  return out;
}
