/**
 * Search off the event loop (issue 16): a pool of worker threads, each holding the committed
 * segments of one segmented store open read-only (memory-mapped: the page cache is shared, so
 * a worker costs little memory), answering sparse (BM25 / dot), MaxSim top-k and MaxSim
 * re-rank searches as Promises.
 *
 * - One search is split by segment across workers when the generation has several segments
 *   (a fixed balanced partition per generation) and fewer searches than threads are in
 *   flight; otherwise (one segment, or a busy pool) it goes whole to the least busy worker. BM25's statistics are global: the live counts and lengths are summed per
 *   segment in segment order (as SegmentedStore does), the df of the query terms are gathered
 *   from every worker first, then every worker scores with the same figures — results are
 *   SegmentedStore's exactly (ids, scores, order, ties by lower id).
 * - Queries and results cross threads as transferable typed arrays (the caller's arrays are
 *   copied, never detached).
 * - Filters: a JS function cannot cross threads; pass `allow` and / or `deny` as a Uint32Array
 *   of ids or a Uint8Array bitmap (bit `id & 7` of byte `id >> 3`).
 * - Workers see committed state only: documents added or deleted on a SegmentedStore since its
 *   last commit are not visible. When `segments.json` is replaced (a commit), the pool reloads
 *   (`watch`, default on; or call {@link SearchPool.reload}); searches in flight finish on the
 *   generation they started on.
 * - A worker that dies rejects its in-flight searches with `WORKER_FAILED` and is replaced;
 *   after `close()` every call rejects with `INDEX_CLOSED`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, InvalidArgumentError, StorageError, TridentError, invalid } from '../errors.js';
import { mergeTopK, type Ranked } from '../kernels/topk.js';
import type { MultiVector } from '../multivector/types.js';
import { checkQuery } from '../multivector/validate.js';
import { TopK } from '../sparse/topk.js';
import { validateSparseVector, type SparseVector } from '../sparse/vector.js';
import type { MapOptions } from '../store/mmap.js';
import { SEGMENTS_FILE, type SegmentChannels } from './manifest.js';
import type { WireFilter, WorkerReply, WorkerRequest } from './search-wire.js';
import { SegmentedStore } from './store.js';

/** Options of {@link SearchPool.create}. */
export interface SearchPoolOptions extends MapOptions {
  /** Worker threads (default `os.availableParallelism()`), 1…256. */
  threads?: number;
  /** Reload when the store's `segments.json` is replaced (default true). */
  watch?: boolean;
}

/**
 * Which documents a pool search may return, by id: `allow` keeps only these, `deny` drops
 * these (both: allowed and not denied). Each is a Uint32Array of ids (any order) or a
 * Uint8Array bitmap (bit `id & 7` of byte `id >> 3`; ids past its end are not set).
 */
export interface PoolFilter {
  allow?: Uint32Array | Uint8Array;
  deny?: Uint32Array | Uint8Array;
}

type Pending = { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** generations this worker holds open */
  gens: Set<number>;
  error?: Error;
  /** it answered at least one message (started fine) */
  answered: boolean;
  /** it exited: sends reject at once */
  dead: boolean;
  /** replacements in a row that exited before answering (backs the next one off) */
  failures: number;
}

interface Generation {
  gen: number;
  channels: SegmentChannels;
  /** live documents and Σ length per segment (segment order) */
  liveN: number[];
  liveLen: number[];
  /** segment indexes per group (groups.length ≤ threads; one group = search whole) */
  groups: number[][];
}

/**
 * How to start a worker: the built `.js` entry beside this module (the published package), or,
 * when this module runs from its `.ts` source (tests, tsx), a small CommonJS bootstrap that
 * registers tsx's require hook in the worker and loads the `.ts` entry (Node 20 does not apply
 * `--import` loader hooks to a worker's entry). `name`: the entry module beside this one.
 *
 * @internal
 */
export function workerEntry(name = 'search-worker'): { entry: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { entry: new URL(`./${name}.js`, here), eval: false };
  const req = createRequire(here);
  const api = req.resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL(`./${name}.ts`, here));
  return { entry: `require(${JSON.stringify(api)}).register();\nrequire(${JSON.stringify(file)});`, eval: true };
}

/** The parent's Node options minus those that only make sense for it (`-e` and its code, `--input-type`). @internal */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out;
}

/** Longest-processing-time partition of segments (by live documents) into at most `n` groups. @internal */
export function partition(live: number[], n: number): number[][] {
  const g = Math.min(n, live.length);
  if (g <= 1) return [live.map((_, j) => j)];
  const groups: number[][] = Array.from({ length: g }, () => []);
  const load = new Float64Array(g);
  const order = live.map((_, j) => j).sort((a, b) => live[b]! - live[a]! || a - b);
  for (const j of order) {
    let best = 0;
    for (let x = 1; x < g; x++) if (load[x]! < load[best]!) best = x;
    groups[best]!.push(j);
    load[best]! += live[j]! + 1;
  }
  for (const grp of groups) grp.sort((a, b) => a - b);
  return groups.filter((grp) => grp.length > 0);
}

function normFilter(f: PoolFilter | undefined): WireFilter | undefined {
  if (f === undefined) return undefined;
  if (typeof f === 'function') invalid('INVALID_ARGUMENT', 'a pool search cannot run a JS filter function on its worker threads: pass { allow, deny } as a Uint32Array of ids or a Uint8Array bitmap');
  if (f === null || typeof f !== 'object') invalid('INVALID_ARGUMENT', 'filter must be { allow?, deny? }');
  const out: WireFilter = {};
  for (const key of ['allow', 'deny'] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (v instanceof Uint32Array) {
      out[key] = Uint32Array.from(new Set(v)).sort();
      out[`${key}Kind`] = 'ids';
    } else if (v instanceof Uint8Array) {
      out[key] = v;
      out[`${key}Kind`] = 'bits';
    } else invalid('INVALID_ARGUMENT', `filter.${key} must be a Uint32Array of ids or a Uint8Array bitmap (bit id & 7 of byte id >> 3)`);
  }
  return out;
}

/** A typed error from its serialised form (a worker's reply). @internal */
export function fromWire(e: { name: string; code: string; message: string; file?: string }): Error {
  const code = e.code as ErrorCode;
  const msg = e.message.startsWith(`${code}: `) ? e.message.slice(code.length + 2) : e.message;
  if (e.name === 'InvalidArgumentError') return new InvalidArgumentError(code, msg);
  if (e.name === 'StorageError') return new StorageError(code, msg, e.file === undefined ? {} : { file: e.file });
  return new TridentError(code, msg);
}

/**
 * A pool of worker threads searching one segmented store's committed segments.
 *
 * @example
 * ```ts
 * const pool = await SearchPool.create(dir, { threads: 2 });
 * const { ids, scores } = await pool.searchSparse({ ids: Uint32Array.of(9), weights: Float32Array.of(1) }, 10);
 * await pool.close();
 * ```
 */
export class SearchPool {
  readonly dir: string;
  #opts: SearchPoolOptions;
  #slots: Slot[] = [];
  #gen: Generation | null = null;
  #inflight = new Map<number, number>();
  #rid = 0;
  #rr = 0;
  /** searches in flight */
  #active = 0;
  #closed = false;
  #reloading: Promise<number> = Promise.resolve(0);
  #watcher: FSWatcher | null = null;
  #entry = workerEntry();

  private constructor(dir: string, opts: SearchPoolOptions) {
    this.dir = dir;
    this.#opts = opts;
  }

  /**
   * Starts `threads` workers on the store at `store` (a directory, or an open SegmentedStore's
   * directory) and opens its committed generation in each.
   *
   * @example
   * ```ts
   * const pool = await SearchPool.create(store, { threads: 4, watch: true });
   * ```
   */
  static async create(store: string | SegmentedStore, opts: SearchPoolOptions = {}): Promise<SearchPool> {
    const dir = typeof store === 'string' ? store : store instanceof SegmentedStore ? store.dir : invalid('INVALID_ARGUMENT', 'SearchPool.create: pass a store directory or a SegmentedStore');
    const threads = opts.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) invalid('INVALID_ARGUMENT', `threads must be an integer in 1…256, got ${String(opts.threads)}`);
    const pool = new SearchPool(dir, opts);
    for (let i = 0; i < threads; i++) pool.#slots.push(pool.#spawn(i));
    try {
      await pool.reload();
    } catch (e) {
      await pool.close();
      throw e;
    }
    if (opts.watch !== false) {
      let timer: NodeJS.Timeout | null = null;
      pool.#watcher = watch(dir, (_ev, name) => {
        if (name !== SEGMENTS_FILE || timer !== null || pool.#closed) return;
        timer = setTimeout(() => {
          timer = null;
          pool.reload().catch(() => undefined);
        }, 10);
        timer.unref();
      });
      pool.#watcher.unref();
      pool.#watcher.on('error', () => undefined);
    }
    return pool;
  }

  /** Worker threads. */
  get threads(): number {
    return this.#slots.length;
  }

  /** The committed generation new searches run on. */
  get generation(): number {
    return this.#gen?.gen ?? -1;
  }

  #spawn(i: number, failures = 0): Slot {
    const worker = new Worker(this.#entry.entry, { eval: this.#entry.eval, execArgv: workerExecArgv(), workerData: { dir: this.dir, map: { mode: this.#opts.mode } } });
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), gens: new Set(), answered: false, dead: false, failures };
    worker.on('message', (r: WorkerReply) => {
      slot.answered = true;
      const p = slot.pending.get(r.rid);
      if (!p) return;
      slot.pending.delete(r.rid);
      if (slot.pending.size === 0) worker.unref();
      if (r.ok) p.resolve(r as WorkerReply & { ok: true });
      else p.reject(fromWire(r.error));
    });
    worker.on('error', (e) => {
      slot.error = e;
    });
    worker.on('exit', (code) => {
      slot.dead = true;
      if (this.#closed) return;
      const why = slot.error ? `: ${slot.error.message}` : '';
      const err = new StorageError('WORKER_FAILED', `search worker ${i} exited (code ${code})${why}; it was replaced, retry the search`);
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      // replace it and open the current generation there (a newer one reloads every worker);
      // one that keeps dying before it answers is retried with a growing delay (≤ 30 s), and
      // searches sent to the dead slot meanwhile reject with WORKER_FAILED
      const n = slot.answered ? 0 : slot.failures + 1;
      const respawn = () => {
        if (this.#closed) return;
        const fresh = this.#spawn(i, n);
        this.#slots[i] = fresh;
        this.#send(fresh, { op: 'open', rid: 0 })
          .then((r) => {
            if ('gen' in r) {
              fresh.gens.add(r.gen);
              if (r.gen !== this.generation) return this.reload();
            }
            return 0;
          })
          .catch(() => undefined);
      };
      if (n <= 1) respawn();
      else setTimeout(respawn, Math.min(30_000, 100 * 2 ** n)).unref();
    });
    return slot;
  }

  #send(slot: Slot, m: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply & { ok: true }> {
    if (this.#closed) return Promise.reject(new StorageError('INDEX_CLOSED', `the search pool on ${this.dir} is closed`));
    if (slot.dead) return Promise.reject(new StorageError('WORKER_FAILED', `a search worker of the pool on ${this.dir} died and is being replaced; retry the search`));
    const rid = ++this.#rid;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(rid, { resolve, reject });
      slot.worker.postMessage({ ...m, rid }, transfer);
    });
  }

  #check(): void {
    if (this.#closed) throw new StorageError('INDEX_CLOSED', `the search pool on ${this.dir} is closed`);
  }

  /**
   * Opens the store's current committed generation in every worker (retrying until all agree)
   * and makes it the one new searches use; resolves to it. Searches in flight finish on theirs.
   *
   * @example
   * ```ts
   * await store.commit(); const gen = await pool.reload();
   * ```
   */
  reload(): Promise<number> {
    const run = this.#reloading.catch(() => 0).then(() => this.#reload());
    this.#reloading = run;
    return run;
  }

  async #reload(): Promise<number> {
    this.#check();
    for (let attempt = 1; ; attempt++) {
      const slots = this.#slots.slice();
      const replies = await Promise.all(slots.map((s) => this.#send(s, { op: 'open', rid: 0 })));
      const gens = replies.map((r, i) => {
        const g = (r as { gen: number }).gen;
        slots[i]!.gens.add(g);
        return g;
      });
      if (gens.some((g) => g !== gens[0]) && attempt < 10) continue;
      if (gens.some((g) => g !== gens[0])) throw new StorageError('IO_ERROR', `${this.dir}: the store's generation kept changing while the search pool opened it; retry`);
      const first = replies[0] as { gen: number; channels: SegmentChannels };
      if (this.#gen === null || this.#gen.gen !== first.gen) {
        const liveN: number[] = [];
        const liveLen: number[] = [];
        const docs = (replies[0] as { docs: number[] }).docs;
        // per-segment live counts and lengths, in segment order (summed like SegmentedStore)
        const per = await Promise.all(docs.map((_, j) => this.#send(slots[0]!, { op: 'stats', rid: 0, gen: first.gen, segs: [j], qids: new Uint32Array(0), qw: new Float32Array(0) }) as Promise<{ N: number; len: number }>));
        for (const r of per) {
          liveN.push(r.N);
          liveLen.push(r.len);
        }
        this.#gen = { gen: first.gen, channels: first.channels, liveN, liveLen, groups: partition(liveN, slots.length) };
      }
      this.#dropUnused();
      return first.gen;
    }
  }

  /** Closes, in every worker, the generations no search uses any more. */
  #dropUnused(): void {
    for (const slot of this.#slots) {
      for (const g of slot.gens) {
        if (g === this.#gen?.gen || (this.#inflight.get(g) ?? 0) > 0) continue;
        slot.gens.delete(g);
        this.#send(slot, { op: 'drop', rid: 0, gen: g }).catch(() => undefined);
      }
    }
  }

  /** Runs `fn` on the current generation, counting it in flight. */
  async #on<T>(fn: (g: Generation) => Promise<T>): Promise<T> {
    this.#check();
    const g = this.#gen!;
    this.#inflight.set(g.gen, (this.#inflight.get(g.gen) ?? 0) + 1);
    // split by segment only while threads are idle; under load a whole search per worker
    // costs fewer messages (and no statistics round trip), so throughput scales with threads
    const split = g.groups.length > 1 && this.#active < this.#slots.length;
    this.#active++;
    try {
      return await fn(split ? g : { ...g, groups: [g.groups.flat()] });
    } finally {
      this.#active--;
      const n = this.#inflight.get(g.gen)! - 1;
      if (n === 0) this.#inflight.delete(g.gen);
      else this.#inflight.set(g.gen, n);
      if (n === 0 && g !== this.#gen && !this.#closed) this.#dropUnused();
    }
  }

  /** The least busy worker. */
  #idle(): Slot {
    let best = this.#slots[this.#rr++ % this.#slots.length]!;
    for (const s of this.#slots) if (s.pending.size < best.pending.size) best = s;
    return best;
  }

  /** Worker of group `x` for this search (rotated so groups spread over every thread). */
  #slotsFor(g: Generation): Slot[] {
    const r = this.#rr++;
    return g.groups.map((_, x) => this.#slots[(x + r) % this.#slots.length]!);
  }

  /**
   * Exact sparse top-k (BM25 / dot, as the store's channel) over the committed live documents:
   * SegmentedStore.searchSparse's ids, scores and order. INVALID_ARGUMENT for a bad query, k
   * or filter (a function filter included: use `allow` / `deny`).
   *
   * @example
   * ```ts
   * const { ids, scores } = await pool.searchSparse(query, 10, { filter: { deny: Uint32Array.of(3) } });
   * ```
   */
  async searchSparse(query: SparseVector, k: number, opts: { filter?: PoolFilter; exhaustive?: boolean } = {}): Promise<Ranked> {
    this.#check();
    if (!this.#gen!.channels.sparse) invalid('INVALID_ARGUMENT', 'searchSparse: this store has no sparse channel');
    validateSparseVector(query, 'query');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    const filter = normFilter(opts.filter);
    const exhaustive = opts.exhaustive === true;
    return this.#on(async (g) => {
      const q = () => {
        const qids = query.ids.slice();
        const qw = query.weights.slice();
        return { qids, qw, t: [qids.buffer, qw.buffer] };
      };
      if (g.groups.length <= 1) {
        const { qids, qw, t } = q();
        const r = (await this.#send(this.#idle(), { op: 'sparse', rid: 0, gen: g.gen, segs: null, qids, qw, k, stats: null, filter, exhaustive }, t)) as Ranked;
        return { ids: r.ids, scores: r.scores };
      }
      const slots = this.#slotsFor(g);
      const parts = await Promise.all(
        g.groups.map((segs, x) => {
          const { qids, qw, t } = q();
          return this.#send(slots[x]!, { op: 'stats', rid: 0, gen: g.gen, segs, qids, qw }, t) as Promise<{ df: Float64Array }>;
        }),
      );
      let N = 0;
      let len = 0;
      for (let j = 0; j < g.liveN.length; j++) {
        N += g.liveN[j]!;
        len += g.liveLen[j]!;
      }
      if (N === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
      const df = new Float64Array(query.ids.length);
      for (const p of parts) for (let i = 0; i < df.length; i++) df[i]! += p.df[i]!;
      const tops = await Promise.all(
        g.groups.map((segs, x) => {
          const { qids, qw, t } = q();
          const d = df.slice();
          return this.#send(slots[x]!, { op: 'sparse', rid: 0, gen: g.gen, segs, qids, qw, k, stats: { N, len, df: d }, filter, exhaustive }, [...t, d.buffer]) as Promise<Ranked>;
        }),
      );
      const top = new TopK(Math.min(k, N));
      for (const r of tops) for (let i = 0; i < r.ids.length; i++) top.offer(r.scores[i]!, r.ids[i]!);
      return top.drain();
    });
  }

  /**
   * Exhaustive MaxSim top-k over the committed live documents (SegmentedStore.searchMultiVector's
   * results), best first, ties by lower id.
   *
   * @example
   * ```ts
   * const { ids, scores } = await pool.searchMultiVector({ data: q, dim: 64, count: 8 }, 10);
   * ```
   */
  async searchMultiVector(query: MultiVector, k: number, opts: { filter?: PoolFilter } = {}): Promise<Ranked> {
    this.#check();
    const cfg = this.#gen!.channels.multivector;
    if (!cfg) invalid('INVALID_ARGUMENT', 'searchMultiVector: this store has no multivector channel');
    if (!Number.isInteger(k) || k <= 0) invalid('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
    const q = checkQuery(query, cfg.dim, 'searchMultiVector');
    const filter = normFilter(opts.filter);
    return this.#on(async (g) => {
      const one = g.groups.length <= 1;
      const slots = one ? [this.#idle()] : this.#slotsFor(g);
      const parts = await Promise.all(
        slots.map((slot, x) => {
          const data = q.data.slice();
          return this.#send(slot, { op: 'mv', rid: 0, gen: g.gen, segs: one ? null : g.groups[x]!, data, count: q.count, k, filter }, [data.buffer]) as Promise<Ranked>;
        }),
      );
      if (parts.length === 1) return { ids: parts[0]!.ids, scores: parts[0]!.scores };
      return mergeTopK(parts, k);
    });
  }

  /**
   * MaxSim of the given live committed documents, in their order (re-ranking). UNKNOWN_ID when
   * one is not live in the committed generation.
   *
   * @example
   * ```ts
   * const s = await pool.scoreMultiVector(query, [3, 17, 42]);
   * ```
   */
  async scoreMultiVector(query: MultiVector, ids: ArrayLike<number>): Promise<Float32Array> {
    this.#check();
    const cfg = this.#gen!.channels.multivector;
    if (!cfg) invalid('INVALID_ARGUMENT', 'scoreMultiVector: this store has no multivector channel');
    const q = checkQuery(query, cfg.dim, 'scoreMultiVector');
    const n = ids.length;
    const want = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id > 0xfffffffe) invalid('UNKNOWN_ID', `scoreMultiVector: ${String(id)} is not a live committed document`);
      want[i] = id;
    }
    return this.#on(async (g) => {
      const one = g.groups.length <= 1;
      const slots = one ? [this.#idle()] : this.#slotsFor(g);
      const parts = await Promise.all(
        slots.map((slot, x) => {
          const data = q.data.slice();
          const w = want.slice();
          return this.#send(slot, { op: 'score', rid: 0, gen: g.gen, segs: one ? null : g.groups[x]!, data, count: q.count, ids: w }, [data.buffer, w.buffer]) as Promise<{ scores: Float32Array; found: Uint8Array }>;
        }),
      );
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const p = parts.find((x) => x.found[i] === 1);
        if (!p) invalid('UNKNOWN_ID', `scoreMultiVector: ${want[i]} is not a live committed document`);
        out[i] = p.scores[i]!;
      }
      return out;
    });
  }

  /** Test seam: makes worker `i` exit as if it crashed (its in-flight searches reject). @internal */
  crashWorkerForTest(i: number): void {
    this.#check();
    this.#slots[i]!.worker.postMessage({ op: 'crash', rid: 0 });
  }

  /**
   * Stops every worker; searches in flight and later calls reject with INDEX_CLOSED. Idempotent.
   *
   * @example
   * ```ts
   * await pool.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher?.close();
    const err = new StorageError('INDEX_CLOSED', `the search pool on ${this.dir} was closed during the search`);
    await Promise.all(
      this.#slots.map(async (s) => {
        for (const p of s.pending.values()) p.reject(err);
        s.pending.clear();
        await s.worker.terminate();
      }),
    );
  }
}
