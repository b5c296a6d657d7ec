/**
 * MUVERA first stage (Dhulipala et al. 2024) over a {@link MultiVectorStore} of any dtype:
 * 1. every document's FDE (muvera.ts, from the stored vectors) goes into a usearch HNSW graph
 *    (inner product) and into an f32 row table, the exact brute-force oracle of the graph;
 * 2. a query's FDE fetches the best `ndocs` documents by FDE dot (graph, or the exact scan);
 * 3. those get the exact MaxSim through the store's score path; the best k are returned.
 * Owns the FDE rows and the graph; never writes to the store.
 *
 * Not the default first stage: at equal documents scored, the PLAID-style stage of a residual
 * store (first-stage.ts) found far more of the exhaustive top-10 (100k synthetic: 0.97 vs 0.43 at
 * 20× fewer documents; dev scifact 0.97 vs 0.39 at 10× fewer; README, "Compressed token
 * vectors"). Use this one for stores PLAID cannot serve (f16, i8, binary).
 */
import { invalid } from '../errors.js';
import { checkOptions, type OptionKeys } from '../options.js';
import { Graph } from '../dense/graph.js';
import type { DenseDtype } from '../dense/rows.js';
import { kernels } from '../kernels/index.js';
import { topK, type Ranked } from '../kernels/topk.js';
import type { FirstStageResult } from './first-stage.js';
import { FdeEncoder, type FdeOptions } from './muvera.js';
import type { MultiVectorStore } from './store.js';
import type { MultiVector } from './types.js';

/**
 * Options of {@link MuveraIndex.create}: the encoder's ({@link FdeOptions}, `dimensions` taken
 * from the store) plus the graph's.
 *
 * @example
 * ```ts
 * const opts: MuveraIndexOptions = { repetitions: 10, simhashBits: 4, projection: 16, finalDimensions: 1024 };
 * ```
 */
export interface MuveraIndexOptions extends Omit<FdeOptions, 'dimensions'> {
  /** Build the HNSW graph (true, default) or answer only by the exact FDE scan (false). */
  graph?: boolean;
  /** Graph precision. Default 'f16'. */
  graphDtype?: DenseDtype;
  /** HNSW edges per node. Default 16. */
  connectivity?: number;
  /** Breadth while inserting. Default 128. */
  expansionAdd?: number;
  /** Minimum breadth at query time (a search for n results uses at least n). Default 128. */
  expansionSearch?: number;
  /** Threads for graph insertion (0 = every core). Default 0. */
  threads?: number;
}

/**
 * Options of {@link MuveraIndex.candidates}.
 *
 * @example
 * ```ts
 * const opts: MuveraSearchOptions = { ndocs: 2000, exact: true };
 * ```
 */
export interface MuveraSearchOptions {
  /** Documents fetched by FDE dot and given the exact MaxSim. Default max(4k, 256). */
  ndocs?: number;
  /** true: exact FDE scan (the oracle of the graph); false / unset: the graph when built. */
  exact?: boolean;
}

const CREATE_KEYS = {
  repetitions: true,
  simhashBits: true,
  projection: true,
  finalDimensions: true,
  fillEmpty: true,
  seed: true,
  graph: true,
  graphDtype: true,
  connectivity: true,
  expansionAdd: true,
  expansionSearch: true,
  threads: true,
} satisfies OptionKeys<MuveraIndexOptions>;

function checkInt(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) invalid('INVALID_ARGUMENT', `MuveraIndex: ${name} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

/**
 * MUVERA first stage: FDEs of a store's documents in a dense index, exact MaxSim re-rank.
 * Keep it in step with the store: remove a document here when removing it there (a candidate
 * the store no longer holds makes `candidates` throw UNKNOWN_ID).
 *
 * @example
 * ```ts
 * const mv = MuveraIndex.create(store, { repetitions: 10, simhashBits: 4, projection: 16, finalDimensions: 1024 });
 * mv.add(allIds);
 * const { ids, scores, scored } = mv.candidates(query, 100, { ndocs: 2000 });
 * ```
 */
export class MuveraIndex {
  readonly encoder: FdeEncoder;
  #store: MultiVectorStore;
  #graph: Graph | null;
  #threads: number;
  #rows = new Float32Array(0);
  #ids = new Uint32Array(0);
  #slot = new Map<number, number>();
  #count = 0;

  private constructor(store: MultiVectorStore, encoder: FdeEncoder, graph: Graph | null, threads: number) {
    this.#store = store;
    this.encoder = encoder;
    this.#graph = graph;
    this.#threads = threads;
  }

  /**
   * An empty MUVERA index over `store` (documents are added with {@link add}).
   * INVALID_ARGUMENT for a bad option.
   *
   * @example
   * ```ts
   * const mv = MuveraIndex.create(store, { finalDimensions: 2048 });
   * ```
   */
  static create(store: MultiVectorStore, opts: MuveraIndexOptions = {}): MuveraIndex {
    if (store === null || typeof store !== 'object' || typeof store.get !== 'function') invalid('INVALID_ARGUMENT', 'MuveraIndex.create: pass the MultiVectorStore whose documents it indexes');
    checkOptions('MuveraIndex.create() options', opts, CREATE_KEYS);
    const { graph = true, graphDtype = 'f16', connectivity = 16, expansionAdd = 128, expansionSearch = 128, threads = 0, ...fde } = opts;
    if (typeof graph !== 'boolean') invalid('INVALID_ARGUMENT', `MuveraIndex: graph must be a boolean, got ${String(graph)}`);
    if (!['f32', 'f16', 'i8'].includes(graphDtype)) invalid('INVALID_ARGUMENT', `MuveraIndex: graphDtype must be 'f32', 'f16' or 'i8', got ${String(graphDtype)}`);
    checkInt(connectivity, 'connectivity', 2, 1024);
    checkInt(expansionAdd, 'expansionAdd', 1, 1 << 20);
    checkInt(expansionSearch, 'expansionSearch', 1, 1 << 20);
    checkInt(threads, 'threads', 0, 1024);
    const encoder = FdeEncoder.create({ ...fde, dimensions: store.dimensions });
    const g = graph ? new Graph({ dim: encoder.outputDimensions, dtype: graphDtype, connectivity, expansionAdd, expansionSearch }) : null;
    return new MuveraIndex(store, encoder, g, threads);
  }

  /**
   * Documents indexed.
   *
   * @example
   * ```ts
   * mv.size; // 0 after create
   * ```
   */
  get size(): number {
    return this.#count;
  }

  /**
   * Bytes of the FDE rows (f32, the exact path) and of the graph's vectors (its dtype; edges
   * not counted).
   *
   * @example
   * ```ts
   * mv.bytes(); // { rows: 4 * D * size, graph: 2 * D * size }
   * ```
   */
  bytes(): { rows: number; graph: number } {
    const D = this.encoder.outputDimensions;
    const per = this.#graph === null ? 0 : this.#graph.config.dtype === 'f32' ? 4 : this.#graph.config.dtype === 'f16' ? 2 : 1;
    return { rows: 4 * D * this.#count, graph: per * D * this.#count };
  }

  /**
   * Encodes the stored documents `ids` (MultiVectorStore.get) and indexes them, the graph in
   * one batch. UNKNOWN_ID if one is not in the store, DUPLICATE_ID if already indexed; a
   * rejected call adds nothing.
   *
   * @example
   * ```ts
   * mv.add([0, 1, 2]);
   * ```
   */
  add(ids: Iterable<number>): void {
    const list = Array.from(ids);
    const seen = new Set<number>();
    for (const id of list) {
      if (!this.#store.has(id)) invalid('UNKNOWN_ID', `MuveraIndex.add: document ${String(id)} is not in the multi-vector store; add it there first`);
      if (this.#slot.has(id) || seen.has(id)) invalid('DUPLICATE_ID', `MuveraIndex.add: document ${id} is already indexed; remove it first`);
      seen.add(id);
    }
    const D = this.encoder.outputDimensions;
    const need = (this.#count + list.length) * D;
    if (need > this.#rows.length) {
      const cap = Math.max(need, Math.min(2 * this.#rows.length, need + (1 << 26)));
      const rows = new Float32Array(cap);
      rows.set(this.#rows.subarray(0, this.#count * D));
      this.#rows = rows;
      const ids2 = new Uint32Array(cap / D);
      ids2.set(this.#ids.subarray(0, this.#count));
      this.#ids = ids2;
    }
    const first = this.#count;
    list.forEach((id, i) => {
      this.#rows.set(this.encoder.encodeDocument(this.#store.get(id)), (first + i) * D);
      this.#ids[first + i] = id;
    });
    this.#graph?.add(Uint32Array.from(list), this.#rows.subarray(first * D, (first + list.length) * D), this.#threads);
    for (let i = 0; i < list.length; i++) this.#slot.set(list[i]!, first + i);
    this.#count += list.length;
  }

  /**
   * Removes a document (its FDE row and graph node); false if it was not indexed.
   *
   * @example
   * ```ts
   * mv.remove(3); // true, then false
   * ```
   */
  remove(id: number): boolean {
    const s = this.#slot.get(id);
    if (s === undefined) return false;
    const D = this.encoder.outputDimensions;
    const last = this.#count - 1;
    if (s !== last) {
      this.#rows.copyWithin(s * D, last * D, (last + 1) * D);
      this.#ids[s] = this.#ids[last]!;
      this.#slot.set(this.#ids[s]!, s);
    }
    this.#slot.delete(id);
    this.#count--;
    this.#graph?.remove(id);
    return true;
  }

  /**
   * The best `n` indexed documents by FDE dot: exact scan (`exact`, or no graph) or the graph.
   *
   * @example
   * ```ts
   * const pool = mv.searchFde(query, 1000, { exact: true });
   * ```
   */
  searchFde(query: MultiVector, n: number, opts: { exact?: boolean } = {}): Ranked {
    checkInt(n, 'n', 1, 0xffff_ffff);
    const qf = this.encoder.encodeQuery(query);
    return this.#fdeTop(qf, n, opts.exact === true);
  }

  #fdeTop(qf: Float32Array, n: number, exact: boolean): Ranked {
    const count = this.#count;
    const D = this.encoder.outputDimensions;
    const want = Math.min(n, count);
    if (count === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
    if (!exact && this.#graph !== null) {
      const ids = this.#graph.search(qf, want);
      // HNSW may come back short (e.g. after removals): the exact scan then
      if (ids.length >= want) {
        const scores = new Float32Array(ids.length);
        const slots = Uint32Array.from(ids, (id) => this.#slot.get(id)!);
        kernels.dotsF32(qf, D, this.#rows.subarray(0, count * D), slots, scores);
        return { ids, scores };
      }
    }
    const scores = new Float32Array(count);
    kernels.dotsF32(qf, D, this.#rows.subarray(0, count * D), null, scores);
    return topK(scores, this.#ids.slice(0, count), want);
  }

  /**
   * First stage: the best `ndocs` by FDE dot get the exact MaxSim (MultiVectorStore.score);
   * the best k are returned, ties by lower id. `probed` = documents fetched by FDE, `scored` =
   * documents given MaxSim (the same here). With ndocs ≥ size and `exact`, equals
   * MultiVectorStore.searchExhaustive over the indexed documents.
   *
   * @example
   * ```ts
   * const { ids, scores } = mv.candidates(query, 10, { ndocs: 2000 });
   * ```
   */
  candidates(query: MultiVector, k: number, opts: MuveraSearchOptions = {}): FirstStageResult {
    checkInt(k, 'k', 1, 0xffff_ffff);
    checkOptions('MuveraIndex.candidates() options', opts, { ndocs: true, exact: true } satisfies OptionKeys<MuveraSearchOptions>);
    const ndocs = checkInt(opts.ndocs ?? Math.max(4 * k, 256), 'ndocs', 1, 0xffff_ffff);
    if (opts.exact !== undefined && typeof opts.exact !== 'boolean') invalid('INVALID_ARGUMENT', `MuveraIndex: exact must be a boolean, got ${String(opts.exact)}`);
    const pool = this.#fdeTop(this.encoder.encodeQuery(query), ndocs, opts.exact === true);
    if (pool.ids.length === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0), probed: 0, scored: 0 };
    const res = topK(this.#store.score(query, pool.ids), pool.ids, k);
    return { ...res, probed: pool.ids.length, scored: pool.ids.length };
  }
}
