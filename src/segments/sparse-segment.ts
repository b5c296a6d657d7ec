/**
 * Sparse channel of a segment: an immutable inverted index in a segment file (kind `sparse`,
 * payload version 1), scored straight from the mapping.
 *
 * Sections (all little-endian, page-aligned by the container):
 * ```
 * meta     u32 docs · u32 terms · u32 postings · u32 scorer (0 dot, 1 bm25) · f64 k1 · f64 b
 * docids   u32[docs]        global ids, strictly ascending (ordinal = index)
 * doclen   f32[docs]        BM25 document length (Σ tf), 0 for dot; finite, ≥ 0
 * termids  u32[terms]       strictly ascending
 * offsets  u32[terms + 1]   0 … postings, strictly ascending (no empty list)
 * maxw     f32[terms]       ≥ every weight of the list (pruning bound)
 * mindl    f32[terms]       ≤ every document length of the list (BM25 pruning bound)
 * postdocs u32[postings]    ordinals, strictly ascending per list, < docs
 * postw    f32[postings]    finite, > 0
 * ```
 * Checked when opened: meta, every section's size, docids, doclen, termids, offsets (O(docs +
 * terms)). Checked on first touch of a posting list (the first search that reads it: its
 * blocks of postdocs / postw, see SegmentFile.ensure, or the whole sections in a file without
 * block checksums), then every posting of the list (ordinal range, order, weight, bounds), so
 * no search ever scores an unchecked posting; postingArrays() and verify() check them all.
 */
import { StorageError } from '../errors.js';
import { bytesOf } from '../store/binary-file.js';
import type { StoreFs } from '../store/fs-seam.js';
import type { MapOptions } from '../store/mmap.js';
import type { SparseVector } from '../sparse/vector.js';
import { SKYLINE_MIN } from '../sparse/postings.js';
import { SegmentFile, writeSegmentFile } from './container.js';
import { indexOfSorted } from './sorted.js';

/** Payload version of sparse segment files. */
export const SPARSE_SEGMENT_VERSION = 1;
const KIND = 'sparse';

/** Scorer settings of a sparse channel. */
export interface SparseChannelConfig {
  scorer: 'dot' | 'bm25';
  k1: number;
  b: number;
}

/** BM25 document length as {@link SparseIndex} computes it (f32 of the f64 sum of weights). */
export function docLength(cfg: SparseChannelConfig, vec: SparseVector): number {
  if (cfg.scorer !== 'bm25') return 0;
  let dl = 0;
  for (let i = 0; i < vec.weights.length; i++) dl += vec.weights[i]!;
  return Math.fround(dl);
}

/**
 * Writes one sparse segment file from documents in ascending id order (vectors already
 * validated). Returns the file's byte length. `lengths` (a merge's) overrides the document
 * lengths computed from the vectors.
 *
 * @example
 * ```ts
 * await writeSparseSegment(path, { scorer: 'bm25', k1: 0.9, b: 0.4 }, ids, vectors);
 * ```
 */
export async function writeSparseSegment(file: string, cfg: SparseChannelConfig, ids: Uint32Array, vecs: readonly SparseVector[], lengths?: Float32Array, fs?: StoreFs): Promise<number> {
  const n = ids.length;
  const doclen = new Float32Array(n);
  const count = new Map<number, number>();
  let postings = 0;
  for (let d = 0; d < n; d++) {
    const v = vecs[d]!;
    doclen[d] = lengths ? lengths[d]! : docLength(cfg, v);
    for (let i = 0; i < v.ids.length; i++) {
      if (v.weights[i] === 0) continue;
      count.set(v.ids[i]!, (count.get(v.ids[i]!) ?? 0) + 1);
      postings++;
    }
  }
  if (postings > 0xffffffff) throw new StorageError('UNSUPPORTED', `${postings} postings in one segment; at most 2^32 - 1`, { file });
  const termids = Uint32Array.from(count.keys()).sort();
  const terms = termids.length;
  const offsets = new Uint32Array(terms + 1);
  const slot = new Map<number, number>();
  for (let t = 0; t < terms; t++) {
    slot.set(termids[t]!, t);
    offsets[t + 1] = offsets[t]! + count.get(termids[t]!)!;
  }
  const fill = offsets.slice(0, terms);
  const postdocs = new Uint32Array(postings);
  const postw = new Float32Array(postings);
  const maxw = new Float32Array(terms);
  const mindl = new Float32Array(terms).fill(Infinity);
  for (let d = 0; d < n; d++) {
    const v = vecs[d]!;
    for (let i = 0; i < v.ids.length; i++) {
      const w = v.weights[i]!;
      if (w === 0) continue;
      const t = slot.get(v.ids[i]!)!;
      const p = fill[t]!++;
      postdocs[p] = d;
      postw[p] = w;
      if (w > maxw[t]!) maxw[t] = w;
      if (doclen[d]! < mindl[t]!) mindl[t] = doclen[d]!;
    }
  }
  const meta = new DataView(new ArrayBuffer(32));
  meta.setUint32(0, n, true);
  meta.setUint32(4, terms, true);
  meta.setUint32(8, postings, true);
  meta.setUint32(12, cfg.scorer === 'bm25' ? 1 : 0, true);
  meta.setFloat64(16, cfg.k1, true);
  meta.setFloat64(24, cfg.b, true);
  return writeSegmentFile(
    file,
    KIND,
    SPARSE_SEGMENT_VERSION,
    [
      { name: 'meta', data: new Uint8Array(meta.buffer) },
      { name: 'docids', data: bytesOf(ids) },
      { name: 'doclen', data: bytesOf(doclen) },
      { name: 'termids', data: bytesOf(termids) },
      { name: 'offsets', data: bytesOf(offsets) },
      { name: 'maxw', data: bytesOf(maxw) },
      { name: 'mindl', data: bytesOf(mindl) },
      { name: 'postdocs', data: bytesOf(postdocs) },
      { name: 'postw', data: bytesOf(postw) },
    ],
    fs,
  );
}

/**
 * A read-only sparse segment over a mapped file. Internal to the segmented store.
 *
 * @example
 * ```ts
 * const seg = await SparseSegment.open(path, cfg);
 * const slot = seg.slotOf(42); // -1 when the term is absent
 * ```
 */
export class SparseSegment {
  readonly file: SegmentFile;
  readonly docs: number;
  readonly terms: number;
  readonly postings: number;
  readonly docids: Uint32Array;
  readonly doclen: Float32Array;
  readonly termids: Uint32Array;
  readonly offsets: Uint32Array;
  readonly maxw: Float32Array;
  readonly mindl: Float32Array;
  /** Σ doclen over all documents (f64, ascending ordinal order). */
  readonly totalLen: number;
  #postdocs: Uint32Array;
  #postw: Float32Array;
  /** 1 = the list of this term slot is checked. */
  #listOk: Uint8Array;
  #allOk = false;
  /** BM25 skylines of the lists searched so far (slot → weights ascending, lengths ascending), see {@link bm25Bound}. */
  #sky = new Map<number, { w: Float32Array; dl: Float32Array }>();

  private constructor(file: SegmentFile, docs: number, terms: number, postings: number) {
    this.file = file;
    this.docs = docs;
    this.terms = terms;
    this.postings = postings;
    this.docids = file.view('docids', Uint32Array, docs);
    this.doclen = file.view('doclen', Float32Array, docs);
    this.termids = file.view('termids', Uint32Array, terms);
    this.offsets = file.view('offsets', Uint32Array, terms + 1);
    this.maxw = file.view('maxw', Float32Array, terms);
    this.mindl = file.view('mindl', Float32Array, terms);
    // sizes only: their bytes are checked on first touch, per list
    this.#postdocs = file.view('postdocs', Uint32Array, postings, false);
    this.#postw = file.view('postw', Float32Array, postings, false);
    this.#listOk = new Uint8Array(terms);
    let total = 0;
    for (let d = 0; d < docs; d++) {
      if (d > 0 && this.docids[d]! <= this.docids[d - 1]!) this.#bad('docids', `ids not strictly ascending at ordinal ${d}`);
      const l = this.doclen[d]!;
      if (!Number.isFinite(l) || l < 0) this.#bad('doclen', `length ${l} at ordinal ${d}`);
      total += l;
    }
    this.totalLen = total;
    if (this.offsets[0] !== 0 || this.offsets[terms] !== postings) this.#bad('offsets', 'offsets do not span the postings');
    for (let t = 0; t < terms; t++) {
      if (t > 0 && this.termids[t]! <= this.termids[t - 1]!) this.#bad('termids', `term ids not strictly ascending at ${t}`);
      if (this.offsets[t + 1]! <= this.offsets[t]!) this.#bad('offsets', `empty or reversed list for term ${this.termids[t]}`);
      const mw = this.maxw[t]!;
      const md = this.mindl[t]!;
      if (!(mw > 0) || !Number.isFinite(mw)) this.#bad('maxw', `bound ${mw} of term ${this.termids[t]}`);
      if (!(md >= 0) || !Number.isFinite(md)) this.#bad('mindl', `bound ${md} of term ${this.termids[t]}`);
    }
  }

  /**
   * Opens a sparse segment file written with the same scorer settings (CORRUPT_FILE when the
   * settings differ or a check fails).
   *
   * @example
   * ```ts
   * const seg = await SparseSegment.open('/idx/seg-000001.sparse', { scorer: 'bm25', k1: 0.9, b: 0.4 });
   * ```
   */
  static async open(path: string, cfg: SparseChannelConfig, opts: MapOptions = {}): Promise<SparseSegment> {
    const file = await SegmentFile.open(path, KIND, SPARSE_SEGMENT_VERSION, opts);
    try {
      const m = file.view('meta', Uint8Array, 32);
      const dv = new DataView(m.buffer, m.byteOffset, 32);
      const scorer = dv.getUint32(12, true) === 1 ? 'bm25' : dv.getUint32(12, true) === 0 ? 'dot' : null;
      if (scorer !== cfg.scorer || dv.getFloat64(16, true) !== cfg.k1 || dv.getFloat64(24, true) !== cfg.b) {
        throw new StorageError('CORRUPT_FILE', `${path}: section 'meta' holds scorer settings that differ from the index's (${cfg.scorer}, k1 ${cfg.k1}, b ${cfg.b}); restore it from a backup or rebuild the index`, { file: path });
      }
      return new SparseSegment(file, dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true));
    } catch (e) {
      file.close();
      throw e;
    }
  }

  #bad(section: string, msg: string): never {
    throw new StorageError('CORRUPT_FILE', `${this.file.file}: section '${section}' is corrupt: ${msg}; restore it from a backup or rebuild the index`, { file: this.file.file });
  }

  /** Slot of a term (binary search over the mapped term ids), -1 when absent. */
  slotOf(termId: number): number {
    return indexOfSorted(this.termids, termId);
  }

  /** Ordinal of a global id (binary search), -1 when absent. */
  ordinalOf(id: number): number {
    return indexOfSorted(this.docids, id);
  }

  /** Checks every posting of list t (ordinal in range and ascending, weight finite, > 0 and ≤ maxw, doclen ≥ mindl). */
  #checkList(t: number): void {
    const docs = this.#postdocs;
    const weights = this.#postw;
    const n = this.docs;
    const a = this.offsets[t]!;
    const e = this.offsets[t + 1]!;
    const mw = this.maxw[t]!;
    const md = this.mindl[t]!;
    for (let p = a; p < e; p++) {
      const d = docs[p]!;
      if (d >= n || (p > a && d <= docs[p - 1]!)) this.#bad('postdocs', `posting ${p} of term ${this.termids[t]} names ordinal ${d} (out of range or not ascending)`);
      const w = weights[p]!;
      if (!(w > 0) || !(w <= mw)) this.#bad('postw', `weight ${w} in the list of term ${this.termids[t]} (bound ${mw})`);
      if (!(this.doclen[d]! >= md)) this.#bad('mindl', `bound ${md} of term ${this.termids[t]} exceeds a document's length`);
    }
    this.#listOk[t] = 1;
  }

  /**
   * Checks the posting list of term slot `t` on its first touch: the checksum blocks its
   * postings lie in (SegmentFile.ensure; the whole sections in a file without block
   * checksums), then every posting. A bitmap test once checked. Call before reading the list
   * through {@link postingViews}.
   */
  ensureList(t: number): void {
    if (this.#listOk[t] === 1) return;
    const a = 4 * this.offsets[t]!;
    const e = 4 * this.offsets[t + 1]!;
    this.file.ensure('postdocs', a, e);
    this.file.ensure('postw', a, e);
    this.#checkList(t);
    this.file.mapping.check();
  }

  /**
   * The mapped posting arrays, not checked: read only lists passed to {@link ensureList}
   * first (or use {@link postingArrays}).
   */
  postingViews(): { docs: Uint32Array; weights: Float32Array } {
    this.file.mapping.touch(); // every search of this segment: a file found cold is offered for promotion again
    return { docs: this.#postdocs, weights: this.#postw };
  }

  /**
   * The posting arrays with every list checked (the whole sections' checksums, then every
   * posting): for readers of all the postings (merges, the forward index, verify()).
   */
  postingArrays(): { docs: Uint32Array; weights: Float32Array } {
    if (!this.#allOk) {
      this.file.section('postdocs');
      this.file.section('postw');
      for (let t = 0; t < this.terms; t++) if (this.#listOk[t] !== 1) this.#checkList(t);
      this.file.mapping.check();
      this.#allOk = true;
    }
    return { docs: this.#postdocs, weights: this.#postw };
  }

  /**
   * The largest BM25 term factor `qf·w / (w + lenConst + lenSlope·dl)` over the list at `slot`
   * (deleted documents included: still a valid bound), as exact as the in-memory index's
   * bound: the maximum lies on the list's skyline (the Pareto frontier of (weight, length):
   * the factor grows with the weight and shrinks with the length, whatever the average length
   * is), built on the first search of the term in this segment and kept while the segment is
   * open (lists shorter than {@link SKYLINE_MIN} are scanned instead). For qf > 0 the maximum
   * at qf = 1 is kept per list and scaled (at most 1e-15 relative above the direct value). Never
   * below any posting's contribution; the stored `maxw`/`mindl` pair gives a looser one.
   */
  bm25Bound(slot: number, qf: number, lenConst: number, lenSlope: number): number {
    if (!(qf > 0)) return this.#bm25Max(slot, qf, lenConst, lenSlope);
    // qf > 0 factors out: the list's max of w / (w + lenConst + lenSlope·dl) is kept per slot
    // while the length terms stay (they change with the live statistics), and scaled up by
    // more than the two roundings that factoring moves
    let u = this.#unit.get(slot);
    if (u === undefined || u.lenConst !== lenConst || u.lenSlope !== lenSlope) {
      u = { lenConst, lenSlope, max: this.#bm25Max(slot, 1, lenConst, lenSlope) };
      this.#unit.set(slot, u);
    }
    return qf * u.max * (1 + 1e-15);
  }

  /** Per slot: the bound of qf = 1 under the length terms it was computed for. */
  #unit = new Map<number, { lenConst: number; lenSlope: number; max: number }>();

  #bm25Max(slot: number, qf: number, lenConst: number, lenSlope: number): number {
    const a = this.offsets[slot]!;
    const e = this.offsets[slot + 1]!;
    let best = 0;
    if (e - a < SKYLINE_MIN) {
      this.ensureList(slot); // first touch: this list's blocks only
      const { docs, weights } = this.postingViews();
      for (let p = a; p < e; p++) {
        const w = weights[p]!;
        const c = (qf * w) / (w + lenConst + lenSlope * this.doclen[docs[p]!]!);
        if (c > best) best = c;
      }
      return best;
    }
    let sky = this.#sky.get(slot);
    if (sky === undefined) {
      this.ensureList(slot);
      sky = this.#skyline(a, e);
      this.#sky.set(slot, sky);
    }
    for (let i = 0; i < sky.w.length; i++) {
      const w = sky.w[i]!;
      const c = (qf * w) / (w + lenConst + lenSlope * sky.dl[i]!);
      if (c > best) best = c;
    }
    return best;
  }

  /** Pareto frontier of (weight, length) over postings [a, e) of a checked list: by ascending length, strictly ascending weight. */
  #skyline(a: number, e: number): { w: Float32Array; dl: Float32Array } {
    const { docs, weights } = this.postingViews();
    const order = Array.from({ length: e - a }, (_, i) => a + i).sort((x, y) => this.doclen[docs[x]!]! - this.doclen[docs[y]!]! || weights[y]! - weights[x]!);
    const w: number[] = [];
    const dl: number[] = [];
    for (const p of order) {
      const pw = weights[p]!;
      if (w.length > 0 && w[w.length - 1]! >= pw) continue; // a shorter (or as long) document weighs as much
      w.push(pw);
      dl.push(this.doclen[docs[p]!]!);
    }
    this.file.mapping.check();
    return { w: Float32Array.from(w), dl: Float32Array.from(dl) };
  }

  /** Checks every section's checksum and every posting. */
  verify(): void {
    this.file.verify();
    this.postingArrays();
  }

  close(): void {
    this.file.close();
    this.#sky.clear();
  }
}
