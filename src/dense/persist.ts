/**
 * On-disk format of the dense index (format version 1), two files in one directory:
 *
 * `dense.rows` — little-endian, 64-byte header then payload:
 * ```
 *  0  8  magic "TRIDDENS"
 *  8  u32 format version (1)
 * 12  u32 header bytes (64)
 * 16  u32 dimensions
 * 20  u32 count (rows)
 * 24  u8  graph dtype (0 f32, 1 f16, 2 i8)   25 u8 row dtype   26 u16 reserved (0)
 * 28  u32 connectivity   32 u32 expansionAdd   36 u32 expansionSearch
 * 40  f64 oversample
 * 48  u32 CRC-32 of the payload
 * 52  u32 CRC-32 of dense.usearch
 * 56  f64 byte length of dense.usearch
 * payload: ids u32[count] · rows (count × dimensions of the row dtype; f16 as binary16
 *          bit patterns) · scales f32[count] (i8 rows only)
 * ```
 * `dense.usearch` — the HNSW graph in usearch's own format (`Index.save`). Its length, CRC-32
 * and structure (graph-validate.ts) are checked before usearch reads it, because usearch
 * trusts its input.
 *
 * Rows are canonical row-major data, never ISA-packed.
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StorageError } from '../errors.js';
import { bytesOf, checkLittleEndian, checksumFile, copyOut, corruptFile, crc32, crc32Update, readLargeFile, readStoreFile, storeIoError, writeFileAtomic } from '../store/index.js';
import { validateGraphBytes } from './graph-validate.js';
import { RowStore, type DenseDtype } from './rows.js';

/**
 * Settings persisted with the index (DenseIndex.settings).
 *
 * @example
 * ```ts
 * const { dtype, rowDtype, expansionSearch } = index.settings;
 * ```
 */
export interface DenseSettings {
  dimensions: number;
  dtype: DenseDtype;
  rowDtype: DenseDtype;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  oversample: number;
}

/** File names written by the dense index. */
export const DENSE_ROWS_FILE = 'dense.rows';
export const DENSE_GRAPH_FILE = 'dense.usearch';
/** Current (and oldest readable) dense format version. */
export const DENSE_FORMAT_VERSION = 1;

const MAGIC = 'TRIDDENS';
const HEADER = 64;
const DTYPES: DenseDtype[] = ['f32', 'f16', 'i8'];
const WIDTH: Record<DenseDtype, number> = { f32: 4, f16: 2, i8: 1 };

const WRITTEN_BY = 'DenseIndex.saveFiles';
const ioError = (what: 'reading' | 'writing', file: string, e: unknown) => storeIoError(what, file, e, WRITTEN_BY);
const FORMAT = { magic: MAGIC, version: DENSE_FORMAT_VERSION, headerBytes: HEADER, kind: 'dense', writtenBy: WRITTEN_BY };

/**
 * Writes `dense.usearch` (through `saveGraph`) then `dense.rows` into `dir` (which must
 * exist). Returns the file names.
 *
 * @example
 * ```ts
 * await writeDenseFiles(dir, settings, rows, (p) => graph.save(p));
 * ```
 */
export async function writeDenseFiles(dir: string, s: DenseSettings, rows: RowStore, saveGraph: (path: string) => void): Promise<string[]> {
  checkLittleEndian();
  const graphFile = path.join(dir, DENSE_GRAPH_FILE);
  const graphTmp = `${graphFile}.tmp-${process.pid}`;
  let graphSum: { bytes: number; crc32: number };
  const st = await fsp.stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) {
    throw new StorageError('IO_ERROR', `${dir} is not an existing directory; saveFiles writes into a directory you created`, { file: dir });
  }
  try {
    saveGraph(graphTmp);
    graphSum = await checksumFile(graphTmp);
    await fsp.rename(graphTmp, graphFile);
  } catch (e) {
    await fsp.rm(graphTmp, { force: true }).catch(() => undefined);
    throw ioError('writing', graphFile, e);
  }
  const { rows: data, scales } = rows.payload();
  const ids = rows.ids.slice();
  const parts = [bytesOf(ids), bytesOf(data), ...(scales ? [bytesOf(scales)] : [])];
  let crc = 0;
  for (const p of parts) crc = crc32Update(crc, p);
  const header = new Uint8Array(HEADER);
  const dv = new DataView(header.buffer);
  header.set(new TextEncoder().encode(MAGIC), 0);
  dv.setUint32(8, DENSE_FORMAT_VERSION, true);
  dv.setUint32(12, HEADER, true);
  dv.setUint32(16, s.dimensions, true);
  dv.setUint32(20, rows.count, true);
  dv.setUint8(24, DTYPES.indexOf(s.dtype));
  dv.setUint8(25, DTYPES.indexOf(s.rowDtype));
  dv.setUint32(28, s.connectivity, true);
  dv.setUint32(32, s.expansionAdd, true);
  dv.setUint32(36, s.expansionSearch, true);
  dv.setFloat64(40, s.oversample, true);
  dv.setUint32(48, crc, true);
  dv.setUint32(52, graphSum.crc32, true);
  dv.setFloat64(56, graphSum.bytes, true);
  await writeFileAtomic(path.join(dir, DENSE_ROWS_FILE), [header, ...parts], WRITTEN_BY);
  return [DENSE_ROWS_FILE, DENSE_GRAPH_FILE];
}

/**
 * Reads and validates `dense.rows`, checks `dense.usearch`'s length and CRC-32, then its
 * structure ({@link validateGraphBytes}). Throws StorageError (INDEX_NOT_FOUND, CORRUPT_FILE,
 * CHECKSUM_MISMATCH, FORMAT_VERSION_UNSUPPORTED) naming the file. A graph that passes its
 * checksum but not the structural check is not an error here: `graphProblem` says what is
 * wrong and the caller must not hand the file to usearch (it rebuilds from the rows).
 *
 * @example
 * ```ts
 * const { settings, rows, graphPath } = await readDenseFiles(dir);
 * ```
 */
export async function readDenseFiles(dir: string): Promise<{ settings: DenseSettings; rows: RowStore; graphPath: string; graphProblem: string | null }> {
  const rowsPath = path.join(dir, DENSE_ROWS_FILE);
  const graphPath = path.join(dir, DENSE_GRAPH_FILE);
  const { buf, dv } = await readStoreFile(rowsPath, FORMAT);
  const dimensions = dv.getUint32(16, true);
  const count = dv.getUint32(20, true);
  const dtype = DTYPES[dv.getUint8(24)];
  const rowDtype = DTYPES[dv.getUint8(25)];
  const connectivity = dv.getUint32(28, true);
  const expansionAdd = dv.getUint32(32, true);
  const expansionSearch = dv.getUint32(36, true);
  const oversample = dv.getFloat64(40, true);
  if (dtype === undefined || rowDtype === undefined) corruptFile(rowsPath, 'unknown dtype code');
  // the ranges DenseIndex.create accepts: a crafted connectivity of 2^24 would make usearch
  // allocate gigabytes when the graph is built or rebuilt
  if (dimensions < 1 || dimensions > 65536 || connectivity < 2 || connectivity > 1024 || expansionAdd < 1 || expansionAdd > 1 << 20 || expansionSearch < 1 || expansionSearch > 1 << 20 || !(oversample >= 1 && oversample <= 1000)) {
    corruptFile(rowsPath, 'settings out of range');
  }
  const expect = HEADER + count * 4 + count * dimensions * WIDTH[rowDtype] + (rowDtype === 'i8' ? count * 4 : 0);
  if (buf.length !== expect) corruptFile(rowsPath, `${buf.length} bytes, expected ${expect} for ${count} rows × ${dimensions} ${rowDtype} (truncated or overwritten)`);
  if (crc32(buf.subarray(HEADER)) !== dv.getUint32(48, true)) {
    throw new StorageError('CHECKSUM_MISMATCH', `${rowsPath} fails its CRC-32 check (damaged on disk); restore it from a backup or rebuild the index`, { file: rowsPath });
  }
  let off = HEADER;
  const ids = copyOut(buf, off, count, Uint32Array);
  off += count * 4;
  const n = count * dimensions;
  const data = rowDtype === 'f32' ? copyOut(buf, off, n, Float32Array) : rowDtype === 'f16' ? copyOut(buf, off, n, Uint16Array) : copyOut(buf, off, n, Int8Array);
  off += n * WIDTH[rowDtype];
  const scales = rowDtype === 'i8' ? copyOut(buf, off, count, Float32Array) : null;
  if (new Set(ids).size !== count) corruptFile(rowsPath, 'duplicate ids');

  let graphBytes: Uint8Array;
  try {
    graphBytes = await readLargeFile(graphPath);
  } catch (e) {
    throw ioError('reading', graphPath, e);
  }
  if (graphBytes.length !== dv.getFloat64(56, true)) corruptFile(graphPath, `${graphBytes.length} bytes, ${DENSE_ROWS_FILE} says ${dv.getFloat64(56, true)} (truncated or from another save)`);
  if (crc32(graphBytes) !== dv.getUint32(52, true)) {
    throw new StorageError('CHECKSUM_MISMATCH', `${graphPath} fails its CRC-32 check (damaged on disk or from another save); restore it from a backup or rebuild the index`, { file: graphPath });
  }
  // The CRC only catches accidents: check every field usearch would dereference.
  const graphProblem = validateGraphBytes(graphBytes, { dimensions, dtype, connectivity, ids });
  const settings: DenseSettings = { dimensions, dtype, rowDtype, connectivity, expansionAdd, expansionSearch, oversample };
  return { settings, rows: RowStore.fromPayload(dimensions, rowDtype, ids, data, scales), graphPath, graphProblem };
}
