/**
 * HNSW search over the usearch files of several dense segments with one shared top-k: the TS
 * twin of the addon's `hnswSearch` (native/hnsw.cc, which documents the algorithm), and
 * {@link searchGraphs}, which runs the native one when the native kernels are active.
 *
 * Per graph, as usearch's own search: a greedy descent from the entry node through the upper
 * levels, then a beam search on level 0 keeping the best max(ef, k) nodes, ef given per graph.
 * The graphs share one top-k. Scores are the dense kernels' dots over the stored vectors (the
 * same bits as DenseSegment.dots), so no rescoring is needed, and one call searches every
 * graph (usearch's binding costs ~15 µs per call and returns BigInt keys).
 *
 * Ties: every order is by (score desc, id asc) over distinct nodes, so the twin and the addon
 * expand the same nodes in the same order and return the same hits (test/parity/hnsw-walk.test.ts).
 */
import { invalid, StorageError } from '../errors.js';
import type { HnswGraphArgs } from '../kernels/native.js';
import { kernels, nativeHnsw } from '../kernels/index.js';

export type { HnswGraphArgs } from '../kernels/native.js';

/** A usearch file's node table as {@link searchGraphs} reads it (filled by validateGraphBytes). */
export interface GraphLayout {
  /** Byte offset of each slot's node in the file. */
  offsets: Float64Array;
  /** Slot of the entry node (on the top level). */
  entry: number;
  /** Top level of the graph. */
  maxLevel: number;
}

/** Hits of {@link searchGraphs}, best first (ties by lower id). */
export interface GraphHits {
  ids: Uint32Array;
  scores: Float32Array;
}

/** Binary heap over (score, id) pairs; `worstFirst` keeps the worst on top, else the best. */
class Heap {
  s: number[] = [];
  id: number[] = [];
  constructor(private readonly worstFirst: boolean) {}
  get size(): number {
    return this.s.length;
  }
  /** true when a should sit above b */
  #above(a: number, b: number): boolean {
    const { s, id } = this;
    const aBetter = s[a]! > s[b]! || (s[a] === s[b] && id[a]! < id[b]!);
    return this.worstFirst ? !aBetter && a !== b : aBetter;
  }
  #swap(a: number, b: number): void {
    const { s, id } = this;
    const ts = s[a]!;
    s[a] = s[b]!;
    s[b] = ts;
    const ti = id[a]!;
    id[a] = id[b]!;
    id[b] = ti;
  }
  push(score: number, ident: number): void {
    this.s.push(score);
    this.id.push(ident);
    for (let i = this.s.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.#above(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }
  pop(): void {
    const last = this.s.length - 1;
    this.#swap(0, last);
    this.s.pop();
    this.id.pop();
    const n = this.s.length;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.#above(l + 1, l) ? l + 1 : l;
      if (!this.#above(c, i)) break;
      this.#swap(c, i);
      i = c;
    }
  }
  clear(): void {
    this.s.length = 0;
    this.id.length = 0;
  }
}

/** The dots a walk scores with: out[i] = q · vector(slots[i]) of the graph's file. */
export type GraphDots = (vectors: Float32Array | Uint16Array, slots: Uint32Array, out: Float32Array) => void;

const corrupt = (g: number): never => {
  throw new RangeError(`graph ${g}`);
};

/**
 * The TS twin of the addon's hnswSearch: same arguments (hits into outIds / outScores, the
 * count returned; -1 - g for a graph whose bytes disagree with its description).
 *
 * @example
 * ```ts
 * const n = hnswWalk(q, 384, true, [[file, layout.offsets, keys, null, layout.entry, layout.maxLevel, 16, 64]], 10, ids, scores, dots);
 * ```
 */
export function hnswWalk(query: Float32Array, dim: number, f16: boolean, graphs: readonly HnswGraphArgs[], k: number, outIds: Uint32Array, outScores: Float32Array, dots: GraphDots): number {
  if (query.length !== dim || dim < 1) invalid('INVALID_ARGUMENT', `hnswSearch: dim must be the query's length (≥ 1), got ${dim} for ${query.length} values`);
  const width = f16 ? 2 : 4;
  const best = new Heap(true);
  const next = new Heap(false);
  const top = new Heap(true);
  const offer = (s: number, id: number): void => {
    if (best.size < k) best.push(s, id);
    else if (s > best.s[0]! || (s === best.s[0] && id < best.id[0]!)) {
      best.pop();
      best.push(s, id);
    }
  };
  for (let gi = 0; gi < graphs.length; gi++) {
    try {
      const [file, offsets, keys, dead, entry, maxLevel, conn, ef] = graphs[gi]!;
      const limit = Math.max(ef, k);
      const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
      const n = keys.length;
      if (file.length < 8) corrupt(gi);
      const rows = dv.getUint32(0, true);
      const head = 8 + rows * dim * width + 64; // the graph header follows usearch's 64-byte head
      if (rows !== n || offsets.length !== n || (dead !== null && dead.length !== n) || dv.getUint32(4, true) !== dim * width || head + 40 > file.length || (rows > 0 && entry >= rows)) corrupt(gi);
      if (dv.getBigUint64(head, true) !== BigInt(rows) || dv.getBigUint64(head + 8, true) !== BigInt(conn) || dv.getBigUint64(head + 16, true) !== BigInt(2 * conn)) corrupt(gi);
      if (n === 0) continue;
      const start = file.byteOffset + 8;
      const buf = start % width === 0 ? file.buffer : file.slice(8, 8 + n * dim * width).buffer;
      const at = start % width === 0 ? start : 0;
      const vectors = f16 ? new Uint16Array(buf, at, n * dim) : new Float32Array(buf, at, n * dim);
      const links = (slot: number, level: number): Uint32Array => {
        const off = offsets[slot]!;
        if (!(off >= 0) || off + 10 > file.length) corrupt(gi);
        const lv = dv.getInt16(off + 8, true);
        if (lv < 0 || lv < level) corrupt(gi);
        const at = off + 10 + (level === 0 ? 0 : 4 + 8 * conn + (level - 1) * (4 + 4 * conn));
        const cap = level === 0 ? 2 * conn : conn;
        if (at + 4 + 4 * cap > file.length) corrupt(gi);
        const count = dv.getUint32(at, true);
        if (count > cap) corrupt(gi);
        const out = new Uint32Array(count);
        for (let i = 0; i < count; i++) {
          out[i] = dv.getUint32(at + 4 + 4 * i, true);
          if (out[i]! >= n) corrupt(gi);
        }
        return out;
      };
      const one = new Float32Array(1);
      dots(vectors, Uint32Array.of(entry), one);
      let cur = entry;
      let curS = one[0]!;
      for (let level = maxLevel; level >= 1; level--) {
        for (let changed = true; changed; ) {
          changed = false;
          const ids = links(cur, level);
          const sc = new Float32Array(ids.length);
          if (ids.length > 0) dots(vectors, ids, sc);
          for (let i = 0; i < ids.length; i++) {
            if (sc[i]! > curS) {
              curS = sc[i]!;
              cur = ids[i]!;
              changed = true;
            }
          }
        }
      }
      const seen = new Uint8Array(n);
      next.clear();
      top.clear();
      next.push(curS, cur);
      top.push(curS, cur);
      seen[cur] = 1;
      let radius = curS;
      while (next.size > 0) {
        const cs = next.s[0]!;
        const c = next.id[0]!;
        if (cs < radius && top.size >= limit) break;
        next.pop();
        const fresh = links(c, 0).filter((s) => seen[s] === 0);
        if (fresh.length === 0) continue;
        for (const s of fresh) seen[s] = 1;
        const sc = new Float32Array(fresh.length);
        dots(vectors, fresh, sc);
        for (let i = 0; i < fresh.length; i++) {
          const s = sc[i]!;
          if (top.size >= limit && !(s > radius)) continue;
          next.push(s, fresh[i]!);
          top.push(s, fresh[i]!);
          if (top.size > limit) top.pop();
          radius = top.s[0]!;
        }
      }
      for (let i = 0; i < top.size; i++) {
        const slot = top.id[i]!;
        if (dead === null || dead[slot] === 0) offer(top.s[i]!, keys[slot]!);
      }
    } catch (e) {
      if (e instanceof RangeError) return -1 - gi;
      throw e;
    }
  }
  const order = best.s.map((_, i) => i).sort((a, b) => best.s[b]! - best.s[a]! || best.id[a]! - best.id[b]!);
  for (let i = 0; i < order.length; i++) {
    outIds[i] = best.id[order[i]!]!;
    outScores[i] = best.s[order[i]!]!;
  }
  return order.length;
}

/** One graph for {@link searchGraphs}: its arguments and the file to name in an error. */
export interface GraphTarget {
  args: HnswGraphArgs;
  file: string;
}

/**
 * Top-k over the given graphs (see the module comment), by the addon when the native kernels
 * are active, else by {@link hnswWalk} over the active (TS) kernels. A graph whose bytes
 * disagree with its description is a CORRUPT_FILE StorageError naming its file.
 *
 * @example
 * ```ts
 * const hits = searchGraphs(q, 384, true, targets, 10);
 * ```
 */
export function searchGraphs(query: Float32Array, dim: number, f16: boolean, targets: readonly GraphTarget[], k: number): GraphHits {
  const ids = new Uint32Array(k);
  const scores = new Float32Array(k);
  const args = targets.map((t) => t.args);
  const native = nativeHnsw();
  const got = native !== null ? native.hnswSearch(query, dim, f16, args, k, ids, scores) : hnswWalk(query, dim, f16, args, k, ids, scores, activeDots(query, dim, f16));
  if (got < 0) {
    const file = targets[-1 - got]!.file;
    throw new StorageError('CORRUPT_FILE', `${file}: the HNSW graph disagrees with its node table; restore it from a backup or rebuild the index`, { file });
  }
  return { ids: ids.subarray(0, got), scores: scores.subarray(0, got) };
}

/**
 * The active kernels' dots as a {@link GraphDots} for `query`.
 *
 * @example
 * ```ts
 * const dots = activeDots(q, 384, true);
 * ```
 */
export function activeDots(query: Float32Array, dim: number, f16: boolean): GraphDots {
  return f16 ? (v, slots, out) => kernels.dotsF16(query, dim, v as Uint16Array, slots, out) : (v, slots, out) => kernels.dotsF32(query, dim, v as Float32Array, slots, out);
}
