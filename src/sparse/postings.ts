/**
 * Posting storage: every term's list lives in one shared arena of typed arrays (doc ids u32,
 * weights f32), addressed by per-term slot arrays (start, length, capacity). No per-posting and
 * no per-term objects: a term costs a few typed-array cells plus a Map entry, a posting 8 bytes.
 *
 * Appends: a full list moves to the end of the arena with doubled capacity (amortised O(1)); the
 * hole it leaves is counted as garbage and reclaimed by {@link PostingStore.repack}, which runs
 * by itself when garbage exceeds the live capacity. A list appended out of doc-id order is flagged
 * and sorted lazily before the next traversal.
 *
 * Upper bounds for dynamic pruning:
 * - dot scorer: `maxW[slot]`, the largest weight of the list;
 * - BM25: the skyline (Pareto frontier) of (tf, docLength) over the list — points not dominated by
 *   one with larger-or-equal tf and smaller-or-equal length. BM25's term factor grows with tf and
 *   shrinks with length, so its maximum over the list lies on the skyline for every average
 *   length: the bound stays exact as the collection grows and costs O(|skyline|) per query term.
 *   Lists shorter than {@link SKYLINE_MIN} keep no skyline; their bound is a scan of the list.
 * Tombstoned postings stay inside the bounds until compaction (still valid, just looser).
 */

/** Lists at least this long maintain a skyline. */
export const SKYLINE_MIN = 32;
const INITIAL_CAPACITY = 2;
/** Term ids below this are also found through a dense array (4 bytes per id up to the largest seen). */
const DENSE_TERM_LIMIT = 1 << 22;

/** Postings grouped by term, with each document's length: what {@link PostingStore.appendTermMajor} and `SparseIndex.addPostings` take (src/analyze/term-postings.ts builds them). */
export interface TermMajorPostings {
  readonly terms: Uint32Array;
  readonly termEnds: Uint32Array;
  readonly termMax: Float32Array;
  readonly docs: Uint32Array;
  readonly tfs: Float32Array;
  readonly docLen: Float32Array;
}

/** Internal arena of posting lists; not part of the public API. */
export class PostingStore {
  docs: Uint32Array;
  weights: Float32Array;
  /** arena cells in use (live lists' capacity + garbage) */
  used = 0;
  garbage = 0;
  /** postings stored (sum of lengths) */
  postings = 0;
  start: Uint32Array;
  len: Uint32Array;
  cap: Uint32Array;
  maxW: Float32Array;
  unsorted: Uint8Array;
  termOfSlot: Uint32Array;
  slots = 0;
  readonly slotOf = new Map<number, number>();
  /** term id → slot + 1 for term ids below DENSE_TERM_LIMIT (0 = none): the batch path's look-up, kept beside slotOf */
  #denseSlot = new Int32Array(0);
  readonly skyTf = new Map<number, number[]>();
  readonly skyDl = new Map<number, number[]>();
  /** Slots whose list is long enough for a skyline that has not been built yet (built at first use: {@link skyline}). */
  readonly #skyStale = new Set<number>();

  constructor(
    readonly trackSkyline: boolean,
    arenaCapacity = 1024,
    slotCapacity = 256,
  ) {
    this.docs = new Uint32Array(arenaCapacity);
    this.weights = new Float32Array(arenaCapacity);
    this.start = new Uint32Array(slotCapacity);
    this.len = new Uint32Array(slotCapacity);
    this.cap = new Uint32Array(slotCapacity);
    this.maxW = new Float32Array(slotCapacity);
    this.unsorted = new Uint8Array(slotCapacity);
    this.termOfSlot = new Uint32Array(slotCapacity);
  }

  /** Adopts packed arrays (e.g. views into a loaded file): list t is docs[offsets[t] .. offsets[t+1]). */
  static fromPacked(trackSkyline: boolean, termIds: Uint32Array, offsets: Uint32Array, docs: Uint32Array, weights: Float32Array): PostingStore {
    const n = termIds.length;
    const s = new PostingStore(trackSkyline, 0, Math.max(n, 16));
    s.docs = docs;
    s.weights = weights;
    s.used = docs.length;
    s.postings = docs.length;
    for (let t = 0; t < n; t++) {
      const slot = s.slots++;
      s.slotOf.set(termIds[t]!, slot);
      s.#noteSlot(termIds[t]!, slot);
      s.termOfSlot[slot] = termIds[t]!;
      s.start[slot] = offsets[t]!;
      s.len[slot] = s.cap[slot] = offsets[t + 1]! - offsets[t]!;
      s.rebuildBounds(slot);
    }
    return s;
  }

  /** Appends (doc, w) to the list of `term`, creating it if needed; `docLen[doc]` must be set (BM25). */
  push(term: number, doc: number, w: number, docLen: Float32Array): void {
    const slot = this.#slotFor(term);
    let n = this.len[slot]!;
    if (n === this.cap[slot]!) this.#relocate(slot, n === 0 ? INITIAL_CAPACITY : 2 * n);
    const at = this.start[slot]! + n;
    if (n > 0 && doc < this.docs[at - 1]!) this.unsorted[slot] = 1;
    this.docs[at] = doc;
    this.weights[at] = w;
    this.len[slot] = ++n;
    this.postings++;
    const wf = this.weights[at]!;
    if (wf > this.maxW[slot]!) this.maxW[slot] = wf;
    if (this.trackSkyline && n >= SKYLINE_MIN) this.#extendSkyline(slot, wf, docLen[doc]!);
  }

  /**
   * Appends the postings of many documents (zero weights skipped), as {@link push} one by one
   * would, but each list grows at most once per batch (to its exact need or double its length)
   * and terms are found through a dense array: the bulk-load path. `docLen` must be set for
   * every document of the batch (BM25).
   */
  appendBatch(docIds: ArrayLike<number>, vecs: ReadonlyArray<{ ids: Uint32Array; weights: Float32Array }>, docLen: Float32Array): void {
    let total = 0;
    for (let i = 0; i < vecs.length; i++) total += vecs[i]!.ids.length;
    // pass 1: the slot of every posting (-1: zero weight), new terms get slots
    const slotOfPosting = new Int32Array(total);
    let k = 0;
    for (let i = 0; i < vecs.length; i++) {
      const { ids, weights } = vecs[i]!;
      for (let j = 0; j < ids.length; j++, k++) slotOfPosting[k] = weights[j] === 0 ? -1 : this.#slotFor(ids[j]!);
    }
    // pass 2: grow each list once
    const add = new Uint32Array(this.slots);
    for (let p = 0; p < total; p++) if (slotOfPosting[p]! >= 0) add[slotOfPosting[p]!]!++;
    for (let slot = 0; slot < this.slots; slot++) {
      const a = add[slot]!;
      if (a === 0) continue;
      const n = this.len[slot]!;
      if (n + a > this.cap[slot]!) this.#relocate(slot, Math.max(n + a, 2 * n, INITIAL_CAPACITY));
    }
    // pass 3: fill, in document order
    k = 0;
    for (let i = 0; i < vecs.length; i++) {
      const doc = docIds[i]!;
      const { weights } = vecs[i]!;
      for (let j = 0; j < weights.length; j++, k++) {
        const slot = slotOfPosting[k]!;
        if (slot < 0) continue;
        let n = this.len[slot]!;
        const at = this.start[slot]! + n;
        if (n > 0 && doc < this.docs[at - 1]!) this.unsorted[slot] = 1;
        this.docs[at] = doc;
        this.weights[at] = weights[j]!;
        this.len[slot] = ++n;
        const wf = this.weights[at]!;
        if (wf > this.maxW[slot]!) this.maxW[slot] = wf;
        if (this.trackSkyline && n >= SKYLINE_MIN) this.#extendSkyline(slot, wf, docLen[doc]!);
      }
    }
    let added = 0;
    for (let slot = 0; slot < this.slots; slot++) added += add[slot]!;
    this.postings += added;
  }

  /**
   * Appends postings grouped by term (src/analyze/term-postings.ts), leaving the store exactly
   * as {@link appendBatch} leaves it for the same documents as per-document vectors: `terms`
   * must be in first-appearance order over (document, ascending term id), each term's postings
   * `docs/tfs[termEnds[r-1] … termEnds[r])` in document order with largest tf `termMax[r]`;
   * `ascending`: the batch's doc ids increase (else lists are checked and flagged unsorted).
   * `docLen` must be set for every document of the batch (BM25).
   */
  appendTermMajor(p: TermMajorPostings, ascending: boolean, docLen: Float32Array): void {
    const { terms, termEnds, termMax, docs, tfs } = p;
    const slotOfTerm = new Int32Array(terms.length);
    for (let r = 0; r < terms.length; r++) slotOfTerm[r] = this.#slotFor(terms[r]!);
    // grow each list once, in slot order (as appendBatch does)
    const add = new Uint32Array(this.slots);
    for (let r = 0; r < terms.length; r++) add[slotOfTerm[r]!] = termEnds[r]! - (r === 0 ? 0 : termEnds[r - 1]!);
    for (let slot = 0; slot < this.slots; slot++) {
      const a = add[slot]!;
      if (a === 0) continue;
      const n = this.len[slot]!;
      if (n + a > this.cap[slot]!) this.#relocate(slot, Math.max(n + a, 2 * n, INITIAL_CAPACITY));
    }
    for (let r = 0; r < terms.length; r++) {
      const slot = slotOfTerm[r]!;
      const from = r === 0 ? 0 : termEnds[r - 1]!;
      const to = termEnds[r]!;
      const n0 = this.len[slot]!;
      const at = this.start[slot]! + n0;
      if (n0 > 0 && docs[from]! < this.docs[at - 1]!) this.unsorted[slot] = 1;
      if (!ascending) for (let i = from + 1; i < to; i++) if (docs[i]! < docs[i - 1]!) this.unsorted[slot] = 1;
      if (to - from < 48) {
        // short lists (most terms): a loop costs less than two subarray views
        for (let i = from, j = at; i < to; i++, j++) {
          this.docs[j] = docs[i]!;
          this.weights[j] = tfs[i]!;
        }
      } else {
        this.docs.set(docs.subarray(from, to), at);
        this.weights.set(tfs.subarray(from, to), at);
      }
      const n1 = n0 + (to - from);
      this.len[slot] = n1;
      if (termMax[r]! > this.maxW[slot]!) this.maxW[slot] = termMax[r]!;
      if (this.trackSkyline && n1 >= SKYLINE_MIN) {
        const T = this.skyTf.get(slot);
        if (T === undefined) this.#skyStale.add(slot);
        else {
          const D = this.skyDl.get(slot)!;
          for (let i = from; i < to; i++) addSkyline(T, D, tfs[i]!, docLen[docs[i]!]!);
        }
      }
    }
    this.postings += docs.length;
  }

  #slotFor(term: number): number {
    if (term >= DENSE_TERM_LIMIT) return this.slotOf.get(term) ?? this.#newSlot(term);
    const s = term < this.#denseSlot.length ? this.#denseSlot[term]! - 1 : -1; // every term below the limit is noted
    return s >= 0 ? s : this.#newSlot(term);
  }

  #noteSlot(term: number, slot: number): void {
    if (term >= DENSE_TERM_LIMIT) return;
    if (term >= this.#denseSlot.length) {
      const grown = new Int32Array(Math.min(DENSE_TERM_LIMIT, Math.max(2 * this.#denseSlot.length, term + 1, 1024)));
      grown.set(this.#denseSlot);
      this.#denseSlot = grown;
    }
    this.#denseSlot[term] = slot + 1;
  }

  /** Sorts a list by doc id if an out-of-order append happened. */
  ensureSorted(slot: number): void {
    if (this.unsorted[slot] === 0) return;
    const a = this.start[slot]!;
    const n = this.len[slot]!;
    const docs = this.docs.slice(a, a + n);
    const wts = this.weights.slice(a, a + n);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => docs[x]! - docs[y]!);
    for (let i = 0; i < n; i++) {
      this.docs[a + i] = docs[order[i]!]!;
      this.weights[a + i] = wts[order[i]!]!;
    }
    this.unsorted[slot] = 0;
  }

  /** Index in the arena of the first posting in [from, end) with doc id >= target (galloping). */
  seek(from: number, end: number, target: number): number {
    return gallop(this.docs, from, end, target);
  }

  /**
   * Drops postings of documents whose state is not live (1), removes empty lists, rebuilds bounds
   * and packs the arena tightly. Returns the number of postings removed.
   */
  compact(state: Uint8Array): number {
    const before = this.postings;
    const keep: number[] = [];
    let total = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      this.ensureSorted(slot);
      const a = this.start[slot]!;
      const n = this.len[slot]!;
      let j = a;
      for (let i = a; i < a + n; i++) {
        const d = this.docs[i]!;
        if (state[d] === 1) {
          this.docs[j] = d;
          this.weights[j] = this.weights[i]!;
          j++;
        }
      }
      this.len[slot] = j - a;
      if (j > a) {
        keep.push(slot);
        total += j - a;
      }
    }
    const docs = new Uint32Array(Math.max(total, 16));
    const weights = new Float32Array(docs.length);
    const cap = Math.max(keep.length, 16);
    const start = new Uint32Array(cap);
    const len = new Uint32Array(cap);
    const termOfSlot = new Uint32Array(cap);
    let at = 0;
    keep.forEach((old, slot) => {
      const a = this.start[old]!;
      const n = this.len[old]!;
      docs.set(this.docs.subarray(a, a + n), at);
      weights.set(this.weights.subarray(a, a + n), at);
      start[slot] = at;
      len[slot] = n;
      termOfSlot[slot] = this.termOfSlot[old]!;
      at += n;
    });
    this.docs = docs;
    this.weights = weights;
    this.used = total;
    this.garbage = 0;
    this.postings = total;
    this.start = start;
    this.len = len;
    this.cap = Uint32Array.from(len);
    this.maxW = new Float32Array(cap);
    this.unsorted = new Uint8Array(cap);
    this.termOfSlot = termOfSlot;
    this.slots = keep.length;
    this.slotOf.clear();
    this.#denseSlot.fill(0);
    this.skyTf.clear();
    this.skyDl.clear();
    this.#skyStale.clear();
    for (let slot = 0; slot < this.slots; slot++) {
      this.slotOf.set(termOfSlot[slot]!, slot);
      this.#noteSlot(termOfSlot[slot]!, slot);
      this.rebuildBounds(slot);
    }
    return before - total;
  }

  /** Moves every list next to each other (capacity = length), dropping garbage. */
  repack(): void {
    const total = this.postings;
    const docs = new Uint32Array(Math.max(16, total + (total >>> 2)));
    const weights = new Float32Array(docs.length);
    let at = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      const a = this.start[slot]!;
      const n = this.len[slot]!;
      docs.set(this.docs.subarray(a, a + n), at);
      weights.set(this.weights.subarray(a, a + n), at);
      this.start[slot] = at;
      this.cap[slot] = n;
      at += n;
    }
    this.docs = docs;
    this.weights = weights;
    this.used = at;
    this.garbage = 0;
  }

  /** Typed-array bytes allocated by the store. */
  bytes(): number {
    return this.docs.byteLength + this.weights.byteLength + this.start.byteLength + this.len.byteLength + this.cap.byteLength + this.maxW.byteLength + this.unsorted.byteLength + this.termOfSlot.byteLength;
  }

  rebuildBounds(slot: number): void {
    const a = this.start[slot]!;
    const n = this.len[slot]!;
    let m = 0;
    for (let i = a; i < a + n; i++) if (this.weights[i]! > m) m = this.weights[i]!;
    this.maxW[slot] = m;
    this.skyTf.delete(slot);
    this.skyDl.delete(slot);
    if (this.trackSkyline && n >= SKYLINE_MIN) this.#skyStale.add(slot);
    else this.#skyStale.delete(slot);
  }

  /**
   * The BM25 skyline of a list (null: the list is too short to keep one), built on first use:
   * the Pareto frontier of its (tf, length) points does not depend on the order they are met
   * in, so building it late gives the skyline eager maintenance would have.
   */
  skyline(slot: number, docLen: Float32Array): { T: number[]; D: number[] } | null {
    if (this.#skyStale.has(slot)) {
      this.#skyStale.delete(slot);
      this.#buildSkyline(slot, docLen);
    }
    const T = this.skyTf.get(slot);
    return T === undefined ? null : { T, D: this.skyDl.get(slot)! };
  }

  /** One more posting of a list with a skyline (or due one). */
  #extendSkyline(slot: number, tf: number, dl: number): void {
    const T = this.skyTf.get(slot);
    if (T === undefined) this.#skyStale.add(slot);
    else addSkyline(T, this.skyDl.get(slot)!, tf, dl);
  }

  #buildSkyline(slot: number, docLen: Float32Array): void {
    const T: number[] = [];
    const D: number[] = [];
    const a = this.start[slot]!;
    const n = this.len[slot]!;
    for (let i = a; i < a + n; i++) {
      addSkyline(T, D, this.weights[i]!, docLen[this.docs[i]!]!);
    }
    this.skyTf.set(slot, T);
    this.skyDl.set(slot, D);
  }

  #newSlot(term: number): number {
    const slot = this.slots++;
    if (slot === this.start.length) {
      const c = slot * 2;
      this.start = grow32(this.start, c);
      this.len = grow32(this.len, c);
      this.cap = grow32(this.cap, c);
      this.termOfSlot = grow32(this.termOfSlot, c);
      const mw = new Float32Array(c);
      mw.set(this.maxW);
      this.maxW = mw;
      const us = new Uint8Array(c);
      us.set(this.unsorted);
      this.unsorted = us;
    }
    this.slotOf.set(term, slot);
    this.#noteSlot(term, slot);
    this.termOfSlot[slot] = term;
    this.start[slot] = this.used;
    this.len[slot] = 0;
    this.cap[slot] = 0;
    this.maxW[slot] = 0;
    this.unsorted[slot] = 0;
    return slot;
  }

  #relocate(slot: number, capacity: number): void {
    const a = this.start[slot]!;
    const n = this.len[slot]!;
    const oldCap = this.cap[slot]!;
    // a list at the arena's end grows in place
    const atEnd = a + oldCap === this.used;
    const target = atEnd ? a : this.used;
    const need = target + capacity;
    if (need > this.docs.length) {
      if (this.garbage > this.used - this.garbage) {
        this.repack();
        this.#relocate(slot, capacity);
        return;
      }
      let c = this.docs.length;
      while (c < need) c = Math.max(c * 2, 1024);
      const d = new Uint32Array(c);
      d.set(this.docs.subarray(0, this.used));
      const w = new Float32Array(c);
      w.set(this.weights.subarray(0, this.used));
      this.docs = d;
      this.weights = w;
    }
    if (!atEnd) {
      this.docs.copyWithin(target, a, a + n);
      this.weights.copyWithin(target, a, a + n);
      this.garbage += oldCap;
      this.start[slot] = target;
    }
    this.cap[slot] = capacity;
    this.used = target + capacity;
  }
}

function grow32(a: Uint32Array, c: number): Uint32Array {
  const out = new Uint32Array(c);
  out.set(a);
  return out;
}

/** Inserts (tf, dl) into a skyline sorted by ascending dl with strictly ascending tf. */
function addSkyline(T: number[], D: number[], tf: number, dl: number): void {
  // last point with length <= dl: it has the largest tf among those
  let i = D.length - 1;
  while (i >= 0 && D[i]! > dl) i--;
  if (i >= 0 && T[i]! >= tf) return; // dominated
  const j = i >= 0 && D[i] === dl ? i : i + 1; // same length, smaller tf: replaced
  let k = j;
  while (k < D.length && T[k]! <= tf) k++;
  T.splice(j, k - j, tf);
  D.splice(j, k - j, dl);
}

/**
 * Index of the first entry in `docs[from, end)` that is >= `target` (`end` when none):
 * galloping (exponential) search, then binary search. Shared by the in-memory posting store
 * and the memory-mapped segments.
 *
 * @example
 * ```ts
 * gallop(Uint32Array.of(1, 4, 9, 12), 0, 4, 5); // 2
 * ```
 */
export function gallop(docs: Uint32Array, from: number, end: number, target: number): number {
  if (from >= end || docs[from]! >= target) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < end && docs[hi]! < target) {
    lo = hi;
    step <<= 1;
    hi = lo + step;
  }
  if (hi > end) hi = end;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
}
