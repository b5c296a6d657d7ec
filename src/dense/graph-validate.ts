/**
 * Structural validation of `dense.usearch` before usearch reads it. usearch trusts its input:
 * a neighbour slot out of range, a level count that disagrees with the tape or a vector width
 * that differs from the metric's reads (and writes) outside its buffers and crashes the process.
 * A checksum only catches accidents (anyone who edits a file can recompute it), so every field
 * usearch dereferences is checked here against the file length and against `dense.rows`.
 *
 * The layout matched is the one `Index.save` writes for trident's configuration (usearch 2.x,
 * `index_dense_gt<u64 key, u32 slot>`, vectors included, 32-bit matrix dimensions, little-endian),
 * from `include/usearch/index_dense.hpp` (`save_to_stream`) and `index.hpp` (`save_to_stream`,
 * `node_t`, `neighbors_ref_t`):
 * ```
 * u32 rows · u32 bytes per vector · rows × vector bytes (slot order)
 * 64-byte head: "usearch" · u16 major · u16 minor · u16 patch · u8 metric · u8 scalar kind
 *               · u8 key kind · u8 slot kind · u64 present · u64 deleted · u64 dimensions
 *               · u8 multi · zeros
 * graph header: u64 size · u64 connectivity · u64 connectivity_base · u64 max_level · u64 entry_slot
 * i16 level[size]
 * per node: u64 key · i16 level · (u32 count · u32 slot[connectivity_base]) for level 0
 *           · (u32 count · u32 slot[connectivity]) for each level 1 … level
 * ```
 * Beyond memory safety the checks also require what trident writes: inner-product metric, the
 * index's dtype, dimensions and connectivity, no deleted entries, keys equal to the row ids, and
 * links only to nodes present at that level (HNSW's invariant; usearch reads the neighbour's list
 * at the same level, so a link to a lower node reads past that node's tape).
 */
import { indexOfSorted } from '../segments/sorted.js';
import type { GraphLayout } from './hnsw-walk.js';
import type { DenseDtype } from './rows.js';

/** What the graph must agree with (from `dense.rows`). */
export interface GraphExpectation {
  dimensions: number;
  dtype: DenseDtype;
  connectivity: number;
  /** Row ids, which must be exactly the graph's keys. */
  ids: Uint32Array;
}

/** Options of {@link validateGraphBytes}. */
export interface GraphValidateOptions {
  /**
   * false: skip the check that every vector value is finite (the only check that reads the
   * vector matrix; NaN cannot make usearch read out of bounds). A memory-mapped dense segment
   * runs it lazily, with its checksum ({@link checkGraphVectors}). Default true.
   */
  vectors?: boolean;
  /** Filled with each slot's key (slot order = the order of the vector matrix); length = rows. */
  slotKeys?: Uint32Array;
  /** Filled with the node table (offsets: length = rows) for src/dense/hnsw-walk.ts. */
  layout?: GraphLayout;
}

const MAGIC = 'usearch';
const HEAD = 64;
const GRAPH_HEADER = 40;
const METRIC_IP = 0x69; // 'i'
const SCALAR: Record<DenseDtype, number> = { f32: 11, f16: 12, i8: 23 };
const WIDTH: Record<DenseDtype, number> = { f32: 4, f16: 2, i8: 1 };
const KEY_U64 = 14;
const SLOT_U32 = 15;
/**
 * Highest level accepted. usearch draws levels as ⌊−ln(u) / ln(connectivity)⌋ with u a float in
 * (0, 1], so even at connectivity 2 a level above ~150 cannot occur.
 */
const MAX_LEVEL = 255;

/**
 * Checks `bytes` (a whole `dense.usearch`) against usearch's serialisation and `expect`.
 * Returns null when usearch can load it safely, else what is wrong.
 *
 * @example
 * ```ts
 * const problem = validateGraphBytes(bytes, { dimensions: 1024, dtype: 'f16', connectivity: 16, ids });
 * if (problem) console.log(`dense.usearch: ${problem}`);
 * ```
 */
export function validateGraphBytes(bytes: Uint8Array, expect: GraphExpectation, opts: GraphValidateOptions = {}): string | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  const rows = expect.ids.length;
  const width = WIDTH[expect.dtype];
  if (len < 8) return `${len} bytes is too short for a usearch file`;
  const matrixRows = dv.getUint32(0, true);
  const matrixCols = dv.getUint32(4, true);
  if (matrixRows !== rows) return `holds ${matrixRows} vectors, dense.rows has ${rows}`;
  if (matrixCols !== expect.dimensions * width) return `vectors are ${matrixCols} bytes, expected ${expect.dimensions} × ${width}`;
  const head = 8 + rows * matrixCols;
  if (head + HEAD + GRAPH_HEADER > len) return `${len} bytes is too short for ${rows} vectors and the headers`;
  if (opts.vectors !== false) {
    const bad = nonFiniteVector(dv, 8, rows * expect.dimensions, expect.dtype);
    if (bad >= 0) return `vector value ${bad} is not finite`;
  }
  if (opts.slotKeys !== undefined && opts.slotKeys.length !== rows) return `${rows} nodes, the caller expected ${opts.slotKeys.length}`;
  if (opts.layout !== undefined && opts.layout.offsets.length !== rows) return `${rows} nodes, the caller expected ${opts.layout.offsets.length}`;

  for (let i = 0; i < MAGIC.length; i++) if (bytes[head + i] !== MAGIC.charCodeAt(i)) return 'bad usearch magic';
  const major = dv.getUint16(head + 7, true);
  const minor = dv.getUint16(head + 9, true);
  if (major !== 2 || minor < 10) return `usearch format ${major}.${minor} (trident writes 2.10 or later)`;
  if (bytes[head + 13] !== METRIC_IP) return `metric code ${bytes[head + 13]}, expected inner product`;
  if (bytes[head + 14] !== SCALAR[expect.dtype]) return `scalar kind ${bytes[head + 14]}, expected ${expect.dtype}`;
  if (bytes[head + 15] !== KEY_U64 || bytes[head + 16] !== SLOT_U32) return 'key or slot type is not u64 / u32';
  const present = u64(dv, head + 17);
  const deleted = u64(dv, head + 25);
  const dims = u64(dv, head + 33);
  if (present !== rows || deleted !== 0) return `head counts ${present} present + ${deleted} deleted, expected ${rows} + 0`;
  if (dims !== expect.dimensions) return `head says ${dims} dimensions, expected ${expect.dimensions}`;
  for (let i = head + 41; i < head + HEAD; i++) if (bytes[i] !== 0) return `head byte ${i - head} is not zero (multi-key index or damaged head)`;

  const g = head + HEAD;
  const size = u64(dv, g);
  const conn = u64(dv, g + 8);
  const connBase = u64(dv, g + 16);
  const maxLevel = u64(dv, g + 24);
  const entry = u64(dv, g + 32);
  if (size !== rows) return `graph holds ${size} nodes, expected ${rows}`;
  if (conn !== expect.connectivity || connBase !== 2 * expect.connectivity) {
    return `connectivity ${conn}/${connBase}, expected ${expect.connectivity}/${2 * expect.connectivity}`;
  }
  if (rows === 0) return g + GRAPH_HEADER === len ? null : `${len - g - GRAPH_HEADER} bytes after an empty graph`;
  const levelsAt = g + GRAPH_HEADER;
  if (levelsAt + 2 * rows > len) return 'truncated inside the level table';
  const levels = new Int16Array(rows);
  let top = 0;
  for (let i = 0; i < rows; i++) {
    const l = dv.getInt16(levelsAt + 2 * i, true);
    if (l < 0 || l > MAX_LEVEL) return `node ${i} has level ${l}`;
    levels[i] = l;
    if (l > top) top = l;
  }
  if (maxLevel !== top) return `max level ${maxLevel}, the nodes' highest is ${top}`;
  if (entry >= rows || levels[entry] !== top) return `entry slot ${entry} is not a node of the top level`;

  const baseBytes = 4 + 4 * connBase;
  const levelBytes = 4 + 4 * conn;
  // each key must be one of the ids, once: by binary search and a bitmap when the ids ascend
  // (a segment's, always), else by sets
  const ids = expect.ids;
  let ascending = true;
  for (let i = 1; i < rows && ascending; i++) ascending = ids[i]! > ids[i - 1]!;
  const idSet = ascending ? null : new Set<number>(ids);
  const seenSet = ascending ? null : new Set<number>();
  const seenAt = ascending ? new Uint8Array(rows) : null;
  let off = levelsAt + 2 * rows;
  for (let i = 0; i < rows; i++) {
    const level = levels[i]!;
    const nodeBytes = 10 + baseBytes + levelBytes * level;
    if (off + nodeBytes > len) return `truncated inside node ${i}`;
    if (dv.getUint32(off + 4, true) !== 0) return `node ${i} has a key above 2^32`;
    const key = dv.getUint32(off, true);
    if (seenAt !== null) {
      const at = indexOfSorted(ids, key);
      if (at < 0) return `node ${i} has key ${key}, which dense.rows does not list`;
      if (seenAt[at] === 1) return `key ${key} appears twice`;
      seenAt[at] = 1;
    } else {
      if (!idSet!.has(key)) return `node ${i} has key ${key}, which dense.rows does not list`;
      if (seenSet!.has(key)) return `key ${key} appears twice`;
      seenSet!.add(key);
    }
    if (opts.slotKeys !== undefined) opts.slotKeys[i] = key;
    if (opts.layout !== undefined) opts.layout.offsets[i] = off;
    if (dv.getInt16(off + 8, true) !== level) return `node ${i} says level ${dv.getInt16(off + 8, true)}, the level table ${level}`;
    let p = off + 10;
    for (let l = 0; l <= level; l++) {
      const cap = l === 0 ? connBase : conn;
      const count = dv.getUint32(p, true);
      if (count > cap) return `node ${i} has ${count} neighbours at level ${l}, at most ${cap} fit`;
      // (every node reaches level 0: only the upper levels need the neighbour's level)
      if (l === 0) {
        for (let k = 0, q = p + 4; k < count; k++, q += 4) {
          const slot = dv.getUint32(q, true);
          if (slot >= rows || slot === i) return slot >= rows ? `node ${i} links to slot ${slot} of ${rows} at level 0` : `node ${i} links to itself at level 0`;
        }
      } else {
        for (let k = 0; k < count; k++) {
          const slot = dv.getUint32(p + 4 + 4 * k, true);
          if (slot >= rows) return `node ${i} links to slot ${slot} of ${rows} at level ${l}`;
          if (slot === i) return `node ${i} links to itself at level ${l}`;
          if (levels[slot]! < l) return `node ${i} links at level ${l} to node ${slot}, which stops at level ${levels[slot]}`;
        }
      }
      p += 4 + 4 * cap;
    }
    off += nodeBytes;
  }
  if (off !== len) return `${len - off} bytes after the last node`;
  if (opts.layout !== undefined) {
    opts.layout.entry = entry;
    opts.layout.maxLevel = top;
  }
  return null;
}

/**
 * The vector values' check that {@link validateGraphBytes} skips with `vectors: false`: null
 * when every value of the `rows × dimensions` matrix at byte 8 is finite, else which is not.
 * Call only on bytes that passed validateGraphBytes (the matrix lies inside them).
 *
 * @example
 * ```ts
 * const problem = checkGraphVectors(bytes, rows, 384, 'f16'); // on first touch of a dense segment
 * ```
 */
export function checkGraphVectors(bytes: Uint8Array, rows: number, dimensions: number, dtype: DenseDtype): string | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = nonFiniteVector(dv, 8, rows * dimensions, dtype);
  return bad >= 0 ? `vector value ${bad} is not finite` : null;
}

/** A u64 as a number (values above 2^53 become Infinity, which no check accepts). */
function u64(dv: DataView, off: number): number {
  const hi = dv.getUint32(off + 4, true);
  return hi >= 0x200000 ? Infinity : hi * 2 ** 32 + dv.getUint32(off, true);
}

/** Index of the first NaN/±Inf among `n` values at `off`, or -1 (i8 values are always finite). */
function nonFiniteVector(dv: DataView, off: number, n: number, dtype: DenseDtype): number {
  if (dtype === 'i8') return -1;
  const at = dv.byteOffset + off;
  // typed views when aligned (the usual case: a fresh file buffer), DataView otherwise
  if (dtype === 'f32') {
    if (at % 4 === 0) {
      const a = new Uint32Array(dv.buffer, at, n);
      for (let i = 0; i < n; i++) if ((a[i]! & 0x7f800000) === 0x7f800000) return i;
    } else for (let i = 0; i < n; i++) if ((dv.getUint32(off + 4 * i, true) & 0x7f800000) === 0x7f800000) return i;
  } else if (at % 2 === 0) {
    const a = new Uint16Array(dv.buffer, at, n);
    for (let i = 0; i < n; i++) if ((a[i]! & 0x7c00) === 0x7c00) return i;
  } else for (let i = 0; i < n; i++) if ((dv.getUint16(off + 2 * i, true) & 0x7c00) === 0x7c00) return i;
  return -1;
}
