/**
 * Dense vector index: a usearch HNSW graph (inner product over L2-normalised vectors) for
 * approximate search, plus canonical rows kept by us for the exact brute-force oracle,
 * rescoring and candidate scoring.
 *
 * Every approximate result is rescored with the stored rows, so the scores returned by
 * {@link DenseIndex.search} are the same numbers {@link DenseIndex.searchExact} and
 * {@link DenseIndex.score} give for those ids; only the candidate set is approximate.
 */

import { invalid, StorageError, TridentError } from '../errors.js';
import { checkOptions, type OptionKeys } from '../options.js';

const CREATE_KEYS = { dimensions: true, dtype: true, rowDtype: true, connectivity: true, expansionAdd: true, expansionSearch: true, oversample: true, threads: true } as const satisfies OptionKeys<DenseIndexOptions>;
const SEARCH_KEYS = { ef: true, filter: true, exact: true } as const satisfies OptionKeys<DenseSearchOptions>;
import { Graph } from './graph.js';
import { searchGraph } from './graph-search.js';
import { RowStore, type DenseDtype } from './rows.js';
import { topK, type Ranked } from '../kernels/topk.js';
import { checkId, checkInt, checkK, checkQuery, normalised, normalisedInto } from './validate.js';
import { readDenseFiles, writeDenseFiles, type DenseSettings } from './persist.js';

export type { DenseDtype } from './rows.js';
export type { Ranked } from '../kernels/topk.js';

/**
 * Options of {@link DenseIndex.create}.
 *
 * @example
 * ```ts
 * const opts: DenseIndexOptions = { dimensions: 1024, dtype: 'i8', oversample: 4 };
 * ```
 */
export interface DenseIndexOptions {
  /** Vector length (1 … 65536). */
  dimensions: number;
  /**
   * Precision of the HNSW graph: 'f32', 'f16' or 'i8'. Default 'f16' from 512 dimensions
   * up (BGE-M3's 1024), else 'f32'.
   */
  dtype?: DenseDtype;
  /**
   * Precision of the rows we keep for exact scoring. Default: same as `dtype`, except
   * 'f16' for an 'i8' graph (usearch's i8 cast loses recall at 1024 dimensions, so i8
   * searches oversample and rescore with these rows).
   */
  rowDtype?: DenseDtype;
  /** HNSW edges per node (usearch `connectivity`). Default 16. */
  connectivity?: number;
  /** Breadth of the graph search while inserting. Default 128. */
  expansionAdd?: number;
  /**
   * Default breadth of the graph search at query time (minimum `ef`). Default 128: on
   * 100k × 1024 clustered vectors recall@10 was 0.93–0.95 at 64 and 0.993–0.996 at 128
   * (bench/dense.bench.ts).
   */
  expansionSearch?: number;
  /**
   * Graph candidates fetched per wanted result before rescoring. Default 1 for f32/f16
   * graphs, 3 for i8.
   */
  oversample?: number;
  /**
   * Threads for `addBatch` graph construction: 0 (default) = every core. 1 makes builds
   * reproducible (multi-threaded insertion order, hence the graph, varies run to run). A graph
   * of at most 64 nodes after the add is always built on one thread. Not persisted.
   */
  threads?: number;
}

/**
 * Options of {@link DenseIndex.search}.
 *
 * @example
 * ```ts
 * const opts: DenseSearchOptions = { ef: 128, filter: (id) => id % 2 === 0 };
 * ```
 */
export interface DenseSearchOptions {
  /**
   * Search breadth: at least this many graph candidates are fetched and rescored.
   * Cannot go below the index's `expansionSearch`.
   */
  ef?: number;
  /** Keep only ids for which this returns true (applied by oversampling, see search). */
  filter?: (id: number) => boolean;
  /**
   * `true`: the brute-force oracle; `false`: always the graph. Unset: the oracle (filter
   * applied to every row) when the collection is small enough that scanning costs about what a graph search does
   * (rows × dimensions ≤ {@link EXACT_BELOW_VALUES}, e.g. 2,048 × 1024 or 20,000 × 100),
   * so small indexes answer exactly; the graph above that.
   */
  exact?: boolean;
}

/**
 * Below this many stored values (rows × dimensions) an unfiltered search without `exact`
 * scans exactly: measured on the dev sets (5k × 100 rows), the SIMD scan takes 0.09 ms,
 * the HNSW search 0.08–0.11 ms at recall 0.98–0.99.
 */
export const EXACT_BELOW_VALUES = 1 << 21;

const MAX_DIM = 65536;
/**
 * HNSW dense index over internal u32 ids.
 *
 * Vectors are L2-normalised on the way in (a copy; the zero vector is rejected), so the
 * inner product of a normalised query with a row is the cosine. Queries are used as given.
 *
 * @example
 * ```ts
 * const index = DenseIndex.create({ dimensions: 3 });
 * index.add(0, new Float32Array([1, 0, 0]));
 * index.add(1, new Float32Array([0, 1, 0]));
 * const { ids, scores } = index.search(new Float32Array([1, 0.1, 0]), 1); // ids [0]
 * ```
 */
export class DenseIndex {
  #settings: DenseSettings;
  #rows: RowStore;
  #graph: Graph;
  /** Removals the usearch graph has seen since it was built (its tombstones). */
  #graphRemovals = 0;
  #threads = 0;
  #closed = false;

  private constructor(settings: DenseSettings, rows: RowStore, graph: Graph) {
    this.#settings = settings;
    this.#rows = rows;
    this.#graph = graph;
  }

  /**
   * Creates an empty index.
   *
   * @example
   * ```ts
   * const index = DenseIndex.create({ dimensions: 1024 }); // f16 graph and rows
   * const small = DenseIndex.create({ dimensions: 1024, dtype: 'i8' }); // i8 graph, f16 rows
   * ```
   */
  static create(opts: DenseIndexOptions): DenseIndex {
    if (opts === null || typeof opts !== 'object') invalid('INVALID_ARGUMENT', 'DenseIndex.create: pass an options object with `dimensions`');
    checkOptions('DenseIndex.create() options', opts, CREATE_KEYS);
    checkInt(opts.dimensions, 'dimensions', 1, MAX_DIM);
    const dims = opts.dimensions;
    const dtype = opts.dtype ?? (dims >= 512 ? 'f16' : 'f32');
    const dtypes = ['f32', 'f16', 'i8'];
    if (!dtypes.includes(dtype)) invalid('INVALID_ARGUMENT', `dtype must be one of ${dtypes.join(', ')}, got ${String(dtype)}`);
    const rowDtype = opts.rowDtype ?? (dtype === 'i8' ? 'f16' : dtype);
    if (!dtypes.includes(rowDtype)) invalid('INVALID_ARGUMENT', `rowDtype must be one of ${dtypes.join(', ')}, got ${String(rowDtype)}`);
    const connectivity = opts.connectivity ?? 16;
    checkInt(connectivity, 'connectivity', 2, 1024);
    const expansionAdd = opts.expansionAdd ?? 128;
    checkInt(expansionAdd, 'expansionAdd', 1, 1 << 20);
    const expansionSearch = opts.expansionSearch ?? 128;
    checkInt(expansionSearch, 'expansionSearch', 1, 1 << 20);
    const oversample = opts.oversample ?? (dtype === 'i8' ? 3 : 1);
    if (typeof oversample !== 'number' || !Number.isFinite(oversample) || oversample < 1 || oversample > 1000) {
      invalid('INVALID_ARGUMENT', `oversample must be a number in [1, 1000], got ${String(oversample)}`);
    }
    const threads = opts.threads ?? 0;
    checkInt(threads, 'threads', 0, 1024);
    const settings: DenseSettings = { dimensions: dims, dtype, rowDtype, connectivity, expansionAdd, expansionSearch, oversample };
    const index = new DenseIndex(settings, new RowStore(dims, rowDtype), DenseIndex.#graphFor(settings));
    index.#threads = threads;
    return index;
  }

  static #graphFor(s: DenseSettings): Graph {
    return new Graph({ dim: s.dimensions, dtype: s.dtype, connectivity: s.connectivity, expansionAdd: s.expansionAdd, expansionSearch: s.expansionSearch });
  }

  /**
   * Number of stored vectors.
   *
   * @example
   * ```ts
   * index.size // 0 for a new index
   * ```
   */
  get size(): number {
    this.#live('size');
    return this.#rows.count;
  }

  /**
   * Vector length.
   *
   * @example
   * ```ts
   * DenseIndex.create({ dimensions: 1024 }).dimensions // 1024
   * ```
   */
  get dimensions(): number {
    return this.#settings.dimensions;
  }

  /**
   * The settings the index was created with, defaults filled in (a copy).
   *
   * @example
   * ```ts
   * DenseIndex.create({ dimensions: 1024 }).settings.dtype // 'f16'
   * ```
   */
  get settings(): Readonly<DenseSettings> {
    return { ...this.#settings };
  }

  /**
   * Bytes of the rows we keep (ids + rows + i8 scales); the usearch graph holds its own
   * copy of the vectors plus links.
   *
   * @example
   * ```ts
   * index.rowBytes / index.size // ≈ 2052 for 1024-d f16 rows
   * ```
   */
  get rowBytes(): number {
    this.#live('rowBytes');
    return this.#rows.bytes;
  }

  /**
   * True when `id` is stored.
   *
   * @example
   * ```ts
   * index.has(0) // true after index.add(0, v)
   * ```
   */
  has(id: number): boolean {
    this.#live('has');
    return this.#rows.has(id);
  }

  /**
   * Adds one vector under a new internal id. Throws DUPLICATE_ID if the id is present,
   * DIMENSION_MISMATCH / INVALID_VECTOR for a bad vector (NaN, ±Inf, all zeros).
   *
   * @example
   * ```ts
   * index.add(42, new Float32Array(1024).fill(0.5)); // stored normalised
   * ```
   */
  add(id: number, vector: Float32Array | number[]): void {
    this.#live('add');
    checkId(id, 'add');
    if (this.#rows.has(id)) invalid('DUPLICATE_ID', `add: id ${id} is already in the dense index; use update() to replace it`);
    const v = normalised(vector, this.dimensions, `add(${id})`);
    this.#insert(Uint32Array.of(id), v, 1);
  }

  /**
   * Adds `n` vectors (`vectors` is n × dimensions, row-major) under new ids, using every
   * core for graph construction. All-or-nothing: one bad id or vector rejects the batch.
   *
   * @example
   * ```ts
   * index.addBatch([0, 1], new Float32Array([1, 0, 0, 0, 1, 0])); // dimensions = 3
   * ```
   */
  addBatch(ids: Uint32Array | number[], vectors: Float32Array | number[]): void {
    this.#live('addBatch');
    if (!(ids instanceof Uint32Array) && !Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'addBatch: ids must be a Uint32Array or number[]');
    if (!(vectors instanceof Float32Array) && !Array.isArray(vectors)) invalid('INVALID_VECTOR', 'addBatch: vectors must be a Float32Array (n × dimensions) or number[]');
    const d = this.dimensions;
    const n = ids.length;
    if (vectors.length !== n * d) {
      invalid('DIMENSION_MISMATCH', `addBatch: ${n} ids need ${n * d} values (n × ${d}), got ${vectors.length}`);
    }
    const seen = new Set<number>();
    const idArr = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      checkId(id, `addBatch[${i}]`);
      if (this.#rows.has(id) || seen.has(id)) invalid('DUPLICATE_ID', `addBatch: id ${id} appears twice or is already in the dense index`);
      seen.add(id);
      idArr[i] = id;
    }
    const all = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = vectors instanceof Float32Array ? vectors.subarray(i * d, i * d + d) : vectors.slice(i * d, i * d + d);
      normalisedInto(row, d, `addBatch[${i}] (id ${idArr[i]})`, all, i * d);
    }
    this.#insert(idArr, all, this.#threads);
  }

  #insert(ids: Uint32Array, rows: Float32Array, threads: number): void {
    const d = this.dimensions;
    this.#rows.reserve(ids.length);
    try {
      this.#graph.add(ids, rows, threads);
    } catch (e) {
      for (const id of ids) if (!this.#rows.has(id)) this.#graph.remove(id);
      this.#graphRemovals += ids.length;
      throw e;
    }
    if (ids.length === 1) this.#rows.append(ids[0]!, rows.subarray(0, d));
    else this.#rows.appendRows(ids, rows);
  }

  /**
   * Replaces the vector of an existing id (UNKNOWN_ID if absent).
   *
   * @example
   * ```ts
   * index.update(42, newVector);
   * ```
   */
  update(id: number, vector: Float32Array | number[]): void {
    this.#live('update');
    checkId(id, 'update');
    if (!this.#rows.has(id)) invalid('UNKNOWN_ID', `update: id ${id} is not in the dense index; use add() for new ids`);
    const v = normalised(vector, this.dimensions, `update(${id})`);
    this.#graph.remove(id);
    this.#graphRemovals++;
    this.#graph.add(Uint32Array.of(id), v, 1);
    this.#rows.replace(id, v);
  }

  /**
   * Removes an id; returns false when it was not stored.
   *
   * @example
   * ```ts
   * index.remove(42) // true, then false
   * ```
   */
  remove(id: number): boolean {
    this.#live('remove');
    checkId(id, 'remove');
    if (!this.#rows.has(id)) return false;
    this.#graph.remove(id);
    this.#graphRemovals++;
    this.#rows.remove(id);
    return true;
  }

  /**
   * The stored (normalised, dequantised) vector of an id; UNKNOWN_ID if absent.
   *
   * @example
   * ```ts
   * index.vector(42) // Float32Array(1024), unit length up to storage precision
   * ```
   */
  vector(id: number): Float32Array {
    this.#live('vector');
    checkId(id, 'vector');
    const slot = this.#rows.slot(id);
    if (slot === undefined) invalid('UNKNOWN_ID', `vector: id ${id} is not in the dense index`);
    return this.#rows.row(slot);
  }

  /**
   * Exact scores (query · stored row) of the given ids, in their order; UNKNOWN_ID if one
   * is not stored. One kernel call.
   *
   * @example
   * ```ts
   * index.score(q, Uint32Array.of(3, 7)) // Float32Array [q·v3, q·v7]
   * ```
   */
  score(query: Float32Array | number[], ids: Uint32Array | number[]): Float32Array {
    this.#live('score');
    const q = checkQuery(query, this.dimensions, 'score');
    const slots = this.#slotsOf(ids, 'score');
    const out = new Float32Array(slots.length);
    this.#rows.dots(q, slots, out);
    return out;
  }

  /**
   * Candidate-restricted search: scores only the given ids exactly (one kernel call) and
   * returns the best k, best first, ties by lower id. Unknown ids throw UNKNOWN_ID, or are
   * skipped with `skipUnknown: true` (e.g. candidates coming from another store).
   *
   * @example
   * ```ts
   * const top = index.searchCandidates(q, sparseTopIds, 10, { skipUnknown: true });
   * ```
   */
  searchCandidates(query: Float32Array | number[], ids: Uint32Array | number[], k: number, opts: { skipUnknown?: boolean } = {}): Ranked {
    this.#live('searchCandidates');
    checkK(k, 'searchCandidates');
    const q = checkQuery(query, this.dimensions, 'searchCandidates');
    if (!(ids instanceof Uint32Array) && !Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'searchCandidates: ids must be a Uint32Array or number[]');
    const skip = opts?.skipUnknown === true;
    const known = new Set<number>();
    for (const id of ids) {
      if (this.#rows.has(id)) known.add(id);
      else if (!skip) invalid('UNKNOWN_ID', `searchCandidates: id ${String(id)} is not in the dense index (pass skipUnknown: true to ignore such ids)`);
    }
    const list = Uint32Array.from(known);
    const slots = this.#slotsOf(list, 'searchCandidates');
    const scores = new Float32Array(slots.length);
    this.#rows.dots(q, slots, scores);
    return topK(scores, list, k);
  }

  #slotsOf(ids: Uint32Array | number[], where: string): Uint32Array {
    if (!(ids instanceof Uint32Array) && !Array.isArray(ids)) invalid('INVALID_ARGUMENT', `${where}: ids must be a Uint32Array or number[]`);
    const slots = new Uint32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const slot = this.#rows.slot(ids[i]!);
      if (slot === undefined) invalid('UNKNOWN_ID', `${where}: id ${String(ids[i])} is not in the dense index`);
      slots[i] = slot;
    }
    return slots;
  }

  /**
   * Exact top-k by a full scan (the oracle of the approximate search), best first, ties by
   * lower id; the same name as SparseIndex's and MultiVectorStore's exhaustive search.
   *
   * @example
   * ```ts
   * const truth = index.searchExhaustive(q, 10);
   * ```
   */
  searchExhaustive(query: Float32Array | number[], k: number, opts: { filter?: (id: number) => boolean } = {}): Ranked {
    return this.searchExact(query, k, opts);
  }

  /**
   * @deprecated use {@link searchExhaustive} (the name every store shares).
   *
   * Brute-force top-k (the oracle): scores every stored row with one kernel call.
   * Best first, ties by lower id; k larger than the collection returns everything.
   *
   * @example
   * ```ts
   * const exact = index.searchExact(q, 10, { filter: (id) => id % 2 === 0 });
   * ```
   */
  searchExact(query: Float32Array | number[], k: number, opts: { filter?: (id: number) => boolean } = {}): Ranked {
    this.#live('searchExact');
    checkK(k, 'searchExact');
    const q = checkQuery(query, this.dimensions, 'searchExact');
    const filter = checkFilter(opts?.filter, 'searchExact');
    return this.#exact(q, k, filter);
  }

  /**
   * The exact top-k, asking the filter only about the best-scoring rows: all rows are scored
   * (one SIMD call), then the top 2k, 8k, … of the unfiltered order are filtered until k pass.
   * Same result as {@link #exact} (the filtered top-k is a prefix of the filtered unfiltered
   * order), far fewer filter calls when most rows pass.
   */
  #exactLazy(q: Float32Array, k: number, filter: ((id: number) => boolean) | undefined): Ranked {
    if (filter === undefined) return this.#exact(q, k, undefined);
    const n = this.#rows.count;
    const allIds = this.#rows.ids;
    const scores = new Float32Array(n);
    this.#rows.dots(q, null, scores);
    for (let want = Math.min(n, Math.max(2 * k, 64)); ; want = Math.min(n, want * 4)) {
      const top = topK(scores, allIds, want);
      const ids: number[] = [];
      const sc: number[] = [];
      for (let i = 0; i < top.ids.length && ids.length < k; i++) {
        if (filter(top.ids[i]!) === true) {
          ids.push(top.ids[i]!);
          sc.push(top.scores[i]!);
        }
      }
      if (ids.length >= k || want >= n) return { ids: Uint32Array.from(ids), scores: Float32Array.from(sc) };
    }
  }

  #exact(q: Float32Array, k: number, filter: ((id: number) => boolean) | undefined): Ranked {
    const n = this.#rows.count;
    const allIds = this.#rows.ids;
    if (filter === undefined) {
      const scores = new Float32Array(n);
      this.#rows.dots(q, null, scores);
      return topK(scores, allIds.slice(), k);
    }
    const slots = new Uint32Array(n);
    const ids = new Uint32Array(n);
    let m = 0;
    for (let s = 0; s < n; s++) {
      const id = allIds[s]!;
      if (filter(id)) {
        slots[m] = s;
        ids[m++] = id;
      }
    }
    const scores = new Float32Array(m);
    this.#rows.dots(q, slots.subarray(0, m), scores);
    return topK(scores, ids, k, m);
  }

  /**
   * Approximate top-k through the HNSW graph; candidates are rescored exactly, so scores
   * are inner products with the stored rows (best first, ties by lower id).
   *
   * With a `filter`, the graph is asked for more candidates (growing with the observed
   * pass rate) until k × oversample of them pass or the collection is exhausted; when the
   * filter is so selective that more than 1/32 of the rows would be needed, it scans
   * exactly (the filter is called at most once per id per search).
   *
   * @example
   * ```ts
   * const { ids, scores } = index.search(q, 10, { ef: 128 });
   * const mine = index.search(q, 10, { filter: (id) => allowed.has(id) });
   * ```
   */
  search(query: Float32Array | number[], k: number, opts: DenseSearchOptions = {}): Ranked {
    this.#live('search');
    checkK(k, 'search');
    const q = checkQuery(query, this.dimensions, 'search');
    checkOptions('DenseIndex.search() options', opts, SEARCH_KEYS);
    const o = opts ?? {};
    if (o.ef !== undefined) checkInt(o.ef, 'ef', 1, 1 << 20);
    const filter = checkFilter(o.filter, 'search');
    const n = this.#rows.count;
    if (n === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
    if (o.exact === true) return this.#exact(q, k, filter);
    if (o.exact === undefined && n * this.dimensions <= EXACT_BELOW_VALUES) return this.#exactLazy(q, k, filter);
    const graph = this.#graph;
    return searchGraph(
      {
        n,
        k,
        base: Math.max(Math.ceil(k * this.#settings.oversample), o.ef ?? 0, k),
        need: Math.max(k, Math.ceil(k * this.#settings.oversample)),
        candidates: (wanted) => graph.search(q, wanted),
        rescore: (ids) => this.#rescore(q, ids, k),
        exact: (pass) => this.#exact(q, k, pass),
      },
      filter,
    );
  }

  #rescore(q: Float32Array, ids: Uint32Array, k: number): Ranked {
    const slots = new Uint32Array(ids.length);
    for (let i = 0; i < ids.length; i++) slots[i] = this.#rows.slot(ids[i]!)!;
    const scores = new Float32Array(ids.length);
    this.#rows.dots(q, slots, scores);
    return topK(scores, ids, k);
  }

  /**
   * Releases the graph and rows (the usearch handle is freed when collected). Idempotent;
   * any later call except `close()`, `dimensions` and `settings` throws INDEX_CLOSED.
   *
   * @example
   * ```ts
   * index.close(); index.close(); // fine
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#graph = null as unknown as Graph;
    this.#rows = null as unknown as RowStore;
  }

  #live(where: string): void {
    if (this.#closed) throw new TridentError('INDEX_CLOSED', `${where}: the dense index was closed; open it again with DenseIndex.openFiles`);
  }

  /**
   * Writes the index into an existing directory: `dense.rows` (ids, rows and settings
   * with magic, version and CRC32) and `dense.usearch` (the HNSW graph). Each file is
   * written to a temporary sibling and renamed into place. Returns the file names.
   *
   * @example
   * ```ts
   * await index.saveFiles('/data/my-index'); // ['dense.rows', 'dense.usearch']
   * ```
   */
  async saveFiles(dir: string): Promise<string[]> {
    this.#live('saveFiles');
    // usearch 2.25 corrupts its heap when a graph saved with removed entries is loaded and
    // then added to: never write tombstones, rebuild the graph from the live rows instead.
    if (this.#graphRemovals > 0) this.#rebuildGraph();
    return writeDenseFiles(dir, this.#settings, this.#rows, (path) => this.#graph.save(path));
  }

  /**
   * Writes only the HNSW graph (usearch's own file: the vectors in slot order, then the graph,
   * keys = ids) to `path`, rebuilding it first if entries were removed (as {@link saveFiles}).
   * A segmented index's save turns its in-memory tail into a dense segment this way, without
   * building a second graph (src/segments/dense-segment.ts).
   *
   * @example
   * ```ts
   * index.saveGraphFile('/data/index/segments/dense/seg-000003.hnsw.tmp');
   * ```
   */
  saveGraphFile(path: string): void {
    this.#live('saveGraphFile');
    if (this.#graphRemovals > 0) this.#rebuildGraph();
    this.#graph.save(path);
  }

  #rebuildGraph(): void {
    const d = this.dimensions;
    const ids = this.#rows.ids.slice();
    const all = new Float32Array(ids.length * d);
    for (let s = 0; s < ids.length; s++) all.set(this.#rows.row(s), s * d);
    const graph = DenseIndex.#graphFor(this.#settings);
    graph.add(ids, all, this.#threads);
    this.#graph = graph;
    this.#graphRemovals = 0;
  }

  /**
   * Opens an index written by {@link saveFiles}. Checks magic, version, lengths and
   * checksums (StorageError naming the file), then the graph's structure, before the graph
   * is handed to usearch. A graph that passes its checksum but not the structural check
   * (a crafted or foreign `dense.usearch`: usearch would crash on it) is never loaded: the
   * graph is rebuilt from the stored rows, which passed their own checks, and
   * `opts.onWarning` is told why. Search results stay exact-rescored, so only the
   * candidate order of the rebuilt graph may differ from the saved one.
   *
   * @example
   * ```ts
   * const index = await DenseIndex.openFiles('/data/my-index', { onWarning: (m) => log.warn(m) });
   * ```
   */
  static async openFiles(dir: string, opts: { onWarning?: (message: string) => void } = {}): Promise<DenseIndex> {
    const { settings, rows, graphPath, graphProblem } = await readDenseFiles(dir);
    if (graphProblem !== null) {
      const index = new DenseIndex(settings, rows, DenseIndex.#graphFor(settings));
      index.#rebuildGraph();
      opts.onWarning?.(`${graphPath} is not a graph trident wrote (${graphProblem}); rebuilt it from the ${rows.count} stored rows. Save the index to replace the file`);
      return index;
    }
    const graph = Graph.load(graphPath, { dim: settings.dimensions, dtype: settings.dtype, connectivity: settings.connectivity, expansionAdd: settings.expansionAdd, expansionSearch: settings.expansionSearch });
    if (graph.size !== rows.count || !graph.containsAll(rows.ids)) {
      invalidStorage(graphPath, `the HNSW graph holds ${graph.size} vectors but dense.rows lists ${rows.count}, or their ids differ`);
    }
    return new DenseIndex(settings, rows, graph);
  }
}

function invalidStorage(file: string, message: string): never {
  throw new StorageError('CORRUPT_FILE', `${file}: ${message}`, { file });
}

function checkFilter(filter: unknown, where: string): ((id: number) => boolean) | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== 'function') invalid('INVALID_ARGUMENT', `${where}: filter must be a function (id) => boolean`);
  return filter as (id: number) => boolean;
}
