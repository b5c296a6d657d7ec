/**
 * The sparse inverted index: token id → posting list of (internal doc id, weight) in typed
 * arrays. Two scorers (M3 lexical dot product, BM25), exact top-k by MaxScore with an exhaustive
 * oracle beside it, tombstone deletes with compaction, and a versioned binary file format.
 */
import { invalid, InvalidArgumentError } from '../errors.js';
import { checkOptions, type OptionKeys } from '../options.js';
import { PostingStore, type TermMajorPostings } from './postings.js';
import { searchExhaustive, searchMaxScore } from './maxscore.js';
import { bm25Idf, contribution, upperBound as upperBoundOf, type PreparedQuery, type ScoreContext } from './scoring.js';
import { validateSparseVector, type SparseVector } from './vector.js';
import { readSparseFile, SPARSE_FILE, writeSparseFile } from './format.js';
import { BM25_DEFAULTS, type QueryModifier, type SparseHits, type SparseIndexOptions, type SparseMatch, type SparseSearchOptions, type SparseStats } from './types.js';

export type { QueryModifier, SparseHits, SparseIndexOptions, SparseMatch, SparseSearchOptions, SparseStats } from './types.js';

const MAX_DOC_ID = 0xfffffffe;

/**
 * The statistics of a collection a SparseIndex is one part of (internal: a segmented channel's
 * tail): live documents, their summed length and each term's live document frequency, all over
 * the whole collection (this index included).
 */
export interface SparseCollectionStats {
  docs: number;
  len: number;
  df: (termId: number) => number;
}

/**
 * Inverted index over caller-assigned dense internal ids (u32).
 *
 * @example
 * ```ts
 * const index = SparseIndex.create({ scorer: 'dot' });
 * index.add(0, { ids: Uint32Array.of(5, 9), weights: Float32Array.of(0.2, 0.7) });
 * index.add(1, { ids: Uint32Array.of(9), weights: Float32Array.of(0.1) });
 * const { ids, scores } = index.search({ ids: Uint32Array.of(9), weights: Float32Array.of(1) }, 10);
 * // ids [0, 1], scores [0.7, 0.1]
 * ```
 */
export class SparseIndex {
  readonly scorer: 'dot' | 'bm25';
  readonly k1: number;
  readonly b: number;
  #store: PostingStore;
  #state: Uint8Array = new Uint8Array(16);
  #docLen: Float32Array = new Float32Array(16);
  /** documents counted by BM25 statistics (live + tombstoned) */
  #docCount = 0;
  #live = 0;
  #totalLen = 0;
  /** Σ document length over the live documents (BM25's avgdl numerator) */
  #liveLen = 0;
  #modifier: QueryModifier = 'none';
  /** live document frequency per slot, valid until the next add/delete/compact (only filled while tombstones exist) */
  #liveDf = new Map<number, number>();

  private constructor(scorer: 'dot' | 'bm25', k1: number, b: number) {
    this.scorer = scorer;
    this.k1 = k1;
    this.b = b;
    this.#store = new PostingStore(scorer === 'bm25');
  }

  /**
   * Creates an empty index.
   *
   * @example
   * ```ts
   * const bm25 = SparseIndex.create({ scorer: 'bm25' }); // k1 1.2, b 0.75 (BM25_DEFAULTS)
   * ```
   */
  static create(opts: SparseIndexOptions = {}): SparseIndex {
    checkOptions('SparseIndex.create() options', opts, { scorer: true, k1: true, b: true } satisfies OptionKeys<SparseIndexOptions>);
    const scorer = opts.scorer ?? 'dot';
    if (scorer !== 'dot' && scorer !== 'bm25') invalid('INVALID_ARGUMENT', `scorer must be 'dot' or 'bm25', got ${String(scorer)}`);
    const k1 = opts.k1 ?? BM25_DEFAULTS.k1;
    const b = opts.b ?? BM25_DEFAULTS.b;
    if (!Number.isFinite(k1) || k1 < 0) invalid('INVALID_ARGUMENT', `k1 must be a finite number >= 0, got ${k1}`);
    if (!Number.isFinite(b) || b < 0 || b > 1) invalid('INVALID_ARGUMENT', `b must be in [0, 1], got ${b}`);
    return new SparseIndex(scorer, k1, b);
  }

  /** Number of live documents. */
  get size(): number {
    return this.#live;
  }

  /** The query-time weight modifier in force (`none` unless {@link setQueryModifier} changed it). */
  get queryModifier(): QueryModifier {
    return this.#modifier;
  }

  /**
   * Sets how query weights are modified at search time (every path: search, the exhaustive
   * oracle, score, matches). `idf` is Qdrant's `modifier: idf` for the `dot` scorer: each query
   * weight q_t becomes q_t · ln(1 + (N − n_t + 0.5) / (n_t + 0.5)) with N the live documents and
   * n_t the live documents containing t ({@link docFreq}), computed at each search, so adds and
   * deletes move it at once (no compaction needed). Used for BM42 and other models whose
   * vectors carry no IDF. Not persisted: the owner (HybridIndex) sets it from its encoder.
   * `bm25` already has an IDF and rejects `idf` with `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const index = SparseIndex.create({ scorer: 'dot' });
   * index.setQueryModifier('idf');
   * index.search({ ids: Uint32Array.of(9), weights: Float32Array.of(1) }, 10); // Σ idf_t · w_t
   * ```
   */
  setQueryModifier(modifier: QueryModifier): void {
    if (modifier !== 'none' && modifier !== 'idf') invalid('INVALID_ARGUMENT', `query modifier must be 'none' or 'idf', got ${JSON.stringify(modifier)}`);
    if (modifier === 'idf' && this.scorer !== 'dot') invalid('INVALID_ARGUMENT', "the 'idf' query modifier is for the 'dot' scorer; BM25 already weighs terms by IDF");
    this.#modifier = modifier;
  }

  /**
   * Document frequency of a term over the live documents: how many live documents have a
   * non-zero weight for `termId` (0 for an unknown term). Deleted documents stop counting at
   * once, before any compaction.
   *
   * @example
   * ```ts
   * index.add(0, { ids: Uint32Array.of(9), weights: Float32Array.of(0.7) });
   * index.docFreq(9); // 1
   * index.delete(0);
   * index.docFreq(9); // 0
   * ```
   */
  docFreq(termId: number): number {
    if (!Number.isInteger(termId) || termId < 0 || termId > 0xffffffff) invalid('INVALID_ARGUMENT', `term id must be an integer in [0, 2^32), got ${termId}`);
    const slot = this.#store.slotOf.get(termId);
    return slot === undefined ? 0 : this.#liveDocFreq(slot);
  }

  #liveDocFreq(slot: number): number {
    const store = this.#store;
    if (this.#docCount === this.#live) return store.len[slot]!; // no tombstones: every posting is live
    let n = this.#liveDf.get(slot);
    if (n === undefined) {
      n = 0;
      const a = store.start[slot]!;
      const e = a + store.len[slot]!;
      const state = this.#state;
      for (let p = a; p < e; p++) if (state[store.docs[p]!] === 1) n++;
      this.#liveDf.set(slot, n);
    }
    return n;
  }

  /**
   * True when `docId` is a live document.
   *
   * @example
   * ```ts
   * index.has(0); // true after index.add(0, v)
   * ```
   */
  has(docId: number): boolean {
    return Number.isInteger(docId) && docId >= 0 && docId < this.#state.length && this.#state[docId] === 1;
  }

  /**
   * Adds one document. Zero weights are not stored. Re-using the id of a deleted document
   * compacts the index first. Throws `DUPLICATE_ID` for a live id, `INVALID_VECTOR` for a bad
   * vector, `INVALID_ARGUMENT` for a bad id; a rejected call changes nothing.
   *
   * @example
   * ```ts
   * index.add(7, { ids: Uint32Array.of(1, 4), weights: Float32Array.of(2, 1) });
   * ```
   */
  add(docId: number, vec: SparseVector): void {
    this.#checkNewId(docId);
    validateSparseVector(vec, `vector of doc ${docId}`);
    this.#insert(docId, vec);
  }

  /**
   * Adds many documents atomically: everything is validated before anything is stored.
   * `validated: true` skips the per-vector check for vectors their producer guarantees well
   * formed (trident's BM25 channel counts them itself); ids are always checked.
   *
   * @example
   * ```ts
   * index.addBatch([0, 1], [v0, v1]);
   * ```
   */
  addBatch(docIds: Uint32Array | number[], vecs: SparseVector[], opts: { validated?: boolean } = {}): void {
    if (docIds === null || typeof docIds !== 'object' || typeof docIds.length !== 'number' || !Array.isArray(vecs)) {
      invalid('INVALID_ARGUMENT', 'addBatch expects an array of doc ids and an array of sparse vectors');
    }
    if (docIds.length !== vecs.length) {
      invalid('INVALID_ARGUMENT', `addBatch got ${docIds.length} doc ids but ${vecs.length} vectors; pass one vector per id`);
    }
    const seen = new Set<number>();
    for (let i = 0; i < docIds.length; i++) {
      const id = docIds[i]!;
      this.#checkNewId(id);
      if (seen.has(id)) invalid('DUPLICATE_ID', `doc id ${id} appears twice in the batch; internal ids must be unique`);
      seen.add(id);
      if (opts.validated !== true) validateSparseVector(vecs[i]!, `vector of doc ${id}`);
    }
    const store = this.#store;
    const before = store.postings;
    this.#insertBatch(docIds, vecs);
    // after a bulk load (a batch of at least a quarter of the postings, so the O(postings) copy
    // stays amortised), give back relocation holes and doubling slack when they exceed the postings
    const added = store.postings - before;
    if (4 * added >= store.postings && store.docs.length > 2 * store.postings + 1024) store.repack();
  }

  /**
   * Adds many documents given as term-major postings (src/analyze/term-postings.ts, the BM25
   * build's bulk path): the index ends exactly as {@link addBatch} leaves it for the same
   * documents as per-document term-frequency vectors. `docIds[s]` is the id of the document
   * whose length is `p.docLen[s]`; the postings' doc ids must be among `docIds`. Ids are checked
   * (new, unique) before anything is stored. Internal to trident's BM25 channel.
   */
  addPostings(docIds: Uint32Array, p: TermMajorPostings): void {
    if (!(docIds instanceof Uint32Array) || p.docLen.length !== docIds.length) invalid('INVALID_ARGUMENT', `addPostings expects one document length per doc id (got ${p.docLen.length} lengths for ${docIds?.length} ids)`);
    const seen = new Set<number>();
    let ascending = true;
    for (let i = 0; i < docIds.length; i++) {
      const id = docIds[i]!;
      this.#checkNewId(id);
      if (seen.has(id)) invalid('DUPLICATE_ID', `doc id ${id} appears twice in the batch; internal ids must be unique`);
      seen.add(id);
      if (i > 0 && id < docIds[i - 1]!) ascending = false;
    }
    const store = this.#store;
    const before = store.postings;
    this.#admit(docIds, (i) => p.docLen[i]!);
    store.appendTermMajor(p, ascending, this.#docLen);
    const added = store.postings - before;
    if (4 * added >= store.postings && store.docs.length > 2 * store.postings + 1024) store.repack();
  }

  /**
   * Removes a document (the same verb as DenseIndex and MultiVectorStore); false when it is
   * not live. Its postings are dropped at the next `compact()`.
   *
   * @example
   * ```ts
   * index.remove(7); // true
   * ```
   */
  remove(docId: number): boolean {
    return this.delete(docId);
  }

  /**
   * @deprecated use {@link remove} (the verb every store shares).
   *
   * Tombstones a live document; returns false when `docId` is not live (never added or already
   * deleted). Its postings stay until {@link compact}, but it stops counting in BM25
   * statistics (N, df, avgdl) at once.
   *
   * @example
   * ```ts
   * index.delete(7); // true
   * index.delete(7); // false
   * ```
   */
  delete(docId: number): boolean {
    if (!Number.isInteger(docId) || docId < 0 || docId > MAX_DOC_ID) {
      invalid('INVALID_ARGUMENT', `doc id must be an integer in [0, ${MAX_DOC_ID}], got ${docId}`);
    }
    if (!this.has(docId)) return false;
    this.#state[docId] = 2;
    this.#live--;
    this.#liveLen -= this.#docLen[docId]!;
    this.#liveDf.clear();
    return true;
  }

  /**
   * Drops tombstoned postings and documents and trims spare capacity (BM25 statistics are
   * always those of the live documents; compaction does not change any score).
   *
   * @example
   * ```ts
   * index.delete(3); index.compact();
   * ```
   */
  compact(): void {
    const state = this.#state;
    this.#store.compact(state);
    let total = 0;
    for (let d = 0; d < state.length; d++) {
      if (state[d] === 2) {
        state[d] = 0;
        this.#docLen[d] = 0;
      } else if (state[d] === 1) total += this.#docLen[d]!;
    }
    this.#docCount = this.#live;
    this.#totalLen = total;
    this.#liveLen = total;
    this.#liveDf.clear();
  }

  /**
   * Exact top-k by MaxScore (or the exhaustive oracle with `exhaustive: true`). `k` must be a
   * positive integer; a k larger than the collection returns every matching document.
   *
   * @example
   * ```ts
   * const hits = index.search({ ids: Uint32Array.of(9), weights: Float32Array.of(1) }, 10);
   * ```
   */
  search(query: SparseVector, k: number, opts: SparseSearchOptions = {}): SparseHits {
    checkOptions('SparseIndex.search() options', opts, { filter: true, exhaustive: true } satisfies OptionKeys<SparseSearchOptions>);
    const { ctx, q, kk, filter } = this.#prepareSearch(query, k, opts);
    const store = this.#store;
    const heap = opts.exhaustive === true ? searchExhaustive(ctx, store, q, kk, filter) : searchMaxScore(ctx, store, q, kk, filter);
    return heap.drain();
  }

  /**
   * The exhaustive oracle: scores every posting of every query term. Same contract as
   * {@link search}.
   *
   * @example
   * ```ts
   * const oracle = index.searchExhaustive(q, 10);
   * ```
   */
  searchExhaustive(query: SparseVector, k: number, opts: Omit<SparseSearchOptions, 'exhaustive'> = {}): SparseHits {
    return this.search(query, k, { ...opts, exhaustive: true });
  }

  /**
   * Internal (a segmented channel's in-memory tail): {@link search} scored with `stats`, the
   * statistics of a larger collection this index is part of (BM25's N, average length and
   * document frequencies over every segment and this index), instead of this index's own. A
   * document's score then equals the one an index holding the whole collection gives it, bit
   * for bit; bounds and pruning stay exact (they are computed with the same statistics). The
   * `dot` scorer ignores `stats`.
   *
   * @example
   * ```ts
   * const hits = tail.searchWithStats(q, 10, { docs: 1e6, len: 2.4e7, df: (t) => globalDf(t) });
   * ```
   */
  searchWithStats(query: SparseVector, k: number, stats: SparseCollectionStats, opts: SparseSearchOptions = {}): SparseHits {
    const { ctx, q, kk, filter } = this.#prepareSearch(query, k, opts, stats);
    const heap = opts.exhaustive === true ? searchExhaustive(ctx, this.#store, q, kk, filter) : searchMaxScore(ctx, this.#store, q, kk, filter);
    return heap.drain();
  }

  /**
   * Exact scores of given documents (0 for documents that share nothing or are not live), equal
   * bit for bit to the scores {@link search} reports.
   *
   * @example
   * ```ts
   * const s = index.score(q, Uint32Array.of(0, 1));
   * ```
   */
  score(query: SparseVector, docIds: Uint32Array, stats?: SparseCollectionStats): Float32Array {
    validateSparseVector(query, 'query');
    if (!(docIds instanceof Uint32Array)) invalid('INVALID_ARGUMENT', 'docIds must be a Uint32Array');
    const ctx = this.#context(stats);
    const q = this.#prepare(query, ctx, false, stats);
    const store = this.#store;
    const out = new Float32Array(docIds.length);
    for (let i = 0; i < docIds.length; i++) {
      const d = docIds[i]!;
      if (!this.has(d)) continue;
      let s = 0;
      for (let j = 0; j < q.m; j++) {
        const p = store.seek(q.start[j]!, q.end[j]!, d);
        if (p < q.end[j]! && store.docs[p] === d) s += contribution(ctx, q.qf[j]!, store.weights[p]!, d);
      }
      out[i] = Math.fround(s);
    }
    return out;
  }

  /**
   * Terms a live document shares with the query, ascending by id, with both weights (for BM25,
   * the query and document term frequencies; with the `idf` query modifier, `queryWeight` is the
   * IDF-weighted q_t · idf_t, so `queryWeight · docWeight` is the term's contribution). Throws
   * `UNKNOWN_ID` when the document is not live.
   *
   * @example
   * ```ts
   * index.matches(q, 0); // [{ id: 9, queryWeight: 1, docWeight: 0.7 }]
   * ```
   */
  matches(query: SparseVector, docId: number): SparseMatch[] {
    validateSparseVector(query, 'query');
    if (!this.has(docId)) invalid('UNKNOWN_ID', `doc id ${docId} is not a live document of this sparse index`);
    const out: SparseMatch[] = [];
    const store = this.#store;
    for (let i = 0; i < query.ids.length; i++) {
      const slot = store.slotOf.get(query.ids[i]!);
      if (slot === undefined || query.weights[i] === 0) continue;
      const qw = this.#modifier === 'idf' ? query.weights[i]! * bm25Idf(this.#live, this.#liveDocFreq(slot)) : query.weights[i]!;
      store.ensureSorted(slot);
      const a = store.start[slot]!;
      const e = a + store.len[slot]!;
      const p = store.seek(a, e, docId);
      if (p < e && store.docs[p] === docId) {
        out.push({ id: query.ids[i]!, queryWeight: qw, docWeight: store.weights[p]! });
      }
    }
    return out;
  }

  /**
   * Sizes and memory. `bytes` counts the typed arrays this index allocated.
   *
   * @example
   * ```ts
   * index.stats(); // { docs, deleted, terms, postings, bytes, bytesPerPosting }
   * ```
   */
  stats(): SparseStats {
    const bytes = this.#state.byteLength + this.#docLen.byteLength + this.#store.bytes();
    const postings = this.#store.postings;
    return {
      docs: this.#live,
      deleted: this.#docCount - this.#live,
      terms: this.#store.slotOf.size,
      postings,
      bytes,
      bytesPerPosting: postings > 0 ? bytes / postings : 0,
    };
  }

  /**
   * Writes the index into an existing directory as one binary file (magic + format version,
   * little-endian typed arrays); returns the file names written. Tombstones are kept.
   *
   * @example
   * ```ts
   * const files = await index.saveFiles('/tmp/idx'); // ['sparse.bin']
   * ```
   */
  async saveFiles(dir: string): Promise<string[]> {
    const store = this.#store;
    const terms = [...store.slotOf.entries()].sort((a, b) => a[0] - b[0]);
    for (const [, slot] of terms) store.ensureSorted(slot);
    const used = this.#usedSlots();
    await writeSparseFile(dir, {
      scorer: this.scorer,
      k1: this.k1,
      b: this.b,
      docCount: this.#docCount,
      totalLen: this.#totalLen,
      state: this.#state.subarray(0, used),
      docLen: this.#docLen.subarray(0, used),
      termIds: Uint32Array.from(terms, (t) => t[0]),
      lists: terms.map(([, slot]) => {
        const a = store.start[slot]!;
        const e = a + store.len[slot]!;
        return { docs: store.docs.subarray(a, e), weights: store.weights.subarray(a, e) };
      }),
    });
    return [SPARSE_FILE];
  }

  /**
   * Opens an index written by {@link saveFiles}. Throws `StorageError` with `CORRUPT_FILE` or
   * `FORMAT_VERSION_UNSUPPORTED` (naming the file) on bad content.
   *
   * @example
   * ```ts
   * const index = await SparseIndex.openFiles('/tmp/idx');
   * ```
   */
  static async openFiles(dir: string): Promise<SparseIndex> {
    const f = await readSparseFile(dir);
    const index = new SparseIndex(f.scorer, f.k1, f.b);
    index.#state = f.state.length > 0 ? f.state : new Uint8Array(16);
    index.#docLen = f.docLen.length > 0 ? f.docLen : new Float32Array(16);
    index.#docCount = f.docCount;
    index.#totalLen = f.totalLen;
    let live = 0;
    let liveLen = 0;
    for (let d = 0; d < f.state.length; d++) {
      if (f.state[d] === 1) {
        live++;
        liveLen += f.docLen[d]!;
      }
    }
    index.#live = live;
    index.#liveLen = liveLen;
    index.#store = PostingStore.fromPacked(f.scorer === 'bm25', f.termIds, f.offsets, f.docs, f.weights);
    return index;
  }

  /**
   * Every live document's vector, rebuilt from the postings in one pass (ids ascending, zero
   * weights absent; a BM25 store holds term frequencies). For copying an index elsewhere
   * (`trident export`); needs about 16 bytes per posting while it runs.
   *
   * @example
   * ```ts
   * for (const [docId, vec] of index.documentVectors()) send(docId, vec);
   * ```
   */
  documentVectors(): Map<number, SparseVector> {
    const st = this.#store;
    const acc = new Map<number, { ids: number[]; w: number[] }>();
    for (let s = 0; s < st.slots; s++) {
      const term = st.termOfSlot[s]!;
      const a = st.start[s]!;
      const e = a + st.len[s]!;
      for (let p = a; p < e; p++) {
        const d = st.docs[p]!;
        if (this.#state[d] !== 1) continue;
        let v = acc.get(d);
        if (!v) {
          v = { ids: [], w: [] };
          acc.set(d, v);
        }
        v.ids.push(term);
        v.w.push(st.weights[p]!);
      }
    }
    const out = new Map<number, SparseVector>();
    for (const [d, v] of [...acc].sort((x, y) => x[0] - y[0])) {
      const order = v.ids.map((_, i) => i).sort((i, j) => v.ids[i]! - v.ids[j]!);
      out.set(d, { ids: Uint32Array.from(order, (i) => v.ids[i]!), weights: Float32Array.from(order, (i) => v.w[i]!) });
    }
    return out;
  }

  #usedSlots(): number {
    let n = this.#state.length;
    while (n > 0 && this.#state[n - 1] === 0) n--;
    return n;
  }

  #checkNewId(docId: number): void {
    if (!Number.isInteger(docId) || docId < 0 || docId > MAX_DOC_ID) {
      invalid('INVALID_ARGUMENT', `doc id must be an integer in [0, ${MAX_DOC_ID}], got ${docId}`);
    }
    if (this.has(docId)) invalid('DUPLICATE_ID', `doc id ${docId} is already in the sparse index; delete it first or use a new id`);
  }

  #insert(docId: number, vec: SparseVector): void {
    if (docId < this.#state.length && this.#state[docId] === 2) this.compact();
    this.#ensureSlots(docId + 1);
    const bm25 = this.scorer === 'bm25';
    let dl = 0;
    if (bm25) for (let i = 0; i < vec.weights.length; i++) dl += vec.weights[i]!;
    const dlf = Math.fround(dl);
    this.#docLen[docId] = bm25 ? dlf : 0;
    this.#state[docId] = 1;
    this.#live++;
    this.#liveDf.clear();
    this.#docCount++;
    this.#totalLen += bm25 ? dlf : 0;
    this.#liveLen += bm25 ? dlf : 0;
    const store = this.#store;
    const docLen = this.#docLen;
    for (let i = 0; i < vec.ids.length; i++) {
      const w = vec.weights[i]!;
      if (w !== 0) store.push(vec.ids[i]!, docId, w, docLen);
    }
  }

  /** {@link #insert} for many new ids at once: statistics per document, postings through the store's batch path. */
  #insertBatch(docIds: Uint32Array | number[], vecs: SparseVector[]): void {
    const bm25 = this.scorer === 'bm25';
    this.#admit(docIds, (i) => {
      const w = vecs[i]!.weights;
      let dl = 0;
      if (bm25) for (let j = 0; j < w.length; j++) dl += w[j]!;
      return dl;
    });
    this.#store.appendBatch(docIds, vecs, this.#docLen);
  }

  /** Marks a batch's documents live with their lengths (`lengthOf(i)`, BM25) and updates the statistics. */
  #admit(docIds: Uint32Array | number[], lengthOf: (i: number) => number): void {
    let maxId = -1;
    let reused = false;
    for (let i = 0; i < docIds.length; i++) {
      const d = docIds[i]!;
      if (d > maxId) maxId = d;
      if (d < this.#state.length && this.#state[d] === 2) reused = true;
    }
    if (reused) this.compact(); // as #insert does before re-using a deleted id
    this.#ensureSlots(maxId + 1);
    const bm25 = this.scorer === 'bm25';
    for (let i = 0; i < docIds.length; i++) {
      const docId = docIds[i]!;
      const dlf = Math.fround(bm25 ? lengthOf(i) : 0);
      this.#docLen[docId] = bm25 ? dlf : 0;
      this.#state[docId] = 1;
      this.#live++;
      this.#docCount++;
      this.#totalLen += bm25 ? dlf : 0;
      this.#liveLen += bm25 ? dlf : 0;
    }
    this.#liveDf.clear();
  }

  #ensureSlots(n: number): void {
    if (n <= this.#state.length) return;
    let cap = this.#state.length;
    while (cap < n) cap = Math.min(Math.max(cap * 2, 16), MAX_DOC_ID + 1);
    const s = new Uint8Array(cap);
    s.set(this.#state);
    const l = new Float32Array(cap);
    l.set(this.#docLen);
    this.#state = s;
    this.#docLen = l;
  }

  #context(stats?: SparseCollectionStats): ScoreContext {
    const bm25 = this.scorer === 'bm25';
    // live statistics: a delete moves N, df and avgdl at once, so scores do not depend on
    // whether tombstones were compacted (by save/open) yet
    const avgdl = stats !== undefined ? (stats.docs > 0 ? stats.len / stats.docs : 0) : this.#live > 0 ? this.#liveLen / this.#live : 0;
    return {
      bm25,
      lenConst: this.k1 * (1 - this.b),
      lenSlope: avgdl > 0 ? (this.k1 * this.b) / avgdl : 0,
      docLen: this.#docLen,
      state: this.#state,
    };
  }

  #prepare(query: SparseVector, ctx: ScoreContext, withBounds: boolean, stats?: SparseCollectionStats): PreparedQuery {
    const store = this.#store;
    const N = stats?.docs ?? this.#live;
    const slots: number[] = [];
    const termIds: number[] = [];
    const qfs: number[] = [];
    const qws: number[] = [];
    for (let i = 0; i < query.ids.length; i++) {
      const w = query.weights[i]!;
      if (w === 0) continue;
      const slot = store.slotOf.get(query.ids[i]!);
      if (slot === undefined || store.len[slot] === 0) continue;
      store.ensureSorted(slot);
      slots.push(slot);
      termIds.push(query.ids[i]!);
      qws.push(w);
      const df = () => (stats !== undefined ? stats.df(query.ids[i]!) : this.#liveDocFreq(slot));
      qfs.push(ctx.bm25 ? w * bm25Idf(N, df()) * (this.k1 + 1) : this.#modifier === 'idf' ? w * bm25Idf(N, df()) : w);
    }
    const m = slots.length;
    const qf = Float64Array.from(qfs);
    const ub = new Float64Array(m);
    const start = new Uint32Array(m);
    const end = new Uint32Array(m);
    for (let j = 0; j < m; j++) {
      const slot = slots[j]!;
      start[j] = store.start[slot]!;
      end[j] = start[j]! + store.len[slot]!;
      if (withBounds) ub[j] = upperBoundOf(ctx, qf[j]!, store, slot);
    }
    return { m, termIds: Uint32Array.from(termIds), start, end, qf, ub, qw: Float32Array.from(qws) };
  }

  #prepareSearch(query: SparseVector, k: number, opts: SparseSearchOptions, stats?: SparseCollectionStats) {
    validateSparseVector(query, 'query');
    if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    }
    if (opts.filter !== undefined && typeof opts.filter !== 'function') {
      invalid('INVALID_ARGUMENT', 'filter must be a function (docId) => boolean');
    }
    const ctx = this.#context(stats);
    const q = this.#prepare(query, ctx, opts.exhaustive !== true, stats);
    return { ctx, q, kk: Math.min(k, this.#live), filter: opts.filter };
  }
}
