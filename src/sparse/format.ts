/**
 * On-disk format of the sparse index: one file `sparse.bin`, little-endian.
 *
 * ```
 * offset size  field
 *      0    8  magic "TRDSPRS\0"
 *      8    4  u32 format version (1)
 *     12    4  u32 scorer (0 = dot, 1 = bm25)
 *     16    8  f64 k1
 *     24    8  f64 b
 *     32    4  u32 docSlots   (length of the per-document arrays = max doc id + 1)
 *     36    4  u32 terms      (number of posting lists)
 *     40    8  f64 postings   (total postings, integer)
 *     48    8  f64 totalLen   (Σ document length over docCount documents, BM25)
 *     56    4  u32 docCount   (documents counted by BM25 statistics: live + tombstoned)
 *     60    4  u32 reserved (0)
 *     64       u8  state[docSlots]     0 absent, 1 live, 2 tombstoned   (padded to 8)
 *              f32 docLen[docSlots]                                      (padded to 8)
 *              u32 termIds[terms]      strictly ascending                (padded to 8)
 *              u32 offsets[terms + 1]  0 … postings, strictly ascending   (padded to 8)
 *              u32 docs[postings]      per list strictly ascending, < docSlots, state ≠ 0 (padded to 8)
 *              f32 weights[postings]   finite, > 0
 * ```
 * Reading validates sizes and contents and throws `StorageError` (`CORRUPT_FILE`,
 * `FORMAT_VERSION_UNSUPPORTED`) naming the file. Writing goes to a temporary sibling, then renames.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { StorageError } from '../errors.js';
import { readLargeFile, writeChunks } from '../store/large-file.js';

/**
 * File name of the sparse index inside an index directory.
 *
 * @example
 * ```ts
 * const path = join(dir, SPARSE_FILE); // '<dir>/sparse.bin'
 * ```
 */
export const SPARSE_FILE = 'sparse.bin';
const MAGIC = 'TRDSPRS\0';
/**
 * Format version written by this code; the only one it reads.
 *
 * @example
 * ```ts
 * if (SPARSE_FORMAT_VERSION !== 1) console.log('sparse format changed');
 * ```
 */
export const SPARSE_FORMAT_VERSION = 1;
const HEADER = 64;
const LE = endianness() === 'LE';

/** Everything the file holds; internal. */
export interface SparseFileData {
  scorer: 'dot' | 'bm25';
  k1: number;
  b: number;
  docCount: number;
  totalLen: number;
  state: Uint8Array;
  docLen: Float32Array;
  termIds: Uint32Array;
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Writes `sparse.bin` into `dir` (temporary sibling + rename); internal. */
export async function writeSparseFile(dir: string, d: SparseFileData & { lists: { docs: Uint32Array; weights: Float32Array }[] }): Promise<void> {
  const slots = d.state.length;
  const terms = d.termIds.length;
  let postings = 0;
  for (const l of d.lists) postings += l.docs.length;
  if (postings > 0xffffffff) {
    throw new StorageError('UNSUPPORTED', `sparse index has ${postings} postings; format version 1 holds at most 2^32 - 1`, { file: SPARSE_FILE });
  }
  const size = layoutSize(slots, terms, postings);
  const buf = new ArrayBuffer(size.total);
  const view = new DataView(buf);
  const bytes = new Uint8Array(buf);
  for (let i = 0; i < 8; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, SPARSE_FORMAT_VERSION, true);
  view.setUint32(12, d.scorer === 'bm25' ? 1 : 0, true);
  view.setFloat64(16, d.k1, true);
  view.setFloat64(24, d.b, true);
  view.setUint32(32, slots, true);
  view.setUint32(36, terms, true);
  view.setFloat64(40, postings, true);
  view.setFloat64(48, d.totalLen, true);
  view.setUint32(56, d.docCount, true);
  bytes.set(d.state, size.state);
  putF32(view, size.docLen, d.docLen);
  putU32(view, size.termIds, d.termIds);
  let off = 0;
  view.setUint32(size.offsets, 0, true);
  let p = 0;
  for (let t = 0; t < terms; t++) {
    const l = d.lists[t]!;
    putU32(view, size.docs + 4 * p, l.docs);
    putF32(view, size.weights + 4 * p, l.weights);
    p += l.docs.length;
    off = p;
    view.setUint32(size.offsets + 4 * (t + 1), off, true);
  }
  const final = join(dir, SPARSE_FILE);
  const tmp = join(dir, `.${SPARSE_FILE}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await writeChunks(fh, [bytes]);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new StorageError('IO_ERROR', `could not write ${final}: ${(e as Error).message}`, { cause: e, file: SPARSE_FILE });
  }
}

/** Reads and validates `sparse.bin` from `dir`; internal. */
export async function readSparseFile(dir: string): Promise<SparseFileData & { offsets: Uint32Array; docs: Uint32Array; weights: Float32Array }> {
  const path = join(dir, SPARSE_FILE);
  let raw: Uint8Array;
  try {
    raw = await readLargeFile(path);
  } catch (e) {
    throw new StorageError('IO_ERROR', `could not read ${path}: ${(e as Error).message}`, { cause: e, file: SPARSE_FILE });
  }
  const corrupt = (what: string): never => {
    throw new StorageError('CORRUPT_FILE', `${SPARSE_FILE} is corrupt: ${what}; rebuild the index or restore a backup`, { file: SPARSE_FILE });
  };
  if (raw.length < HEADER) corrupt(`${raw.length} bytes is shorter than the ${HEADER}-byte header`);
  // an aligned buffer we own (readLargeFile returns one unless the file shrank mid-read)
  const bytes = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : raw.slice();
  const buf = bytes.buffer as ArrayBuffer;
  const view = new DataView(buf);
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) corrupt('bad magic (not a trident sparse index file)');
  const version = view.getUint32(8, true);
  if (version !== SPARSE_FORMAT_VERSION) {
    throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${SPARSE_FILE} has format version ${version}; this trident reads version ${SPARSE_FORMAT_VERSION}. Upgrade trident or rebuild the index`, { file: SPARSE_FILE });
  }
  const scorerCode = view.getUint32(12, true);
  if (scorerCode > 1) corrupt(`unknown scorer code ${scorerCode}`);
  const k1 = view.getFloat64(16, true);
  const b = view.getFloat64(24, true);
  if (!Number.isFinite(k1) || k1 < 0 || !Number.isFinite(b) || b < 0 || b > 1) corrupt(`bad BM25 parameters k1=${k1} b=${b}`);
  const slots = view.getUint32(32, true);
  const terms = view.getUint32(36, true);
  const postings = view.getFloat64(40, true);
  const totalLen = view.getFloat64(48, true);
  const docCount = view.getUint32(56, true);
  if (!Number.isInteger(postings) || postings < 0 || postings > 0xffffffff) corrupt(`bad posting count ${postings}`);
  if (!Number.isFinite(totalLen) || totalLen < 0) corrupt(`bad total length ${totalLen}`);
  const size = layoutSize(slots, terms, postings);
  if (raw.length !== size.total) corrupt(`length ${raw.length} bytes, expected ${size.total} for ${slots} doc slots, ${terms} terms, ${postings} postings`);
  const state = new Uint8Array(buf, size.state, slots);
  const docLen = getF32(buf, size.docLen, slots);
  const termIds = getU32(buf, size.termIds, terms);
  const offsets = getU32(buf, size.offsets, terms + 1);
  const docs = getU32(buf, size.docs, postings);
  const weights = getF32(buf, size.weights, postings);
  let counted = 0;
  for (let d = 0; d < slots; d++) {
    const s = state[d]!;
    if (s > 2) corrupt(`doc state ${s} at slot ${d}`);
    if (s !== 0) counted++;
    const l = docLen[d]!;
    if (!Number.isFinite(l) || l < 0) corrupt(`doc length ${l} at slot ${d}`);
  }
  if (counted !== docCount) corrupt(`header counts ${docCount} documents but the state array holds ${counted}`);
  if (offsets[0] !== 0 || offsets[terms] !== postings) corrupt('posting offsets do not span the postings');
  for (let t = 0; t < terms; t++) {
    if (t > 0 && termIds[t]! <= termIds[t - 1]!) corrupt(`term ids not ascending at ${t}`);
    const a = offsets[t]!;
    const e = offsets[t + 1]!;
    if (e <= a) corrupt(`empty or reversed posting list for term ${termIds[t]}`);
    for (let p = a; p < e; p++) {
      const d = docs[p]!;
      if (d >= slots || state[d] === 0) corrupt(`posting of term ${termIds[t]} names unknown doc ${d}`);
      if (p > a && d <= docs[p - 1]!) corrupt(`postings of term ${termIds[t]} not ascending`);
      const w = weights[p]!;
      if (!Number.isFinite(w) || w <= 0) corrupt(`weight ${w} in postings of term ${termIds[t]}`);
    }
  }
  return { scorer: scorerCode === 1 ? 'bm25' : 'dot', k1, b, docCount, totalLen, state, docLen, termIds, offsets, docs, weights };
}

function layoutSize(slots: number, terms: number, postings: number) {
  const state = HEADER;
  const docLen = state + pad8(slots);
  const termIds = docLen + pad8(4 * slots);
  const offsets = termIds + pad8(4 * terms);
  const docs = offsets + pad8(4 * (terms + 1));
  const weights = docs + pad8(4 * postings);
  const total = weights + 4 * postings;
  return { state, docLen, termIds, offsets, docs, weights, total };
}

function putU32(view: DataView, at: number, a: Uint32Array): void {
  if (LE) new Uint32Array(view.buffer, at, a.length).set(a);
  else for (let i = 0; i < a.length; i++) view.setUint32(at + 4 * i, a[i]!, true);
}

function putF32(view: DataView, at: number, a: Float32Array): void {
  if (LE) new Float32Array(view.buffer, at, a.length).set(a);
  else for (let i = 0; i < a.length; i++) view.setFloat32(at + 4 * i, a[i]!, true);
}

function getU32(buf: ArrayBuffer, at: number, n: number): Uint32Array {
  if (LE) return new Uint32Array(buf, at, n);
  const v = new DataView(buf, at, 4 * n);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = v.getUint32(4 * i, true);
  return out;
}

function getF32(buf: ArrayBuffer, at: number, n: number): Float32Array {
  if (LE) return new Float32Array(buf, at, n);
  const v = new DataView(buf, at, 4 * n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
  return out;
}
