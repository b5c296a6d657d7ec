/**
 * On-disk format of the multi-vector store (format version 1): one file, `multivector.bin`,
 * little-endian, a 64-byte header then the payload. Only live documents are written, in
 * id order, back to back (a save is also a compaction).
 * ```
 *  0  8  magic "TRIDMVEC"
 *  8  u32 format version (1)      12 u32 header bytes (64)
 * 16  u32 dim                     20 u32 docs                24 u32 vectors
 * 28  u8  dtype (0 f32, 1 f16, 2 i8)   29 u8 pool factor     30 u16 reserved (0)
 * 32  u32 CRC-32 of the payload   36…63 reserved (0)
 * payload: ids u32[docs] (strictly increasing) · counts u32[docs] · flags u8[docs]
 *          (bit 1 token ids, bit 2 spans), zero-padded to 4 bytes · vectors (vectors × dim
 *          of the dtype; f16 as binary16 bit patterns), zero-padded to 4 bytes ·
 *          scales f32[vectors] (i8 only) · token ids u32[vectors] · spans u32[2 × vectors]
 *          (0xffffffff = none)
 * ```
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StorageError } from '../errors.js';
import { bytesOf, checkLittleEndian, copyOut, corruptFile, crc32, readStoreFile, writeFileAtomic } from '../store/index.js';
import { Arena } from './arena.js';
import type { MvDtype } from './types.js';

/** File written by the multi-vector store. */
export const MV_FILE = 'multivector.bin';
/** Current (and oldest readable) multi-vector format version. */
export const MV_FORMAT_VERSION = 1;

const MAGIC = 'TRIDMVEC';
const HEADER = 64;
const DTYPES: MvDtype[] = ['f32', 'f16', 'i8'];
const WIDTH: Record<MvDtype, number> = { f32: 4, f16: 2, i8: 1 };
const pad4 = (n: number): number => (n + 3) & ~3;

interface MvMeta {
  dim: number;
  dtype: MvDtype;
  poolFactor: 1 | 2 | 3;
}

const WRITTEN_BY = 'MultiVectorStore.saveFiles';
const FORMAT = { magic: MAGIC, version: MV_FORMAT_VERSION, headerBytes: HEADER, kind: 'multi-vector', writtenBy: WRITTEN_BY };

/**
 * Writes the live documents to `<dir>/multivector.bin` (temporary sibling + rename).
 *
 * @example
 * ```ts
 * await writeMvFile(dir, { dim, dtype, poolFactor }, docs, arena);
 * ```
 */
export async function writeMvFile(dir: string, meta: MvMeta, docs: Array<{ id: number; start: number; count: number; flags: number }>, arena: Arena): Promise<string[]> {
  checkLittleEndian();
  const st = await fsp.stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) throw new StorageError('IO_ERROR', `${dir} is not an existing directory; saveFiles writes into a directory you created`, { file: dir });
  const nd = docs.length;
  let nv = 0;
  for (const d of docs) nv += d.count;
  const dim = meta.dim;
  const w = WIDTH[meta.dtype];
  const size = nd * 8 + pad4(nd) + pad4(nv * dim * w) + (meta.dtype === 'i8' ? nv * 4 : 0) + nv * 12;
  const payload = new Uint8Array(size);
  const dv = new DataView(payload.buffer);
  let off = 0;
  for (const d of docs) {
    dv.setUint32(off, d.id, true);
    off += 4;
  }
  for (const d of docs) {
    dv.setUint32(off, d.count, true);
    off += 4;
  }
  for (const d of docs) payload[off++] = d.flags & 6;
  off = pad4(off);
  const vecOff = off;
  const scaleOff = vecOff + pad4(nv * dim * w);
  const tokOff = scaleOff + (meta.dtype === 'i8' ? nv * 4 : 0);
  const spanOff = tokOff + nv * 4;
  let v = 0;
  for (const d of docs) {
    const { vectors, scales } = arena.raw(d.start, d.count);
    payload.set(bytesOf(vectors), vecOff + v * dim * w);
    if (scales) payload.set(bytesOf(scales), scaleOff + v * 4);
    payload.set(bytesOf(arena.tokens.subarray(d.start, d.start + d.count)), tokOff + v * 4);
    payload.set(bytesOf(arena.spans.subarray(2 * d.start, 2 * (d.start + d.count))), spanOff + v * 8);
    v += d.count;
  }
  const header = new Uint8Array(HEADER);
  const hv = new DataView(header.buffer);
  header.set(new TextEncoder().encode(MAGIC), 0);
  hv.setUint32(8, MV_FORMAT_VERSION, true);
  hv.setUint32(12, HEADER, true);
  hv.setUint32(16, dim, true);
  hv.setUint32(20, nd, true);
  hv.setUint32(24, nv, true);
  hv.setUint8(28, DTYPES.indexOf(meta.dtype));
  hv.setUint8(29, meta.poolFactor);
  hv.setUint32(32, crc32(payload), true);
  await writeFileAtomic(path.join(dir, MV_FILE), [header, payload], WRITTEN_BY);
  return [MV_FILE];
}

/**
 * Reads and validates `<dir>/multivector.bin`.
 *
 * @example
 * ```ts
 * const { dim, dtype, ids, counts, flags, arena } = await readMvFile(dir);
 * ```
 */
export async function readMvFile(dir: string): Promise<MvMeta & { ids: Uint32Array; counts: Uint32Array; flags: Uint8Array; arena: Arena }> {
  const file = path.join(dir, MV_FILE);
  const { buf, dv: hv } = await readStoreFile(file, FORMAT);
  const dim = hv.getUint32(16, true);
  const nd = hv.getUint32(20, true);
  const nv = hv.getUint32(24, true);
  const dtype = DTYPES[hv.getUint8(28)];
  const poolFactor = hv.getUint8(29);
  if (dtype === undefined) corruptFile(file, 'unknown dtype code');
  if (dim < 1 || dim > 65536 || (poolFactor !== 1 && poolFactor !== 2 && poolFactor !== 3)) corruptFile(file, 'settings out of range');
  const w = WIDTH[dtype];
  const expect = HEADER + nd * 8 + pad4(nd) + pad4(nv * dim * w) + (dtype === 'i8' ? nv * 4 : 0) + nv * 12;
  if (buf.length !== expect) corruptFile(file, `${buf.length} bytes, expected ${expect} for ${nd} documents and ${nv} vectors × ${dim} ${dtype} (truncated or overwritten)`);
  if (crc32(buf.subarray(HEADER)) !== hv.getUint32(32, true)) {
    throw new StorageError('CHECKSUM_MISMATCH', `${file} fails its CRC-32 check (damaged on disk); restore it from a backup or rebuild the index`, { file });
  }
  let off = HEADER;
  const ids = copyOut(buf, off, nd, Uint32Array);
  off += nd * 4;
  const counts = copyOut(buf, off, nd, Uint32Array);
  off += nd * 4;
  const flags = copyOut(buf, off, nd, Uint8Array);
  off = HEADER + pad4(nd * 8 + nd);
  let total = 0;
  for (let i = 0; i < nd; i++) {
    if (i > 0 && ids[i]! <= ids[i - 1]!) corruptFile(file, 'document ids are not strictly increasing');
    if ((flags[i]! & ~6) !== 0) corruptFile(file, 'unknown document flags');
    total += counts[i]!;
  }
  if (total !== nv) corruptFile(file, `document counts sum to ${total}, header says ${nv} vectors`);
  const n = nv * dim;
  const vectors = dtype === 'f32' ? copyOut(buf, off, n, Float32Array) : dtype === 'f16' ? copyOut(buf, off, n, Uint16Array) : copyOut(buf, off, n, Int8Array);
  off += pad4(n * w);
  const scales = dtype === 'i8' ? copyOut(buf, off, nv, Float32Array) : null;
  off += dtype === 'i8' ? nv * 4 : 0;
  const tokens = copyOut(buf, off, nv, Uint32Array);
  off += nv * 4;
  const spans = copyOut(buf, off, 2 * nv, Uint32Array);
  return { dim, dtype, poolFactor: poolFactor as 1 | 2 | 3, ids, counts, flags, arena: Arena.fromArrays(dim, dtype, vectors, scales, tokens, spans) };
}
