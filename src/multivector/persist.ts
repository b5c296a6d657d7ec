/**
 * On-disk format of the multi-vector store (format version 1 for f32 / f16 / i8 stores, which
 * every reader since version 1 opens; version 2 for the compressed dtypes): one file, `multivector.bin`,
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
 * Version 2 (dtype 3 binary, 4 residual): header byte 30 = bits (1, 2, 4), 36 u32 k (centroids;
 * 0 for binary or an untrained empty residual store); payload: ids · counts · flags (as v1) ·
 * codes (vectors × codesBytes(dim, bits), src/kernels/codes.ts) · centroid ids u16[vectors]
 * zero-padded to 4 and inverse norms f32[vectors] (residual) · token ids · spans · codebook (residual, k > 0): centroids
 * i8[k × dim] zero-padded to 4 · centroid scales f32[k] · levels i8[16] (2^bits used, rest 0) ·
 * level scale f32 · cutoffs f32[15] (2^bits − 1 used, rest 0).
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StorageError } from '../errors.js';
import { bytesOf, checkLittleEndian, copyOut, corruptFile, crc32, readStoreFile, writeFileAtomic } from '../store/index.js';
import { Arena } from './arena.js';
import { CodesArena } from './codes-arena.js';
import { codesBytes, type CodeBits } from '../kernels/codes.js';
import type { ResidualCodebook } from './codec.js';
import type { MvDtype } from './types.js';

/** File written by the multi-vector store. */
export const MV_FILE = 'multivector.bin';
/** Current multi-vector format version (2: compressed dtypes; f32 / f16 / i8 stores still write 1). */
export const MV_FORMAT_VERSION = 2;
/** Oldest readable multi-vector format version. */
export const MV_OLDEST_VERSION = 1;

const MAGIC = 'TRIDMVEC';
const HEADER = 64;
const DTYPES: MvDtype[] = ['f32', 'f16', 'i8', 'binary', 'residual'];
const WIDTH: Record<'f32' | 'f16' | 'i8', number> = { f32: 4, f16: 2, i8: 1 };
const pad4 = (n: number): number => (n + 3) & ~3;

interface MvMeta {
  dim: number;
  dtype: MvDtype;
  poolFactor: 1 | 2 | 3;
}

const WRITTEN_BY = 'MultiVectorStore.saveFiles';
const FORMAT = { magic: MAGIC, version: MV_FORMAT_VERSION, oldest: MV_OLDEST_VERSION, headerBytes: HEADER, kind: 'multi-vector', writtenBy: WRITTEN_BY };

/**
 * Writes the live documents to `<dir>/multivector.bin` (temporary sibling + rename).
 *
 * @example
 * ```ts
 * await writeMvFile(dir, { dim, dtype, poolFactor }, docs, arena);
 * ```
 */
export async function writeMvFile(dir: string, meta: MvMeta, docs: Array<{ id: number; start: number; count: number; flags: number }>, arena: Arena | CodesArena): Promise<string[]> {
  checkLittleEndian();
  const st = await fsp.stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) throw new StorageError('IO_ERROR', `${dir} is not an existing directory; saveFiles writes into a directory you created`, { file: dir });
  if (arena instanceof CodesArena) return writeCodesFile(dir, meta, docs, arena);
  const nd = docs.length;
  let nv = 0;
  for (const d of docs) nv += d.count;
  const dim = meta.dim;
  const w = WIDTH[meta.dtype as 'f32'];
  const size = nd * 8 + pad4(nd) + pad4(nv * dim * w) + (meta.dtype === 'i8' ? nv * 4 : 0) + nv * 12;
  const payload = new Uint8Array(size);
  const vecOff = docTables(docs, payload);
  const scaleOff = vecOff + pad4(nv * dim * w);
  const tokOff = scaleOff + (meta.dtype === 'i8' ? nv * 4 : 0);
  const spanOff = tokOff + nv * 4;
  let v = 0;
  for (const d of docs) {
    const { vectors, scales } = (arena as Arena).raw(d.start, d.count);
    payload.set(bytesOf(vectors), vecOff + v * dim * w);
    if (scales) payload.set(bytesOf(scales), scaleOff + v * 4);
    payload.set(bytesOf(arena.tokens.subarray(d.start, d.start + d.count)), tokOff + v * 4);
    payload.set(bytesOf(arena.spans.subarray(2 * d.start, 2 * (d.start + d.count))), spanOff + v * 8);
    v += d.count;
  }
  const header = new Uint8Array(HEADER);
  const hv = new DataView(header.buffer);
  header.set(new TextEncoder().encode(MAGIC), 0);
  hv.setUint32(8, 1, true); // f32 / f16 / i8 stores stay readable by version-1 readers
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
export async function readMvFile(dir: string): Promise<MvMeta & { ids: Uint32Array; counts: Uint32Array; flags: Uint8Array; arena: Arena | CodesArena }> {
  const file = path.join(dir, MV_FILE);
  const { buf, dv: hv } = await readStoreFile(file, FORMAT);
  const version = hv.getUint32(8, true);
  const code = hv.getUint8(28);
  if ((version === 1) !== code < 3) corruptFile(file, `dtype code ${code} does not belong to format version ${version}`);
  if (version === 2) return readCodesFile(file, buf, hv);
  const dim = hv.getUint32(16, true);
  const nd = hv.getUint32(20, true);
  const nv = hv.getUint32(24, true);
  const dtype = DTYPES[hv.getUint8(28)];
  const poolFactor = hv.getUint8(29);
  if (dtype === undefined) corruptFile(file, 'unknown dtype code');
  if (dim < 1 || dim > 65536 || (poolFactor !== 1 && poolFactor !== 2 && poolFactor !== 3)) corruptFile(file, 'settings out of range');
  const w = WIDTH[dtype as 'f32'];
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
  return { dim, dtype, poolFactor: poolFactor as 1 | 2 | 3, ids, counts, flags, arena: Arena.fromArrays(dim, dtype as 'f32', vectors, scales, tokens, spans) };
}

function docTables(docs: Array<{ id: number; count: number; flags: number }>, payload: Uint8Array): number {
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
  return pad4(off);
}

function header(version: number, dim: number, nd: number, nv: number, dtype: MvDtype, poolFactor: number, payload: Uint8Array, bits = 0, k = 0): Uint8Array {
  const h = new Uint8Array(HEADER);
  const hv = new DataView(h.buffer);
  h.set(new TextEncoder().encode(MAGIC), 0);
  hv.setUint32(8, version, true);
  hv.setUint32(12, HEADER, true);
  hv.setUint32(16, dim, true);
  hv.setUint32(20, nd, true);
  hv.setUint32(24, nv, true);
  hv.setUint8(28, DTYPES.indexOf(dtype));
  hv.setUint8(29, poolFactor);
  hv.setUint8(30, bits);
  hv.setUint32(32, crc32(payload), true);
  hv.setUint32(36, k, true);
  return h;
}

/** Bytes of a v2 payload (codes dtypes). */
function codesPayloadBytes(nd: number, nv: number, dim: number, dtype: MvDtype, bits: number, k: number): number {
  const res = dtype === 'residual';
  return pad4(nd * 9) + nv * codesBytes(dim, bits) + (res ? pad4(nv * 2) + nv * 4 : 0) + nv * 12 + (res && k > 0 ? codebookBytes(k, dim) : 0);
}

async function writeCodesFile(dir: string, meta: MvMeta, docs: Array<{ id: number; start: number; count: number; flags: number }>, arena: CodesArena): Promise<string[]> {
  arena.ensureTrained();
  const nd = docs.length;
  let nv = 0;
  for (const d of docs) nv += d.count;
  const { dim } = meta;
  const bits = arena.bits;
  const cb = arena.codebook;
  const k = cb?.k ?? 0;
  const bytes = codesBytes(dim, bits);
  const payload = new Uint8Array(codesPayloadBytes(nd, nv, dim, meta.dtype, bits, k));
  let off = docTables(docs, payload);
  const codesOff = off;
  const cidOff = codesOff + nv * bytes;
  const normOff = cidOff + (meta.dtype === 'residual' ? pad4(nv * 2) : 0);
  const tokOff = normOff + (meta.dtype === 'residual' ? nv * 4 : 0);
  const spanOff = tokOff + nv * 4;
  let v = 0;
  for (const d of docs) {
    const { codes, cids, norms } = arena.raw(d.start, d.count);
    payload.set(codes, codesOff + v * bytes);
    if (cids !== null) payload.set(bytesOf(cids), cidOff + v * 2);
    if (norms !== null) payload.set(bytesOf(norms), normOff + v * 4);
    payload.set(bytesOf(arena.tokens.subarray(d.start, d.start + d.count)), tokOff + v * 4);
    payload.set(bytesOf(arena.spans.subarray(2 * d.start, 2 * (d.start + d.count))), spanOff + v * 8);
    v += d.count;
  }
  off = spanOff + nv * 8;
  if (cb !== null && meta.dtype === 'residual') payload.set(serializeCodebook(cb), off);
  await writeFileAtomic(path.join(dir, MV_FILE), [header(2, dim, nd, nv, meta.dtype, meta.poolFactor, payload, bits, meta.dtype === 'residual' ? k : 0), payload], WRITTEN_BY);
  return [MV_FILE];
}

function readCodesFile(file: string, buf: Uint8Array, hv: DataView): MvMeta & { ids: Uint32Array; counts: Uint32Array; flags: Uint8Array; arena: CodesArena } {
  const dim = hv.getUint32(16, true);
  const nd = hv.getUint32(20, true);
  const nv = hv.getUint32(24, true);
  const dtype = DTYPES[hv.getUint8(28)];
  const poolFactor = hv.getUint8(29);
  const bits = hv.getUint8(30);
  const k = hv.getUint32(36, true);
  if (dtype !== 'binary' && dtype !== 'residual') corruptFile(file, 'unknown dtype code');
  if (dim < 1 || dim > 65536 || (poolFactor !== 1 && poolFactor !== 2 && poolFactor !== 3)) corruptFile(file, 'settings out of range');
  if (dtype === 'binary' ? bits !== 1 || k !== 0 : (bits !== 1 && bits !== 2 && bits !== 4) || k > 65536 || (k === 0 && nv > 0)) corruptFile(file, `bits ${bits} / centroids ${k} out of range for ${dtype}`);
  const expect = HEADER + codesPayloadBytes(nd, nv, dim, dtype, bits, k);
  if (buf.length !== expect) corruptFile(file, `${buf.length} bytes, expected ${expect} for ${nd} documents and ${nv} vectors × ${dim} ${dtype} (truncated or overwritten)`);
  if (crc32(buf.subarray(HEADER)) !== hv.getUint32(32, true)) {
    throw new StorageError('CHECKSUM_MISMATCH', `${file} fails its CRC-32 check (damaged on disk); restore it from a backup or rebuild the index`, { file });
  }
  let off = HEADER;
  const ids = copyOut(buf, off, nd, Uint32Array);
  const counts = copyOut(buf, off + nd * 4, nd, Uint32Array);
  const flags = copyOut(buf, off + nd * 8, nd, Uint8Array);
  off = HEADER + pad4(nd * 9);
  let total = 0;
  for (let i = 0; i < nd; i++) {
    if (i > 0 && ids[i]! <= ids[i - 1]!) corruptFile(file, 'document ids are not strictly increasing');
    if ((flags[i]! & ~6) !== 0) corruptFile(file, 'unknown document flags');
    total += counts[i]!;
  }
  if (total !== nv) corruptFile(file, `document counts sum to ${total}, header says ${nv} vectors`);
  const bytes = codesBytes(dim, bits);
  const codes = copyOut(buf, off, nv * bytes, Uint8Array);
  off += nv * bytes;
  let cids: Uint16Array | null = null;
  let norms: Float32Array | null = null;
  if (dtype === 'residual') {
    cids = copyOut(buf, off, nv, Uint16Array);
    off += pad4(nv * 2);
    norms = copyOut(buf, off, nv, Float32Array);
    off += nv * 4;
    for (let v = 0; v < nv; v++) if (!Number.isFinite(norms[v]!) || !(norms[v]! > 0)) corruptFile(file, `inverse norm of vector ${v} is not a positive finite number`);
  }
  const tokens = copyOut(buf, off, nv, Uint32Array);
  off += nv * 4;
  const spans = copyOut(buf, off, 2 * nv, Uint32Array);
  off += nv * 8;
  let cb: ResidualCodebook | null = null;
  if (dtype === 'residual' && k > 0) {
    cb = parseCodebook(buf.subarray(off, off + codebookBytes(k, dim)), dim, bits as CodeBits, k, (msg) => corruptFile(file, msg));
    for (let v = 0; v < nv; v++) if (cids![v]! >= k) corruptFile(file, `centroid id ${cids![v]} of vector ${v} is not below ${k}`);
  }
  return { dim, dtype, poolFactor: poolFactor as 1 | 2 | 3, ids, counts, flags, arena: CodesArena.fromArrays(dim, dtype, bits as CodeBits, cb, codes, cids, norms, tokens, spans) };
}

/**
 * Bytes of a serialised residual codebook of k centroids × dim: centroids i8[k × dim]
 * zero-padded to 4 · centroid scales f32[k] · levels i8[16] · level scale f32 · cutoffs f32[15].
 *
 * @example
 * ```ts
 * codebookBytes(256, 1024) // 263_248
 * ```
 */
export function codebookBytes(k: number, dim: number): number {
  return pad4(k * dim) + 4 * k + 16 + 4 + 60;
}

/**
 * Serialises a residual codebook (the one layout of `multivector.bin` version 2 and of the
 * segment files' `codebook` section; {@link parseCodebook} reads it back).
 *
 * @example
 * ```ts
 * const bytes = serializeCodebook(cb); // codebookBytes(cb.k, cb.dim) bytes
 * ```
 */
export function serializeCodebook(cb: ResidualCodebook): Uint8Array {
  const { k, dim } = cb;
  const out = new Uint8Array(codebookBytes(k, dim));
  let off = 0;
  out.set(bytesOf(cb.centroids), off);
  off += pad4(k * dim);
  out.set(bytesOf(cb.centroidScales), off);
  off += 4 * k;
  out.set(bytesOf(cb.levels), off);
  off += 16;
  new DataView(out.buffer).setFloat32(off, cb.scale, true);
  off += 4;
  out.set(bytesOf(cb.cutoffs), off);
  return out;
}

/**
 * Parses and validates a serialised residual codebook (copies; `bytes` may be a mapping):
 * exact size, levels in [-127, 127] with unused ones 0, scales finite (level scale > 0),
 * cutoffs finite and non-decreasing. `fail` is called with what is wrong and must throw.
 *
 * @example
 * ```ts
 * const cb = parseCodebook(bytes, 1024, 2, 256, (msg) => corruptFile(file, msg));
 * ```
 */
export function parseCodebook(bytes: Uint8Array, dim: number, bits: CodeBits, k: number, fail: (msg: string) => never): ResidualCodebook {
  if (bytes.length !== codebookBytes(k, dim)) fail(`residual codebook is ${bytes.length} bytes, expected ${codebookBytes(k, dim)} for ${k} centroids × ${dim}`);
  let off = 0;
  const centroids = copyOut(bytes, off, k * dim, Int8Array);
  off += pad4(k * dim);
  const centroidScales = copyOut(bytes, off, k, Float32Array);
  off += 4 * k;
  const allLevels = copyOut(bytes, off, 16, Int8Array);
  off += 16;
  const scale = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(off, true);
  off += 4;
  const allCuts = copyOut(bytes, off, 15, Float32Array);
  const L = 1 << bits;
  const levels = allLevels.slice(0, L);
  const cutoffs = allCuts.slice(0, L - 1);
  if (levels.includes(-128) || allLevels.subarray(L).some((x) => x !== 0)) fail('residual levels out of range');
  if (!Number.isFinite(scale) || !(scale > 0)) fail('residual level scale is not a positive finite number');
  for (let j = 0; j < cutoffs.length; j++) if (!Number.isFinite(cutoffs[j]!) || (j > 0 && cutoffs[j]! < cutoffs[j - 1]!)) fail('residual cutoffs are not finite and increasing');
  for (let c = 0; c < k; c++) if (!Number.isFinite(centroidScales[c]!) || centroidScales[c]! < 0) fail('centroid scales are not finite');
  return { dim, bits, k, centroids, centroidScales, levels, scale, cutoffs };
}
