/**
 * The usearch HNSW graph behind {@link DenseIndex}: the only importer of `usearch`.
 * Keys are trident's internal u32 ids; the metric is the inner product (rows are
 * normalised, so it equals the cosine). usearch errors (plain `Error`/`TypeError`) are
 * mapped to typed trident errors here.
 */

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type usearchEsm from 'usearch';
import { StorageError, TridentError } from '../errors.js';
import type { DenseDtype } from './rows.js';

/** Graphs of at most this many nodes after an add are built on one thread (see DenseGraph.add). */
export const SINGLE_THREAD_NODES = 64;

// usearch's CommonJS build, not its ES module: the ES build looks for its native addon from
// `globalThis.__dirname` when one exists, and `node -e` defines it as '.', so the lookup walked
// up relative paths forever (RangeError: Maximum call stack size exceeded) unless the working
// directory happened to have a `build/` or `prebuilds/` above it. The CommonJS build uses its
// own module directory.
const usearch = createRequire(import.meta.url)('usearch') as typeof usearchEsm;
const { Index, MetricKind } = usearch;
type UIndex = InstanceType<typeof Index>;

/** HNSW construction parameters. */
export interface GraphConfig {
  dim: number;
  dtype: DenseDtype;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

function nativeError(what: string, e: unknown): TridentError {
  const msg = e instanceof Error ? e.message : String(e);
  return new TridentError('NATIVE_ERROR', `usearch ${what} failed: ${msg}`, { cause: e });
}

/** Thin wrapper over a usearch `Index` (not exported from the package). */
export class Graph {
  readonly config: GraphConfig;
  #index: UIndex;

  constructor(config: GraphConfig) {
    this.config = config;
    this.#index = Graph.#make(config);
  }

  static #make(c: GraphConfig): UIndex {
    try {
      return new Index({
        dimensions: c.dim,
        metric: MetricKind.IP,
        quantization: c.dtype as never,
        connectivity: c.connectivity,
        expansion_add: c.expansionAdd,
        expansion_search: c.expansionSearch,
        multi: false,
      });
    } catch (e) {
      throw nativeError('index creation', e);
    }
  }

  get size(): number {
    return this.#index.size();
  }

  /**
   * The thread count usearch's last capacity reservation prepared per-thread contexts for (0 =
   * its default, every hardware thread). usearch reserves only when an add would reach the
   * capacity, with that add's thread count; an add with more threads than the contexts fails
   * ("Reserve capacity ahead of insertions!") or not, depending on which worker takes which
   * task. 1 (always safe) until this object has seen a reservation.
   */
  #reservedThreads = 1;

  /**
   * Adds rows (n × dim, normalised f32) under the given keys (`threads` 0 = every core this
   * process may run on: `os.availableParallelism()`, which follows the CPU affinity — usearch's
   * own 0 counts the machine's hardware threads, so a process pinned to one core would run two
   * insertion threads there, spinning on each other's locks).
   */
  add(ids: Uint32Array, rows: Float32Array, requested = 1): void {
    if (ids.length === 0) return;
    // a graph that stays small is built on one thread: concurrent insertions into a near-empty
    // graph race for its entry point and can leave nodes poorly linked (a 20-row batch on 2
    // threads once missed the exact top-1 of 5 of its own rows), and buy nothing at that size
    const small = this.#index.size() + ids.length <= SINGLE_THREAD_NODES;
    const threads = small ? 1 : requested === 0 ? availableParallelism() : requested;
    const keys = new BigUint64Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = BigInt(ids[i]!);
    const reserves = this.#index.size() + ids.length >= this.#index.capacity();
    const r = this.#reservedThreads;
    const usable = reserves || threads === r || threads === 1 || (r !== 0 && threads !== 0 && threads <= r);
    const t = usable ? threads : 1;
    try {
      this.#index.add(keys, rows, t);
    } catch (e) {
      throw nativeError('add', e);
    }
    if (reserves) this.#reservedThreads = t;
  }

  remove(id: number): void {
    try {
      this.#index.remove(BigInt(id));
    } catch (e) {
      throw nativeError('remove', e);
    }
  }

  /** Approximate nearest ids (up to `wanted`), in the graph's order. */
  search(query: Float32Array, wanted: number): Uint32Array {
    if (this.#index.size() === 0) return new Uint32Array(0);
    let m: { keys: ArrayLike<bigint | number> };
    try {
      m = this.#index.search(query, wanted, 1);
    } catch (e) {
      throw nativeError('search', e);
    }
    const out = new Uint32Array(m.keys.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(m.keys[i]!);
    return out;
  }

  /** Writes the graph (usearch's own format) to `path`. */
  save(path: string): void {
    try {
      this.#index.save(path);
    } catch (e) {
      throw new StorageError('IO_ERROR', `could not write the HNSW graph to ${path}: ${(e as Error).message}`, { cause: e, file: path });
    }
  }

  /**
   * Loads a graph written by {@link save}. The caller must have validated the file first
   * (checksum, then `validateGraphBytes` in graph-validate.ts): usearch trusts its input and
   * a crafted file can crash the process.
   */
  static load(path: string, config: GraphConfig): Graph {
    return Graph.#read(path, config, 'load');
  }

  /**
   * Memory-maps a graph written by {@link save} (usearch's `view`): nothing is copied into the
   * heap and the graph is read-only (add / remove fail). The caller must have validated the
   * file first, exactly as for {@link load}.
   */
  static view(path: string, config: GraphConfig): Graph {
    return Graph.#read(path, config, 'view');
  }

  static #read(path: string, config: GraphConfig, how: 'load' | 'view'): Graph {
    const g = new Graph(config);
    try {
      if (how === 'load') g.#index.load(path);
      else g.#index.view(path);
    } catch (e) {
      throw new StorageError('CORRUPT_FILE', `could not ${how === 'load' ? 'load' : 'map'} the HNSW graph ${path}: ${(e as Error).message}`, { cause: e, file: path });
    }
    if (g.#index.dimensions() !== config.dim) {
      throw new StorageError('CORRUPT_FILE', `HNSW graph ${path} has ${g.#index.dimensions()} dimensions, expected ${config.dim}`, { file: path });
    }
    return g;
  }

  /** True when every id is in the graph. */
  containsAll(ids: Uint32Array): boolean {
    if (ids.length === 0) return true;
    const keys = new BigUint64Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = BigInt(ids[i]!);
    const r = this.#index.contains(keys);
    return Array.isArray(r) ? r.every(Boolean) : Boolean(r);
  }
}
