/**
 * The dense channel of a segment: each vector stored once, in usearch's own file.
 *
 * ```
 * <seg>.hnsw    usearch's serialisation (Index.save): u32 rows · u32 bytes per vector ·
 *               the vectors in slot order (f32 or f16, normalised) · 64-byte head · graph
 *               header · level table · node tapes (key = the document's global id first).
 *               Unfiltered searches walk the graph and score the vectors straight from our own
 *               mapping (src/dense/hnsw-walk.ts); filtered ones use usearch's memory-mapped
 *               `view` of the file, made on the first such search.
 * <seg>.dense   segment container, kind "dense" version 1:
 *               meta   u32 docs · u32 dim · u32 dtype (0 f32, 1 f16) · u32 connectivity ·
 *                      u32 CRC-32 of the whole .hnsw file · u32 0 · u64 .hnsw byte length
 *               docids u32[docs], global ids strictly ascending (ordinal o = docids[o])
 * ```
 * Open (eager): the container's checks (container.ts), meta against the channel settings,
 * docids ascending and the .hnsw length; nothing of the .hnsw is read. First touch (the first
 * search, score or merge read, or verify()): every structural field a walk or usearch
 * dereferences (src/dense/graph-validate.ts: head, counts, levels, every node's key and links;
 * keys must be exactly `docids`; this also yields the slot maps and the node table), then the
 * .hnsw CRC-32 and every vector value finite; then its pages are released from the resident
 * set (the page cache keeps them). A crafted file is a StorageError naming it, never a crash.
 * Must never hand usearch (or the walk) a file that did not pass the structural checks.
 */
import { StorageError } from '../errors.js';
import { checkGraphVectors, validateGraphBytes } from '../dense/graph-validate.js';
import { Graph } from '../dense/graph.js';
import type { GraphLayout, HnswGraphArgs } from '../dense/hnsw-walk.js';
import { kernels } from '../kernels/index.js';
import { f16Values } from '../kernels/f16.js';
import { crc32 } from '../store/checksum.js';
import { nodeFs, type StoreFs } from '../store/fs-seam.js';
import { MappedFile, type MapOptions } from '../store/mmap.js';
import { mapListedFile, SegmentFile, writeSegmentFile } from './container.js';
import type { Deletions } from './deletes.js';
import { indexOfSorted } from './sorted.js';

const KIND = 'dense';
const VERSION = 1;
const META_BYTES = 32;
const DTYPE_CODE = { f32: 0, f16: 1 } as const;

/** A dense channel's settings in a segmented store (fixed at create). */
export interface DenseSegmentConfig {
  dim: number;
  dtype: 'f32' | 'f16';
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

/** Views of other search breadths kept per segment (each maps the file once more and holds its node table). */
const MAX_VIEWS = 3;

/** usearch construction settings of a segment's graph. */
function graphConfig(cfg: DenseSegmentConfig) {
  return { dim: cfg.dim, dtype: cfg.dtype, connectivity: cfg.connectivity, expansionAdd: cfg.expansionAdd, expansionSearch: cfg.expansionSearch };
}

/** Rows of a new segment, `count` at a time from ordinal `from` (normalised f32, row-major). */
export type DenseRows = (from: number, count: number) => Float32Array;

/**
 * Writes segment `base`'s dense files: the graph (`graph` writes a prebuilt one, keys = `ids`;
 * else one is built from `rows` with every core, in blocks so no f32 copy of the whole segment
 * is held) renamed into place as `<base>.hnsw`, then `<base>.dense`. Returns both byte lengths.
 * usearch writes the graph file itself; its fsync, rename and (on failure) removal, and every
 * call of the `.dense` write, go through `fs` (the index's StoreFs seam).
 *
 * @example
 * ```ts
 * const bytes = await writeDenseSegment('/ix/segments/dense/seg-000002', cfg, ids, (f, n) => rowsOf(f, n));
 * ```
 */
export async function writeDenseSegment(base: string, cfg: DenseSegmentConfig, ids: Uint32Array, rows: DenseRows | null, graph?: (file: string) => void, fs: StoreFs = nodeFs): Promise<{ dense: number; hnsw: number }> {
  const file = `${base}.hnsw`;
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    if (graph) graph(tmp);
    else {
      const g = new Graph(graphConfig(cfg));
      const BLOCK = 16384;
      for (let from = 0; from < ids.length; from += BLOCK) {
        const n = Math.min(BLOCK, ids.length - from);
        g.add(ids.subarray(from, from + n), rows!(from, n), 0);
      }
      g.save(tmp);
    }
    await fs.fsync(tmp);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp).catch(() => undefined);
    if (e instanceof StorageError) throw e;
    throw new StorageError('IO_ERROR', `writing ${file} failed: ${(e as Error)?.message ?? String(e)}`, { cause: e, file });
  }
  const m = await MappedFile.open(file);
  let crc: number;
  try {
    crc = crc32(m.bytes(0, m.byteLength));
    m.advise(0, m.byteLength, 'dontneed');
  } finally {
    m.close();
  }
  const meta = new Uint8Array(META_BYTES);
  const dv = new DataView(meta.buffer);
  dv.setUint32(0, ids.length, true);
  dv.setUint32(4, cfg.dim, true);
  dv.setUint32(8, DTYPE_CODE[cfg.dtype], true);
  dv.setUint32(12, cfg.connectivity, true);
  dv.setUint32(16, crc, true);
  dv.setBigUint64(24, BigInt(m.byteLength), true);
  const dense = await writeSegmentFile(
    `${base}.dense`,
    KIND,
    VERSION,
    [
      { name: 'meta', data: meta },
      { name: 'docids', data: new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength) },
    ],
    fs,
  );
  return { dense, hnsw: m.byteLength };
}

/**
 * A merge's graph writer that reuses the biggest source: its graph is loaded and the other
 * sources' live vectors are inserted, so a merge of one big segment with small ones costs
 * the small ones' insertions, not a rebuild (HNSW is built by insertion anyway: the graph
 * equals one built in that order). Null (build from scratch) when every source has deletions
 * (their graphs hold the deleted nodes). `picks` are the merged documents in
 * merged order (source index, ordinal); `rows` reads picks' vectors (merged positions).
 *
 * @example
 * ```ts
 * const graph = reuseBiggest(sources, picks, rows); // pass to writeDenseSegment
 * ```
 */
export function reuseBiggest(sources: readonly { dense: DenseSegment; deleted: number }[], picks: readonly { id: number; s: number }[], rows: DenseRows): ((file: string) => void) | null {
  let best = -1;
  for (let i = 0; i < sources.length; i++) {
    if (sources[i]!.deleted === 0 && (best < 0 || sources[i]!.dense.docs > sources[best]!.dense.docs)) best = i;
  }
  if (best < 0) return null;
  return (file) => {
    const g = sources[best]!.dense.loadGraph();
    const rest: number[] = [];
    for (let i = 0; i < picks.length; i++) if (picks[i]!.s !== best) rest.push(i);
    const BLOCK = 16384;
    const d = sources[best]!.dense.cfg.dim;
    for (let from = 0; from < rest.length; from += BLOCK) {
      const part = rest.slice(from, from + BLOCK);
      const block = new Float32Array(part.length * d);
      for (let i = 0; i < part.length; i++) block.set(rows(part[i]!, 1), i * d);
      g.add(
        Uint32Array.from(part, (at) => picks[at]!.id),
        block,
        0,
      );
    }
    g.save(file);
  };
}

/** What the first touch's structural checks read of a .hnsw. */
interface Shape {
  slotIds: Uint32Array;
  slotOrd: Uint32Array;
  ordSlot: Uint32Array;
  layout: GraphLayout;
}

/**
 * An opened dense segment: docids, the mapped .hnsw (vector matrix and graph, walked by
 * src/dense/hnsw-walk.ts), the slot maps and node table once first touched, and usearch's view
 * for filtered searches.
 *
 * @example
 * ```ts
 * const seg = await DenseSegment.open('/ix/segments/dense/seg-000002', cfg);
 * const cand = seg.graphSearch(q, 10); // global ids, graph order
 * ```
 */
export class DenseSegment {
  readonly file: SegmentFile;
  readonly hnsw: MappedFile;
  readonly cfg: DenseSegmentConfig;
  readonly docids: Uint32Array;
  /** usearch's view of the file (filtered searches: {@link graphSearch}), made on first use; unfiltered searches walk the mapped file ({@link graphArgs}). */
  #graph: Graph | null = null;
  /** The structure read by the first touch's checks: slot maps and node table. */
  #shape: Shape | null = null;
  #args: HnswGraphArgs | null = null;
  /**
   * Further views of the same file with another search breadth (usearch fixes
   * `expansion_search` per index object): at most {@link MAX_VIEWS}, made on first use.
   */
  #views = new Map<number, Graph>();
  #crc: number;
  #touched = false;

  private constructor(file: SegmentFile, hnsw: MappedFile, cfg: DenseSegmentConfig, docids: Uint32Array, crc: number) {
    this.file = file;
    this.hnsw = hnsw;
    this.cfg = cfg;
    this.docids = docids;
    this.#crc = crc;
  }

  /** slot → global id (the key of the slot's node); the first touch's checks run first. */
  get slotIds(): Uint32Array {
    return this.#structure().slotIds;
  }

  /** slot → ordinal */
  get slotOrd(): Uint32Array {
    return this.#structure().slotOrd;
  }

  /** ordinal → slot */
  get ordSlot(): Uint32Array {
    return this.#structure().ordSlot;
  }

  /** Documents in the segment (deleted ones included). */
  get docs(): number {
    return this.docids.length;
  }

  /**
   * Opens `<base>.dense` and `<base>.hnsw` (the eager checks of the module comment), then maps
   * the graph through usearch.
   *
   * @example
   * ```ts
   * const seg = await DenseSegment.open(base, { dim: 384, dtype: 'f16', connectivity: 16, expansionAdd: 128, expansionSearch: 128 });
   * ```
   */
  static async open(base: string, cfg: DenseSegmentConfig, opts: MapOptions = {}): Promise<DenseSegment> {
    const file = await SegmentFile.open(`${base}.dense`, KIND, VERSION, opts);
    let hnsw: MappedFile | null = null;
    try {
      const bad = (where: string, msg: string): never => {
        throw new StorageError('CORRUPT_FILE', `${where}: ${msg}; restore it from a backup or rebuild the index`, { file: where });
      };
      const mb = file.mapping.bytes(file.section('meta').offset, file.section('meta').length, "section 'meta'");
      if (mb.length !== META_BYTES) bad(file.file, `section 'meta' is ${mb.length} bytes, expected ${META_BYTES}`);
      const dv = new DataView(mb.buffer, mb.byteOffset, META_BYTES);
      const docs = dv.getUint32(0, true);
      const dim = dv.getUint32(4, true);
      const dtype = dv.getUint32(8, true);
      const conn = dv.getUint32(12, true);
      const crc = dv.getUint32(16, true);
      const length = Number(dv.getBigUint64(24, true));
      if (dim !== cfg.dim || dtype !== DTYPE_CODE[cfg.dtype] || conn !== cfg.connectivity) {
        bad(file.file, `holds ${dim}-d ${['f32', 'f16'][dtype] ?? `dtype ${dtype}`} vectors with connectivity ${conn}, the channel is ${cfg.dim}-d ${cfg.dtype} with connectivity ${cfg.connectivity}`);
      }
      if (dv.getUint32(20, true) !== 0) bad(file.file, "section 'meta' has a non-zero reserved field");
      const docids = file.view('docids', Uint32Array, docs);
      for (let i = 1; i < docs; i++) if (docids[i]! <= docids[i - 1]!) bad(file.file, `section 'docids' is not strictly ascending at ordinal ${i}`);
      const path = `${base}.hnsw`;
      hnsw = await mapListedFile(path, opts);
      if (hnsw.byteLength !== length) bad(path, `${hnsw.byteLength} bytes, ${file.file} says ${length}`);
      return new DenseSegment(file, hnsw, cfg, docids, crc);
    } catch (e) {
      file.close();
      hnsw?.close();
      throw e;
    }
  }

  /**
   * The structural checks of the .hnsw against `docids` and the channel (once): the slot maps
   * and the node table, or CORRUPT_FILE naming the file.
   */
  #structure(): Shape {
    if (this.#shape !== null) return this.#shape;
    const n = this.docs;
    const path = this.hnsw.file;
    const slotIds = new Uint32Array(n);
    const layout: GraphLayout = { offsets: new Float64Array(n), entry: 0, maxLevel: 0 };
    const problem = validateGraphBytes(this.hnsw.bytes(0, this.hnsw.byteLength, 'HNSW file'), { dimensions: this.cfg.dim, dtype: this.cfg.dtype, connectivity: this.cfg.connectivity, ids: this.docids }, { vectors: false, slotKeys: slotIds, layout });
    this.hnsw.check();
    if (problem !== null) throw new StorageError('CORRUPT_FILE', `${path}: not the HNSW graph of this segment (${problem}); restore it from a backup or rebuild the index`, { file: path });
    const slotOrd = new Uint32Array(n);
    const ordSlot = new Uint32Array(n);
    for (let s = 0; s < n; s++) {
      const o = indexOfSorted(this.docids, slotIds[s]!);
      slotOrd[s] = o;
      ordSlot[o] = s;
    }
    this.#shape = { slotIds, slotOrd, ordSlot, layout };
    return this.#shape;
  }

  /** First touch: the structural checks, then the .hnsw checksum and finite vector values (once). */
  #touch(): void {
    if (this.#touched) return;
    this.#structure();
    const bytes = this.hnsw.bytes(0, this.hnsw.byteLength, 'HNSW file');
    const got = crc32(bytes);
    this.hnsw.check();
    if (got !== this.#crc) throw new StorageError('CHECKSUM_MISMATCH', `${this.hnsw.file} fails its CRC-32 check (damaged on disk); restore it from a backup or rebuild the index`, { file: this.hnsw.file });
    const problem = checkGraphVectors(bytes, this.docs, this.cfg.dim, this.cfg.dtype);
    if (problem !== null) throw new StorageError('CORRUPT_FILE', `${this.hnsw.file}: ${problem}; restore it from a backup or rebuild the index`, { file: this.hnsw.file });
    this.hnsw.advise(0, this.hnsw.byteLength, 'dontneed');
    this.#touched = true;
  }

  #vectors(): Float32Array | Uint16Array {
    const n = this.docs * this.cfg.dim;
    return this.cfg.dtype === 'f32' ? this.hnsw.view(Float32Array, 8, n, 'vectors') : this.hnsw.view(Uint16Array, 8, n, 'vectors');
  }

  /** `out[i] = q · vector(slots[i])`, or every slot when `slots` is null (the kernel DenseIndex's rows use). */
  dots(q: Float32Array, slots: Uint32Array | null, out: Float32Array): void {
    this.#touch();
    if (out.length === 0) return;
    const v = this.#vectors();
    if (this.cfg.dtype === 'f32') kernels.dotsF32(q, this.cfg.dim, v as Float32Array, slots, out);
    else kernels.dotsF16(q, this.cfg.dim, v as Uint16Array, slots, out);
    this.hnsw.check();
  }

  /**
   * Up to `wanted` global ids nearest to `q`, in the graph's order, exploring
   * max(`breadth`, `wanted`) nodes per layer (usearch's expansion; default the channel's
   * `expansionSearch`). Another breadth than the channel's searches a second usearch view of
   * the same (validated, immutable) file; if the file is gone already (a reader whose segment
   * a later save collected), the segment's own view answers at its breadth.
   */
  graphSearch(q: Float32Array, wanted: number, breadth = this.cfg.expansionSearch): Uint32Array {
    if (!this.hasGraphView()) return new Uint32Array(0);
    return this.#view(breadth).search(q, wanted);
  }

  /**
   * True when usearch's view of the file is (or can now be) made, after the first-touch checks.
   * False for an empty segment, or when the file is no longer at its path (a later save
   * collected the segment while this reader still holds it: the mapping keeps the bytes, but
   * usearch maps by path); a filtered search then scans the segment exactly.
   */
  hasGraphView(): boolean {
    this.#touch();
    if (this.#graph !== null) return true;
    if (this.docs === 0) return false;
    let g: Graph;
    try {
      g = Graph.view(this.hnsw.file, graphConfig(this.cfg));
    } catch {
      return false;
    }
    if (g.size !== this.docs) return false; // not the file this segment validated
    this.#graph = g;
    return true;
  }

  /**
   * The graph as the multi-graph search reads it (src/dense/hnsw-walk.ts): the mapped file, the
   * node table of the open's checks and the slot keys, after the first-touch checks. `dead`
   * (by slot, non-zero = deleted) is walked through and never returned. Call
   * {@link afterRead} once the search is done.
   */
  graphArgs(breadth = this.cfg.expansionSearch, dead: Uint8Array | null = null): HnswGraphArgs {
    this.#touch();
    const { layout, slotIds } = this.#structure();
    this.#args ??= [this.hnsw.bytes(0, this.hnsw.byteLength, 'HNSW file'), layout.offsets, slotIds, null, layout.entry, layout.maxLevel, this.cfg.connectivity, this.cfg.expansionSearch];
    const a = this.#args;
    if (dead === null && breadth === a[7]) return a;
    return [a[0], a[1], a[2], dead, a[4], a[5], a[6], breadth];
  }

  #deadOf: Deletions | null = null;
  #deadCount = -1;
  #dead: Uint8Array | null = null;

  /**
   * `del` (by ordinal) as a mask by slot for {@link graphArgs}: non-zero = deleted. Kept until
   * the deletions change (they only grow while the segment lives).
   */
  deadSlots(del: Deletions): Uint8Array {
    if (this.#deadOf !== del || this.#deadCount !== del.count || this.#dead === null) {
      const n = this.docs;
      const dead = new Uint8Array(n);
      for (let s = 0; s < n; s++) if (del.has(this.slotOrd[s]!)) dead[s] = 1;
      this.#dead = dead;
      this.#deadOf = del;
      this.#deadCount = del.count;
    }
    return this.#dead;
  }

  /** Raises if the mapping was damaged while a search read it (the file truncated underneath). */
  afterRead(): void {
    this.hnsw.check();
  }

  #view(breadth: number): Graph {
    const graph = this.#graph!;
    if (breadth === this.cfg.expansionSearch) return graph;
    let v = this.#views.get(breadth);
    if (v === undefined) {
      try {
        v = Graph.view(this.hnsw.file, { ...graphConfig(this.cfg), expansionSearch: breadth });
      } catch {
        v = graph;
      }
      if (v !== graph && v.size !== this.docs) v = graph; // not the file this segment validated
      if (this.#views.size >= MAX_VIEWS) this.#views.delete(this.#views.keys().next().value!);
      this.#views.set(breadth, v);
    }
    return v;
  }

  /** The stored vectors of the given ordinals as normalised f32 rows, in that order (a merge's input; f16 decodes exactly). */
  rows(ords: ArrayLike<number>): Float32Array {
    this.#touch();
    const d = this.cfg.dim;
    const out = new Float32Array(ords.length * d);
    const v = this.#vectors();
    const t = this.cfg.dtype === 'f16' ? f16Values() : null;
    for (let i = 0; i < ords.length; i++) {
      const at = this.ordSlot[ords[i]!]! * d;
      if (t === null) out.set((v as Float32Array).subarray(at, at + d), i * d);
      else for (let k = 0; k < d; k++) out[i * d + k] = t[(v as Uint16Array)[at + k]!]!;
    }
    this.hnsw.check();
    return out;
  }

  /**
   * The segment's graph loaded into memory (usearch `load`: a writable copy, for a merge to
   * insert into), after the first-touch checks. Only for a segment without deletions (a
   * segment file never holds usearch tombstones: every node is a live document).
   */
  loadGraph(): Graph {
    this.#touch();
    return Graph.load(this.hnsw.file, graphConfig(this.cfg));
  }

  /** Checks every checksum and vector now. */
  verify(): void {
    this.file.verify();
    this.#touch();
  }

  close(): void {
    this.file.close();
    this.hnsw.close();
    this.#graph = null;
    this.#args = null;
    this.#views.clear();
  }
}
