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
