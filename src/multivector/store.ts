/**
 * Multi-vector (ColBERT / M3) store with MaxSim scoring through the kernels.
 *
 * Score (BGE-M3's colbert score): score(q, d) = (1/|q|) Σ_i max_j q_i · d_j over the
 * query's vectors q_i and the document's stored (normalised) vectors d_j. A document with
 * no vectors, or a query with none, scores 0.
 *
 * Layout: one arena per store (see arena.ts); per document `start`/`count` in Uint32Arrays
 * indexed by the internal id, plus a flags byte (live, has token ids, has spans). Removal
 * tombstones the document; {@link MultiVectorStore.compact} rewrites the arena. Scoring N
 * candidates builds starts/counts once and makes one kernel call.
 */

import { invalid } from '../errors.js';
import { checkOptions, type OptionKeys } from '../options.js';
import { screeningKernelActive } from '../kernels/index.js';
import { topK, type Ranked } from '../kernels/topk.js';
import { Arena } from './arena.js';
import { CodesArena } from './codes-arena.js';
import { buildLists, probe, type CentroidLists, type FirstStageOptions, type FirstStageResult } from './first-stage.js';
import type { CodeBits } from '../kernels/codes.js';
import { poolDoc } from './pool.js';
import { readMvFile, writeMvFile } from './persist.js';
import { NONE, type Alignment, type MultiVector, type MvDtype } from './types.js';
import { checkDoc, checkQuery } from './validate.js';

const LIVE = 1;
const HAS_TOKENS = 2;
const HAS_SPANS = 4;

/**
 * Options of {@link MultiVectorStore.create}.
 *
 * @example
 * ```ts
 * const opts: MultiVectorStoreOptions = { dim: 1024, dtype: 'i8', poolFactor: 2 };
 * ```
 */
export interface MultiVectorStoreOptions {
  /** Vector length (1 … 65536); the same name as DenseIndex's. */
  dimensions?: number;
  /** @deprecated the old name of `dimensions`. */
  dim?: number;
  /**
   * Storage precision. Default 'f16'. 'binary': 1 bit per dimension (sign), scored against the
   * int8 query. 'residual': ColBERTv2-style centroid id + `bits` per dimension; the codebook is
   * trained on the first vectors added (see `trainVectors`), then kept and saved with the store.
   */
  dtype?: MvDtype;
  /** 'residual' only: bits per dimension of the residual codes, 1, 2 or 4. Default 2. */
  bits?: CodeBits;
  /** 'residual' only: number of centroids (≤ 65536). Default 2^floor(log2(16·√n)) (≤ 65536, ColBERTv2) for the n vectors trained on. */
  centroids?: number;
  /**
   * 'residual' only: the codebook is trained once this many token vectors are waiting (they
   * wait in f32), or at the first score / save / get before that. Default 131072.
   */
  trainVectors?: number;
  /** Token pooling factor: 1 (off, default), 2 or 3 (about half / a third of the vectors). */
  poolFactor?: 1 | 2 | 3;
  /**
   * f32 / f16 stores: keep an int8 screening sidecar of the vectors (+dim + 24 bytes per
   * vector: +25 % over f32, +50 % over f16) so the native avx512 / amx MaxSim screens candidates
   * without re-quantising their rows on every call (scores are identical either way: exact
   * MaxSim). Default 'int8' when the native avx512 or amx kernels are active, else 'none'; ignored
   * for i8 stores (their vectors are already int8). Runtime only, never written to disk.
   */
  screening?: MvScreening;
}

/**
 * Screening sidecar choice of a multi-vector store (see {@link MultiVectorStoreOptions.screening}).
 *
 * @example
 * ```ts
 * const store = MultiVectorStore.create({ dim: 1024, dtype: 'f32', screening: 'none' });
 * ```
 */
export type MvScreening = 'int8' | 'none';

/**
 * Options of {@link MultiVectorStore.openFiles} (runtime settings that are not persisted).
 *
 * @example
 * ```ts
 * const store = await MultiVectorStore.openFiles(dir, { screening: 'none' });
 * ```
 */
export interface MultiVectorOpenOptions {
  /** As {@link MultiVectorStoreOptions.screening}. */
  screening?: MvScreening;
}

/**
 * Whether a store of `dtype` keeps the screening sidecar for the setting `v` ('int8', 'none', or
 * undefined: where the screened kernels run, see screeningKernelActive); INVALID_ARGUMENT for
 * another value.
 *
 * @example
 * ```ts
 * resolveScreening(undefined, 'f16', 'spec'); // true on an avx512 / amx backend
 * ```
 */
export function resolveScreening(v: unknown, dtype: MvDtype, where: string): boolean {
  if (v !== undefined && v !== 'int8' && v !== 'none') invalid('INVALID_ARGUMENT', `${where}: screening must be 'int8' or 'none', got ${String(v)}`);
  if (dtype !== 'f32' && dtype !== 'f16') return false;
  if (v === undefined) return screeningKernelActive();
  return v === 'int8';
}

/**
 * Size report of {@link MultiVectorStore.stats}.
 *
 * @example
 * ```ts
 * const { bytesPerDoc } = store.stats();
 * ```
 */
export interface MultiVectorStats {
  docs: number;
  /** Live stored vectors (after pooling). */
  vectors: number;
  /** Bytes of live vectors, scales, token ids and spans. */
  bytes: number;
  bytesPerDoc: number;
  /** Bytes allocated by the arena, including removed documents' garbage and slack. */
  allocatedBytes: number;
  /** Vectors belonging to removed documents (reclaimed by compact()). */
  garbageVectors: number;
  /** Bytes of the live vectors' screening sidecar (0 when screening is 'none'); not in `bytes`. */
  screeningBytes: number;
}

function checkId(id: unknown, where: string): asserts id is number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
    invalid('INVALID_ARGUMENT', `${where}: id ${String(id)} is not an internal id; pass an integer in [0, 4294967295]`);
  }
}

/**
 * Token-vector store for re-ranking (the default, as in the M3 paper: re-rank the dense
 * top-200) and exhaustive MaxSim scans (small collections, and the oracle).
 *
 * Document vectors are L2-normalised on the way in (zero vectors are rejected); queries
 * are used as given. Documents with 0 vectors are allowed and score 0.
 *
 * @example
 * ```ts
 * const store = MultiVectorStore.create({ dim: 1024, dtype: 'i8' });
 * store.add(0, { data: docVectors, dim: 1024, count: 180, tokenIds });
 * const scores = store.score({ data: qVectors, dim: 1024, count: 32 }, Uint32Array.of(0));
 * ```
 */
export class MultiVectorStore {
  readonly #dim: number;
  readonly #dtype: MvDtype;
  readonly #poolFactor: 1 | 2 | 3;
  #arena: Arena | CodesArena;
  #starts = new Uint32Array(16);
  #counts = new Uint32Array(16);
  #flags = new Uint8Array(16);
  #docs = 0;
  #liveVectors = 0;
  #maxId = -1;
  // scratch reused by score() (no per-call allocation of the candidate tables)
  #scStarts = new Uint32Array(256);
  #scCounts = new Uint32Array(256);
  // rerank() de-duplication: #seen[id] === #stamp marks an id already taken in this call
  #seen = new Uint32Array(16);
  #stamp = 0;
  // first stage (residual): inverted lists, dropped whenever the documents change
  #lists: CentroidLists | null = null;

  private constructor(dim: number, dtype: MvDtype, poolFactor: 1 | 2 | 3, arena: Arena | CodesArena) {
    this.#dim = dim;
    this.#dtype = dtype;
    this.#poolFactor = poolFactor;
    this.#arena = arena;
  }

  /**
   * Creates an empty store.
   *
   * @example
   * ```ts
   * const store = MultiVectorStore.create({ dim: 1024, dtype: 'f16', poolFactor: 2 });
   * ```
   */
  static create(opts: MultiVectorStoreOptions): MultiVectorStore {
    if (opts === null || typeof opts !== 'object') invalid('INVALID_ARGUMENT', 'MultiVectorStore.create: pass an options object with `dimensions`');
    checkOptions('MultiVectorStore.create() options', opts, { dimensions: true, dim: true, dtype: true, poolFactor: true, screening: true, bits: true, centroids: true, trainVectors: true } satisfies OptionKeys<MultiVectorStoreOptions>);
    if (opts.dimensions !== undefined && opts.dim !== undefined && opts.dimensions !== opts.dim) invalid('INVALID_ARGUMENT', `dimensions (${String(opts.dimensions)}) and its old name dim (${String(opts.dim)}) differ: give only dimensions`);
    const dim = opts.dimensions ?? opts.dim;
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > 65536) invalid('INVALID_ARGUMENT', `dimensions must be an integer in [1, 65536], got ${String(dim)}`);
    const dtype = opts.dtype ?? 'f16';
    if (!['f32', 'f16', 'i8', 'binary', 'residual'].includes(dtype)) invalid('INVALID_ARGUMENT', `dtype must be 'f32', 'f16', 'i8', 'binary' or 'residual', got ${String(dtype)}`);
    const poolFactor = opts.poolFactor ?? 1;
    if (![1, 2, 3].includes(poolFactor)) invalid('INVALID_ARGUMENT', `poolFactor must be 1, 2 or 3, got ${String(poolFactor)}`);
    const screening = resolveScreening(opts.screening, dtype, 'MultiVectorStore.create');
    if (dtype !== 'residual') {
      for (const key of ['centroids', 'trainVectors'] as const) if (opts[key] !== undefined) invalid('INVALID_ARGUMENT', `${key} applies to dtype 'residual' only (dtype is '${dtype}')`);
      if (opts.bits !== undefined && !(dtype === 'binary' && opts.bits === 1)) invalid('INVALID_ARGUMENT', `bits applies to dtype 'residual' (1, 2 or 4); dtype '${dtype}' ${dtype === 'binary' ? 'is 1 bit' : 'has no bits option'}`);
    }
    if (dtype === 'binary' || dtype === 'residual') {
      const bits = opts.bits ?? (dtype === 'binary' ? 1 : 2);
      if (bits !== 1 && bits !== 2 && bits !== 4) invalid('INVALID_ARGUMENT', `bits must be 1, 2 or 4, got ${String(bits)}`);
      const { centroids, trainVectors } = opts;
      if (centroids !== undefined && (typeof centroids !== 'number' || !Number.isInteger(centroids) || centroids < 1 || centroids > 65536)) invalid('INVALID_ARGUMENT', `centroids must be an integer in [1, 65536], got ${String(centroids)}`);
      if (trainVectors !== undefined && (typeof trainVectors !== 'number' || !Number.isInteger(trainVectors) || trainVectors < 1)) invalid('INVALID_ARGUMENT', `trainVectors must be a positive integer, got ${String(trainVectors)}`);
      const training = { ...(centroids !== undefined ? { centroids } : {}), ...(trainVectors !== undefined ? { trainVectors } : {}) };
      return new MultiVectorStore(dim, dtype, poolFactor, new CodesArena(dim, dtype, bits, null, training));
    }
    return new MultiVectorStore(dim, dtype, poolFactor, new Arena(dim, dtype, 256, screening));
  }

  /**
   * Number of live documents.
   *
   * @example
   * ```ts
   * store.size // 0 for a new store
   * ```
   */
  get size(): number {
    return this.#docs;
  }

  /**
   * Vector length.
   *
   * @example
   * ```ts
   * MultiVectorStore.create({ dim: 1024 }).dim // 1024
   * ```
   */
  get dim(): number {
    return this.#dim;
  }

  /**
   * Vector length (the same name as DenseIndex's; `dim` is kept as an alias).
   *
   * @example
   * ```ts
   * MultiVectorStore.create({ dimensions: 1024 }).dimensions // 1024
   * ```
   */
  get dimensions(): number {
    return this.#dim;
  }

  /**
   * Storage precision.
   *
   * @example
   * ```ts
   * MultiVectorStore.create({ dim: 1024 }).dtype // 'f16'
   * ```
   */
  get dtype(): MvDtype {
    return this.#dtype;
  }

  /**
   * Bits per dimension of a compressed store ('binary': 1, 'residual': 1, 2 or 4); null for f32 / f16 / i8.
   *
   * @example
   * ```ts
   * MultiVectorStore.create({ dim: 128, dtype: 'residual', bits: 2 }).bits // 2
   * ```
   */
  get bits(): CodeBits | null {
    return this.#arena instanceof CodesArena ? this.#arena.bits : null;
  }

  /**
   * Trains a residual store's codebook now on the vectors added so far (otherwise done at the
   * first score / save, or when `trainVectors` are waiting); a no-op for other dtypes or once trained.
   *
   * @example
   * ```ts
   * store.train(); // after adding a representative sample
   * ```
   */
  train(): void {
    if (this.#arena instanceof CodesArena) this.#arena.ensureTrained();
  }

  /**
   * Token pooling factor applied at add().
   *
   * @example
   * ```ts
   * MultiVectorStore.create({ dim: 1024, poolFactor: 2 }).poolFactor // 2
   * ```
   */
  get poolFactor(): 1 | 2 | 3 {
    return this.#poolFactor;
  }

  /**
   * Whether an int8 screening sidecar is kept ('none' for i8 stores).
   *
   * @example
   * ```ts
   * MultiVectorStore.create({ dim: 1024, dtype: 'f32', screening: 'none' }).screening // 'none'
   * ```
   */
  get screening(): MvScreening {
    return this.#arena.screening ? 'int8' : 'none';
  }

  /**
   * True when `id` holds a live document.
   *
   * @example
   * ```ts
   * store.has(0) // true after store.add(0, mv)
   * ```
   */
  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id <= this.#maxId && (this.#flags[id]! & LIVE) !== 0;
  }

  /**
   * Number of stored vectors of a document (after pooling); UNKNOWN_ID if absent.
   *
   * @example
   * ```ts
   * store.vectorCount(7) // 100 for a 200-token document with poolFactor 2
   * ```
   */
  vectorCount(id: number): number {
    this.#need(id, 'vectorCount');
    return this.#counts[id]!;
  }

  #need(id: number, where: string): void {
    checkId(id, where);
    if (!this.has(id)) invalid('UNKNOWN_ID', `${where}: id ${id} is not in the multi-vector store`);
  }

  #ensureIds(id: number): void {
    if (id < this.#flags.length) return;
    const cap = Math.max(id + 1, Math.ceil(this.#flags.length * 1.5));
    // Per-document tables are indexed by the internal id (dense, from the shared id map).
    if (cap > 0x4000_0000) invalid('INVALID_ARGUMENT', `id ${id} is too large for the per-document tables (9 bytes × id); internal ids must be dense`);
    const s = new Uint32Array(cap);
    s.set(this.#starts);
    this.#starts = s;
    const c = new Uint32Array(cap);
    c.set(this.#counts);
    this.#counts = c;
    const f = new Uint8Array(cap);
    f.set(this.#flags);
    this.#flags = f;
  }

  /**
   * Adds a document's token vectors (normalised by us, pooled if poolFactor > 1) with
   * optional token ids and character spans. DUPLICATE_ID if the id is live;
   * DIMENSION_MISMATCH / INVALID_VECTOR for bad vectors. 0 vectors is allowed (scores 0).
   *
   * @example
   * ```ts
   * store.add(7, { data, dim: 1024, count: 3, tokenIds: Uint32Array.of(100, 200, 2), charSpans: [[0, 3], [4, 9], [9, 9]] });
   * ```
   */
  add(id: number, mv: MultiVector): void {
    checkId(id, 'add');
    if (this.has(id)) invalid('DUPLICATE_ID', `add: id ${id} is already in the multi-vector store; remove it first`);
    const doc = poolDoc(checkDoc(mv, this.#dim, `add(${id})`), this.#dim, this.#poolFactor);
    this.#ensureIds(id);
    const start = this.#arena.append(doc.data, doc.count, doc.tokenIds, doc.spans);
    this.#starts[id] = start;
    this.#counts[id] = doc.count;
    this.#flags[id] = LIVE | (doc.hasTokens ? HAS_TOKENS : 0) | (doc.hasSpans ? HAS_SPANS : 0);
    this.#lists = null;
    this.#docs++;
    this.#liveVectors += doc.count;
    if (id > this.#maxId) this.#maxId = id;
  }

  /**
   * Tombstones a document; returns false when it was not stored. Space is reclaimed by
   * {@link compact}.
   *
   * @example
   * ```ts
   * store.remove(7) // true, then false
   * ```
   */
  remove(id: number): boolean {
    checkId(id, 'remove');
    if (!this.has(id)) return false;
    this.#flags[id] = 0;
    this.#lists = null;
    this.#docs--;
    this.#liveVectors -= this.#counts[id]!;
    return true;
  }

  /**
   * MaxSim scores of the given candidates, in their order (re-ranking): one kernel call.
   * UNKNOWN_ID if a candidate is not stored.
   *
   * @example
   * ```ts
   * const s = store.score({ data: q, dim: 1024, count: 32 }, denseTop200Ids);
   * ```
   */
  score(query: MultiVector, ids: Uint32Array | number[]): Float32Array {
    const q = checkQuery(query, this.#dim, 'score');
    if (!(ids instanceof Uint32Array) && !Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'score: ids must be a Uint32Array or number[]');
    const n = ids.length;
    if (this.#scStarts.length < n) {
      this.#scStarts = new Uint32Array(Math.max(n, 2 * this.#scStarts.length));
      this.#scCounts = new Uint32Array(this.#scStarts.length);
    }
    const starts = this.#scStarts;
    const counts = this.#scCounts;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (!this.has(id)) invalid('UNKNOWN_ID', `score: candidate ${String(id)} is not in the multi-vector store`);
      starts[i] = this.#starts[id]!;
      counts[i] = this.#counts[id]!;
    }
    const out = new Float32Array(n);
    this.#arena.maxsim(q.data, q.count, starts.subarray(0, n), counts.subarray(0, n), out);
    return out;
  }

  /**
   * Re-ranks candidates: MaxSim of each (one kernel call), best k first, ties by lower id.
   * Duplicate ids count once; UNKNOWN_ID if a candidate is not stored.
   *
   * @example
   * ```ts
   * const { ids, scores } = store.rerank(query, denseTop200Ids, 10);
   * ```
   */
  rerank(query: MultiVector, ids: Uint32Array | number[], k: number): Ranked {
    if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `rerank: k must be a positive integer, got ${String(k)}`);
    if (!(ids instanceof Uint32Array) && !Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'rerank: ids must be a Uint32Array or number[]');
    for (let i = 0; i < ids.length; i++) {
      if (!this.has(ids[i]!)) invalid('UNKNOWN_ID', `rerank: candidate ${String(ids[i])} is not in the multi-vector store`);
    }
    // de-duplicate in first-seen order with a stamp per id (no Set, no per-id allocation)
    if (this.#seen.length < this.#flags.length) this.#seen = new Uint32Array(this.#flags.length);
    if (++this.#stamp === 0xffff_ffff) {
      this.#seen.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    const seen = this.#seen;
    const list = new Uint32Array(ids.length);
    let m = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (seen[id] === stamp) continue;
      seen[id] = stamp;
      list[m++] = id;
    }
    const unique = list.subarray(0, m);
    return topK(this.score(query, unique), unique, k);
  }

  /**
   * Exhaustive MaxSim over every live document (optionally filtered): the oracle, and the
   * search for small collections. Best first, ties by lower id; k larger than the
   * collection returns everything.
   *
   * @example
   * ```ts
   * const { ids, scores } = store.searchExhaustive(query, 10, { filter: (id) => id < 1000 });
   * ```
   */
  searchExhaustive(query: MultiVector, k: number, opts: { filter?: (id: number) => boolean } = {}): Ranked {
    if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `searchExhaustive: k must be a positive integer, got ${String(k)}`);
    const q = checkQuery(query, this.#dim, 'searchExhaustive');
    const filter = opts?.filter;
    if (filter !== undefined && typeof filter !== 'function') invalid('INVALID_ARGUMENT', 'searchExhaustive: filter must be a function (id) => boolean');
    const ids = new Uint32Array(this.#docs);
    const starts = new Uint32Array(this.#docs);
    const counts = new Uint32Array(this.#docs);
    let m = 0;
    for (let id = 0; id <= this.#maxId; id++) {
      if ((this.#flags[id]! & LIVE) === 0) continue;
      if (filter !== undefined && filter(id) !== true) continue;
      ids[m] = id;
      starts[m] = this.#starts[id]!;
      counts[m++] = this.#counts[id]!;
    }
    const out = new Float32Array(m);
    this.#arena.maxsim(q.data, q.count, starts.subarray(0, m), counts.subarray(0, m), out);
    return topK(out, ids, k, m);
  }

  /**
   * First stage of a residual store (PLAID-style centroid interaction, see first-stage.ts): finds
   * the best k documents without scoring every one — probe `nprobe` centroids per query vector
   * through the inverted lists, rank the pooled documents by centroid interaction, give the best
   * `ndocs` the full MaxSim. Scores are exact (as {@link score}); `probed` / `scored` say how many
   * documents each step touched. UNSUPPORTED for other dtypes (use searchExhaustive).
   *
   * @example
   * ```ts
   * const { ids, scores, scored } = store.candidates(query, 100, { nprobe: 4 });
   * ```
   */
  candidates(query: MultiVector, k: number, opts: FirstStageOptions = {}): FirstStageResult {
    if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `candidates: k must be a positive integer, got ${String(k)}`);
    checkOptions('MultiVectorStore.candidates() options', opts, { nprobe: true, ndocs: true } satisfies OptionKeys<FirstStageOptions>);
    const nprobe = opts.nprobe ?? 4;
    const ndocs = opts.ndocs ?? Math.max(4 * k, 256);
    for (const [n, v] of [
      ['nprobe', nprobe],
      ['ndocs', ndocs],
    ] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) invalid('INVALID_ARGUMENT', `candidates: ${n} must be a positive integer, got ${String(v)}`);
    }
    const q = checkQuery(query, this.#dim, 'candidates');
    const arena = this.#arena;
    if (!(arena instanceof CodesArena) || arena.dtype !== 'residual') invalid('UNSUPPORTED', `candidates: the first stage needs a 'residual' store (this one is '${this.#dtype}'); use searchExhaustive`);
    arena.ensureTrained();
    const empty = { ids: new Uint32Array(0), scores: new Float32Array(0), probed: 0, scored: 0 };
    if (this.#docs === 0 || arena.codebook === null) return empty;
    if (this.#lists === null) {
      const ids = new Uint32Array(this.#docs);
      const starts = new Uint32Array(this.#docs);
      const counts = new Uint32Array(this.#docs);
      let m = 0;
      for (let id = 0; id <= this.#maxId; id++) {
        if ((this.#flags[id]! & LIVE) === 0) continue;
        ids[m] = id;
        starts[m] = this.#starts[id]!;
        counts[m++] = this.#counts[id]!;
      }
      this.#lists = buildLists(arena, ids, starts, counts, this.#maxId);
    }
    const cb = arena.codebook;
    const ct = arena.centroidTable(q.data, q.count)!;
    const { pool, probed } = probe(this.#lists, ct, q.count, cb.k, Math.min(nprobe, cb.k), ndocs, this.#maxId);
    const n = pool.ids.length;
    const starts = new Uint32Array(n);
    const counts = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = this.#starts[pool.ids[i]!]!;
      counts[i] = this.#counts[pool.ids[i]!]!;
    }
    const out = new Float32Array(n);
    arena.maxsim(q.data, q.count, starts, counts, out, ct);
    // ties by lower id, as everywhere: topK wants ids in any order with their scores
    return { ...topK(out, pool.ids, k), probed, scored: n };
  }

  /**
   * For explanations: each query vector's best document vector (the max in MaxSim), with
   * the document token id and span when stored. Sorted by score (best first, ties by
   * query index); `top` keeps only the first entries. The scores sum to qCount × score().
   *
   * @example
   * ```ts
   * for (const a of store.alignments(query, 7, 5)) console.log(a.queryIndex, '→', a.docTokenId, a.score);
   * ```
   */
  alignments(query: MultiVector, id: number, top?: number): Alignment[] {
    const q = checkQuery(query, this.#dim, 'alignments');
    this.#need(id, 'alignments');
    if (top !== undefined && (typeof top !== 'number' || !Number.isInteger(top) || top <= 0)) invalid('INVALID_ARGUMENT', `alignments: top must be a positive integer, got ${String(top)}`);
    const start = this.#starts[id]!;
    const count = this.#counts[id]!;
    const flags = this.#flags[id]!;
    if (count === 0) return [];
    const d = this.#dim;
    const dots = new Float32Array(count);
    const out: Alignment[] = [];
    for (let qi = 0; qi < q.count; qi++) {
      this.#arena.dots(q.data.subarray(qi * d, qi * d + d), start, count, dots);
      let bj = 0;
      for (let j = 1; j < count; j++) if (dots[j]! > dots[bj]!) bj = j;
      const a: Alignment = { queryIndex: qi, docIndex: bj, score: dots[bj]! };
      const v = start + bj;
      if (flags & HAS_TOKENS && this.#arena.tokens[v] !== NONE) a.docTokenId = this.#arena.tokens[v]!;
      if (flags & HAS_SPANS && this.#arena.spans[2 * v] !== NONE) a.docCharSpan = [this.#arena.spans[2 * v]!, this.#arena.spans[2 * v + 1]!];
      out.push(a);
    }
    out.sort((x, y) => y.score - x.score || x.queryIndex - y.queryIndex);
    return top === undefined ? out : out.slice(0, top);
  }

  /**
   * Where document `id`'s stored vectors sit in the store's arena (f32, f16 or i8 stores; null
   * for binary / residual codes): lets a segment writer copy them as stored, bit for bit,
   * instead of re-normalising and re-quantising decoded values. Internal to trident.
   *
   * @example
   * ```ts
   * const r = store.storedRange(7); // { arena, start, count }
   * ```
   */
  storedRange(id: number): { arena: Arena; start: number; count: number } | null {
    this.#need(id, 'storedRange');
    const a = this.#arena;
    return a instanceof CodesArena ? null : { arena: a, start: this.#starts[id]!, count: this.#counts[id]! };
  }

  /**
   * The stored (normalised, pooled, dequantised) vectors of a document with its token ids
   * and spans as stored. UNKNOWN_ID if absent.
   *
   * @example
   * ```ts
   * const mv = store.get(7); // mv.count === store.vectorCount(7)
   * ```
   */
  get(id: number): MultiVector {
    this.#need(id, 'get');
    const start = this.#starts[id]!;
    const count = this.#counts[id]!;
    const flags = this.#flags[id]!;
    const data = new Float32Array(count * this.#dim);
    for (let j = 0; j < count; j++) data.set(this.#arena.vector(start + j), j * this.#dim);
    const mv: MultiVector = { data, dim: this.#dim, count };
    if (flags & HAS_TOKENS) mv.tokenIds = this.#arena.tokens.slice(start, start + count);
    if (flags & HAS_SPANS) mv.charSpans = this.#arena.spans.slice(2 * start, 2 * (start + count));
    return mv;
  }

  /**
   * Rewrites the arena with only the live documents (in id order), reclaiming the space of
   * removed ones. Scores are unchanged.
   *
   * @example
   * ```ts
   * store.remove(3); store.compact(); // store.stats().garbageVectors === 0
   * ```
   */
  compact(): void {
    this.#lists = null;
    const cur = this.#arena;
    // already compact (the live documents' rows fill the arena in id order): nothing to move
    let at = 0;
    for (let id = 0; id <= this.#maxId && at >= 0; id++) {
      if ((this.#flags[id]! & LIVE) === 0) continue;
      at = this.#starts[id] === at ? at + this.#counts[id]! : -1;
    }
    if (at !== cur.used) {
      const next = cur instanceof CodesArena ? cur.emptyLike(Math.max(this.#liveVectors, 16)) : new Arena(this.#dim, cur.dtype, Math.max(this.#liveVectors, 16), cur.screening);
      // rows of consecutive live documents that lie together are copied as one run
      let runFrom = 0;
      let runCount = 0;
      let runAt = 0;
      for (let id = 0; id <= this.#maxId; id++) {
        if ((this.#flags[id]! & LIVE) === 0) continue;
        const st = this.#starts[id]!;
        const c = this.#counts[id]!;
        if (runCount > 0 && st === runFrom + runCount) {
          this.#starts[id] = runAt + (st - runFrom);
          runCount += c;
          continue;
        }
        if (runCount > 0) (next as Arena).appendRaw(cur as Arena, runFrom, runCount);
        runAt = next.used;
        runFrom = st;
        runCount = c;
        this.#starts[id] = runAt;
      }
      if (runCount > 0) (next as Arena).appendRaw(cur as Arena, runFrom, runCount);
      this.#arena = next;
    } else if (cur instanceof CodesArena && at > 0) cur.ensureTrained(); // as a copy would (appendRaw trains its source)
    while (this.#maxId >= 0 && (this.#flags[this.#maxId]! & LIVE) === 0) this.#maxId--;
  }

  /**
   * Sizes: live documents and vectors, their bytes (vectors + i8 scales + token ids +
   * spans), bytes per document, allocated bytes and garbage awaiting compact().
   *
   * @example
   * ```ts
   * store.stats() // { docs: 1000, vectors: 200000, bytes: 208000000, bytesPerDoc: 208000, … }
   * ```
   */
  stats(): MultiVectorStats {
    const bytes = this.#liveVectors * this.#arena.bytesPerVector;
    return {
      docs: this.#docs,
      vectors: this.#liveVectors,
      bytes,
      bytesPerDoc: this.#docs === 0 ? 0 : bytes / this.#docs,
      allocatedBytes: this.#arena.allocatedBytes,
      garbageVectors: this.#arena.used - this.#liveVectors,
      screeningBytes: this.#liveVectors * this.#arena.screenBytesPerVector,
    };
  }

  /**
   * Writes `multivector.bin` (compacted: live documents only; magic, version, CRC-32) into
   * an existing directory, via a temporary sibling renamed into place. Returns the names.
   *
   * @example
   * ```ts
   * await store.saveFiles('/data/idx/multivector'); // ['multivector.bin']
   * ```
   */
  async saveFiles(dir: string): Promise<string[]> {
    const docs: Array<{ id: number; start: number; count: number; flags: number }> = [];
    for (let id = 0; id <= this.#maxId; id++) {
      const f = this.#flags[id]!;
      if (f & LIVE) docs.push({ id, start: this.#starts[id]!, count: this.#counts[id]!, flags: f });
    }
    return writeMvFile(dir, { dim: this.#dim, dtype: this.#dtype, poolFactor: this.#poolFactor }, docs, this.#arena);
  }

  /**
   * Opens a store written by {@link saveFiles}; StorageError (naming the file) on a
   * missing, truncated, damaged or newer-format file. The screening sidecar (not persisted)
   * is rebuilt here when enabled (`opts.screening`, default as in {@link create}).
   *
   * @example
   * ```ts
   * const store = await MultiVectorStore.openFiles('/data/idx/multivector');
   * ```
   */
  static async openFiles(dir: string, opts: MultiVectorOpenOptions = {}): Promise<MultiVectorStore> {
    checkOptions('MultiVectorStore.openFiles() options', opts, { screening: true } satisfies OptionKeys<MultiVectorOpenOptions>);
    if (opts === null || typeof opts !== 'object') invalid('INVALID_ARGUMENT', 'MultiVectorStore.openFiles: opts must be an object');
    resolveScreening(opts.screening, 'f32', 'MultiVectorStore.openFiles');
    const f = await readMvFile(dir);
    if (resolveScreening(opts.screening, f.dtype, 'MultiVectorStore.openFiles')) f.arena.enableScreening();
    const s = new MultiVectorStore(f.dim, f.dtype, f.poolFactor, f.arena);
    let start = 0;
    for (let i = 0; i < f.ids.length; i++) {
      const id = f.ids[i]!;
      s.#ensureIds(id);
      s.#starts[id] = start;
      s.#counts[id] = f.counts[i]!;
      s.#flags[id] = f.flags[i]! | LIVE;
      start += f.counts[i]!;
      if (id > s.#maxId) s.#maxId = id;
    }
    s.#docs = f.ids.length;
    s.#liveVectors = start;
    return s;
  }
}
