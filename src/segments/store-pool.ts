/**
 * Worker threads for the segment work of HybridIndex searches (`searchThreads`, issue 16):
 * each worker holds replicas of the owner's segmented stores (one per channel) and answers
 * first-stage top-k and exact scoring (sparse / BM25, MaxSim, dense) as Promises, so the
 * owner's event loop only merges results.
 *
 * - A store is registered by its directory and committed segment list (a versioned
 *   `segments-<gen>.json`); the owner registers the new list after each commit of its own
 *   and releases the old one. Workers open a list when first told (a warm-up open goes to
 *   every worker at registration; a replacement worker opens lazily, on its first message).
 * - Deletions the owner makes after that commit are pushed to the handle's `deletes` (in
 *   order); every message carries the ones its worker has not applied yet, so each worker's
 *   store equals the owner's: the same live documents, the same BM25 statistics, the same
 *   dense graph decisions. Results are the owner's `SegmentedStore`'s bit for bit.
 * - While some worker is idle, a sparse or MaxSim top-k and a MaxSim scoring of a store with
 *   several segments is split by segment over the workers (a fixed balanced partition per
 *   list; BM25's statistics stay global, as every replica holds every segment) and the parts
 *   merged exactly (ties by lower id); otherwise one message searches the store whole on the
 *   least busy worker: concurrent searches and the channels of one search spread over them.
 * - Filters cross threads as an allow bitmap (bit `id & 7` of byte `id >> 3`).
 * - A worker that dies rejects its in-flight work with WORKER_FAILED and is replaced; after
 *   `close()` every call rejects with INDEX_CLOSED and no worker thread is left running.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StorageError, TridentError, invalid } from '../errors.js';
import type { Ranked } from '../kernels/topk.js';
import type { SparseVector } from '../sparse/vector.js';
import { mergeTopK } from '../kernels/topk.js';
import { TopK } from '../sparse/topk.js';
import type { DenseWalkPlan } from './dense-search.js';
import { fromWire, partition, workerEntry, workerExecArgv } from './search-pool.js';
import type { StoreReply, StoreRequest, StoreTarget, WireExtra } from './search-wire.js';

/** One registered store: a directory, its committed segment list, and the owner's deletions since. */
export interface StoreHandle {
  readonly key: string;
  readonly dir: string;
  readonly manifest: string;
  /** Ids the owner deleted from this list since it was committed, in order (append only). */
  readonly deletes: number[];
  /** Segment indexes per worker when one search is split (null: one segment or one thread). */
  readonly groups: number[][] | null;
}

type Ok = StoreReply & { ok: true };
type Pending = { resolve: (r: Ok) => void; reject: (e: Error) => void; key?: string; opened: boolean };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** key → deletions applied by this worker (absent: not opened there) */
  opened: Map<string, number>;
  error?: Error;
  answered: boolean;
  dead: boolean;
  failures: number;
}

/** A sparse query's tail statistics as the owner counts them (see SegmentedStore.searchSparse's `extra`). */
export interface TailStats {
  docs: number;
  len: number;
  df(termId: number): number;
}

/**
 * A pool of worker threads holding replicas of segmented stores.
 *
 * @example
 * ```ts
 * const pool = StorePool.create({ threads: 2 });
 * const h = pool.register(dir, store.manifestFile);
 * const { ids, scores } = await pool.sparseTop(h, query, 10);
 * await pool.close();
 * ```
 */
export class StorePool {
  #slots: Slot[] = [];
  #handles = new Map<string, StoreHandle>();
  #rid = 0;
  #rr = 0;
  #n = 0;
  #closed = false;
  #entry = workerEntry('store-worker');
  #nice = 0;

  private constructor() {}

  /**
   * Starts `threads` workers (default `os.availableParallelism()`, 1…256); `nice` (0…19,
   * default 0) is added to each worker thread's nice value (Linux only: each worker lowers its
   * own thread's priority).
   *
   * @example
   * ```ts
   * const pool = StorePool.create({ threads: 4 });
   * ```
   */
  static create(opts: { threads?: number; nice?: number } = {}): StorePool {
    const threads = opts.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) invalid('INVALID_ARGUMENT', `threads must be an integer in 1…256, got ${String(opts.threads)}`);
    const nice = opts.nice ?? 0;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19) invalid('INVALID_ARGUMENT', `nice must be an integer in 0…19, got ${String(opts.nice)}`);
    const pool = new StorePool();
    pool.#nice = nice;
    for (let i = 0; i < threads; i++) pool.#slots.push(pool.#spawn(i));
    return pool;
  }

  /** Worker threads. */
  get threads(): number {
    return this.#slots.length;
  }

  /** Worker threads running now (0 after close()). @internal */
  get running(): number {
    return this.#slots.filter((s) => s.worker.threadId !== -1).length;
  }

  #spawn(i: number, failures = 0): Slot {
    const worker = new Worker(this.#entry.entry, { eval: this.#entry.eval, execArgv: workerExecArgv(), workerData: { nice: this.#nice } });
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), opened: new Map(), answered: false, dead: false, failures };
    worker.on('message', (r: StoreReply) => {
      slot.answered = true;
      const p = slot.pending.get(r.rid);
      if (!p) return;
      slot.pending.delete(r.rid);
      if (slot.pending.size === 0) worker.unref();
      if (r.ok) p.resolve(r as Ok);
      else {
        // a failed open applied nothing: the next message opens (and sends every deletion) again
        if (p.opened && p.key !== undefined) slot.opened.delete(p.key);
        p.reject(fromWire(r.error));
      }
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
      // replaced at once (it opens each store on its first message for it); one that keeps
      // dying before it answers is retried with a growing delay (≤ 30 s), and work sent to the
      // dead slot meanwhile rejects with WORKER_FAILED
      const n = slot.answered ? 0 : slot.failures + 1;
      const respawn = () => {
        if (this.#closed) return;
        this.#slots[i] = this.#spawn(i, n);
      };
      if (n <= 1) respawn();
      else setTimeout(respawn, Math.min(30_000, 100 * 2 ** n)).unref();
    });
    return slot;
  }

  #send(slot: Slot, m: StoreRequest, transfer: ArrayBuffer[] = [], h?: StoreHandle): Promise<Ok> {
    if (this.#closed) return Promise.reject(closedError());
    if (slot.dead) return Promise.reject(new StorageError('WORKER_FAILED', 'a search worker died and is being replaced; retry the search'));
    const rid = ++this.#rid;
    let opened = false;
    if (h) {
      const t = m as StoreRequest & StoreTarget;
      const applied = slot.opened.get(h.key);
      if (applied === undefined) {
        t.open = { dir: h.dir, manifest: h.manifest };
        opened = true;
      }
      const from = applied ?? 0;
      if (h.deletes.length > from) {
        const dels = Uint32Array.from(h.deletes.slice(from));
        t.dels = dels;
        transfer.push(dels.buffer);
      }
      slot.opened.set(h.key, h.deletes.length);
    }
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(rid, { resolve, reject, opened, ...(h ? { key: h.key } : {}) });
      slot.worker.postMessage({ ...m, rid }, transfer);
    });
  }

  #check(): void {
    if (this.#closed) throw closedError();
  }

  /** The least busy live worker. */
  #idle(): Slot {
    let best = this.#slots[this.#rr++ % this.#slots.length]!;
    for (const s of this.#slots) if (!s.dead && (best.dead || s.pending.size < best.pending.size)) best = s;
    return best;
  }

  /**
   * Registers a store's committed list (`manifest`, a file in `dir`; `liveDocs`: live documents
   * per segment, for splitting a search); searches name it by the returned handle. Workers
   * open it on their first message for it (see {@link warm}).
   *
   * @example
   * ```ts
   * const h = pool.register(store.dir, store.manifestFile);
   * ```
   */
  register(dir: string, manifest: string, liveDocs: readonly number[] = []): StoreHandle {
    this.#check();
    const groups = partition([...liveDocs], this.#slots.length);
    const h: StoreHandle = { key: `${++this.#n}:${dir}/${manifest}`, dir, manifest, deletes: [], groups: groups.length > 1 ? groups : null };
    this.#handles.set(h.key, h);
    return h;
  }

  /**
   * Opens a registered store in every worker now (resolves when all did; rejects with the first
   * error, e.g. a corrupt segment file).
   *
   * @example
   * ```ts
   * await pool.warm(h);
   * ```
   */
  async warm(h: StoreHandle): Promise<void> {
    this.#check();
    await Promise.all(this.#slots.map((s) => (s.opened.has(h.key) ? undefined : this.#send(s, { op: 'open', rid: 0, key: h.key }, [], h))));
  }

  /**
   * Forgets a store: each worker closes it after the messages already sent to it (FIFO), so
   * searches in flight on it finish.
   *
   * @example
   * ```ts
   * pool.release(old);
   * ```
   */
  release(h: StoreHandle): void {
    if (!this.#handles.delete(h.key) || this.#closed) return;
    for (const s of this.#slots) {
      if (!s.opened.delete(h.key)) continue;
      this.#send(s, { op: 'drop', rid: 0, key: h.key }).catch(() => undefined);
    }
  }

  /** The workers of a split search over `h` (one per group), or null to search it whole: split only while some worker is idle. */
  #split(h: StoreHandle): Slot[] | null {
    const g = h.groups;
    if (g === null) return null;
    let busy = 0;
    for (const s of this.#slots) busy += s.pending.size;
    if (busy >= this.#slots.length) return null;
    const r = this.#rr++;
    const order = this.#slots.map((_, i) => this.#slots[(i + r) % this.#slots.length]!).sort((a, b) => a.pending.size - b.pending.size);
    return g.map((_, x) => order[x % order.length]!);
  }

  #live(h: StoreHandle): void {
    this.#check();
    if (!this.#handles.has(h.key)) invalid('INVALID_ARGUMENT', `store ${h.key} is not registered with this pool`);
  }

  /**
   * SegmentedStore.searchSparse(query, k, { filter, extra }) on a worker.
   *
   * @example
   * ```ts
   * const top = await pool.sparseTop(h, query, 10, tail, allowBits);
   * ```
   */
  async sparseTop(h: StoreHandle, query: SparseVector, k: number, extra?: TailStats, allow?: Uint8Array): Promise<Ranked> {
    this.#live(h);
    const send = (slot: Slot, segs?: number[]) => {
      const qids = query.ids.slice();
      const qw = query.weights.slice();
      const e = wireExtra(qids, extra);
      const t: ArrayBuffer[] = [qids.buffer, qw.buffer, ...(e ? [e.df.buffer as ArrayBuffer] : [])];
      return this.#send(slot, { op: 'sparseTop', rid: 0, key: h.key, qids, qw, k, extra: e, ...(allow ? { allow } : {}), ...(segs ? { segs } : {}) }, t, h).then(ranked);
    };
    const slots = this.#split(h);
    if (!slots) return send(this.#idle());
    const parts = await Promise.all(slots.map((slot, x) => send(slot, h.groups![x]!)));
    const top = new TopK(k);
    for (const p of parts) for (let i = 0; i < p.ids.length; i++) top.offer(p.scores[i]!, p.ids[i]!);
    return top.drain();
  }

  /**
   * SegmentedStore.scoreSparse(query, ids, { extra }) on a worker.
   *
   * @example
   * ```ts
   * const s = await pool.sparseScore(h, query, ids, tail);
   * ```
   */
  async sparseScore(h: StoreHandle, query: SparseVector, ids: Uint32Array, extra?: TailStats): Promise<Float32Array> {
    this.#live(h);
    const qids = query.ids.slice();
    const qw = query.weights.slice();
    const e = wireExtra(qids, extra);
    const w = ids.slice();
    const t: ArrayBuffer[] = [qids.buffer, qw.buffer, w.buffer, ...(e ? [e.df.buffer as ArrayBuffer] : [])];
    const r = await this.#send(this.#idle(), { op: 'sparseScore', rid: 0, key: h.key, qids, qw, ids: w, extra: e }, t, h);
    return (r as { scores: Float32Array }).scores;
  }

  /**
   * SegmentedStore.candidatesMultiVector(query, k, { filter }) on a worker (a residual channel's
   * centroid lists, else every live document scored).
   *
   * @example
   * ```ts
   * const top = await pool.mvTop(h, { data, dim: 64, count: 8 }, 10);
   * ```
   */
  async mvTop(h: StoreHandle, query: { data: Float32Array; dim: number; count: number }, k: number, allow?: Uint8Array): Promise<Ranked> {
    this.#live(h);
    const send = (slot: Slot, segs?: number[]) => {
      const data = query.data.slice();
      return this.#send(slot, { op: 'mvTop', rid: 0, key: h.key, data, dim: query.dim, count: query.count, k, ...(allow ? { allow } : {}), ...(segs ? { segs } : {}) }, [data.buffer], h).then(ranked);
    };
    const slots = this.#split(h);
    if (!slots) return send(this.#idle());
    return mergeTopK(await Promise.all(slots.map((slot, x) => send(slot, h.groups![x]!))), k);
  }

  /**
   * SegmentedStore.scoreMultiVector(query, ids) on a worker, 0 for an id the store does not
   * hold live (the worker checks).
   *
   * @example
   * ```ts
   * const s = await pool.mvScore(h, { data, dim: 64, count: 8 }, ids);
   * ```
   */
  async mvScore(h: StoreHandle, query: { data: Float32Array; dim: number; count: number }, ids: Uint32Array): Promise<Float32Array> {
    this.#live(h);
    const send = (slot: Slot, segs?: number[]) => {
      const data = query.data.slice();
      const w = ids.slice();
      return this.#send(slot, { op: 'mvScore', rid: 0, key: h.key, data, dim: query.dim, count: query.count, ids: w, ...(segs ? { segs } : {}) }, [data.buffer, w.buffer], h) as Promise<{ scores: Float32Array; found?: Uint8Array }>;
    };
    const slots = this.#split(h);
    if (!slots) return (await send(this.#idle())).scores;
    const parts = await Promise.all(slots.map((slot, x) => send(slot, h.groups![x]!)));
    const out = new Float32Array(ids.length);
    for (const p of parts) for (let i = 0; i < ids.length; i++) if (p.found![i] === 1) out[i] = p.scores[i]!;
    return out;
  }

  /**
   * SegmentedStore.searchDense(q, k, { filter, exact }) on a worker.
   *
   * @example
   * ```ts
   * const top = await pool.denseTop(h, q, 10, undefined);
   * ```
   */
  async denseTop(h: StoreHandle, q: Float32Array, k: number, exact: boolean | undefined, allow?: Uint8Array): Promise<Ranked> {
    this.#live(h);
    const v = q.slice();
    const r = await this.#send(this.#idle(), { op: 'denseTop', rid: 0, key: h.key, q: v, k, exact, ...(allow ? { allow } : {}) }, [v.buffer], h);
    return ranked(r);
  }

  /**
   * An unfiltered dense top-k split by segment over the workers (while some worker is idle, as
   * the other split searches): each worker scans its share of `plan.scans` and walks its share
   * of the graph segments in one call; the walks' hits are merged (ties by lower id) and
   * widened as on one thread (`widen`: the owner store's {@link SegmentedStore.widenDense},
   * which doubles a breadth in `plan`; only that segment's worker walks again). The same ids and
   * scores as SegmentedStore.searchDense on one thread, since the graphs' walks are independent.
   * Null when the search is not split (one group, a busy pool) or a walk came back short of k:
   * the caller searches whole.
   *
   * @example
   * ```ts
   * const top = await pool.denseSplit(h, q, 10, store.densePlan(10, undefined)!, (p, hits) => store.widenDense(p, hits, 10));
   * ```
   */
  async denseSplit(h: StoreHandle, q: Float32Array, k: number, plan: DenseWalkPlan, widen: (plan: DenseWalkPlan, hits: Ranked) => number): Promise<Ranked | null> {
    this.#live(h);
    const slots = this.#split(h);
    if (!slots) return null;
    const groups = h.groups!;
    const groupOf = new Map<number, number>();
    groups.forEach((g, x) => {
      for (const i of g) groupOf.set(i, x);
    });
    const send = async (x: number, withScans: boolean): Promise<{ scan: Ranked; walk: Ranked }> => {
      const graphs: number[] = [];
      const breadth: number[] = [];
      plan.order.forEach((i, j) => {
        if (groupOf.get(i) !== x) return;
        graphs.push(i);
        breadth.push(plan.breadth[j]!);
      });
      const scans = withScans ? plan.scans.filter((i) => groupOf.get(i) === x) : [];
      if (graphs.length === 0 && scans.length === 0) return { scan: emptyRanked(), walk: emptyRanked() };
      const v = q.slice();
      const r = (await this.#send(slots[x]!, { op: 'densePart', rid: 0, key: h.key, q: v, k, scans, graphs, breadth }, [v.buffer], h)) as { ids: Uint32Array; scores: Float32Array; scanIds: Uint32Array; scanScores: Float32Array };
      return { scan: { ids: r.scanIds, scores: r.scanScores }, walk: { ids: r.ids, scores: r.scores } };
    };
    const parts = await Promise.all(groups.map((_, x) => send(x, true)));
    const walks = parts.map((p) => p.walk);
    let hits = mergeTopK(walks, k);
    for (let j = widen(plan, hits); j >= 0; j = widen(plan, hits)) {
      const x = groupOf.get(plan.order[j]!)!;
      walks[x] = (await send(x, false)).walk;
      hits = mergeTopK(walks, k);
    }
    if (hits.ids.length < Math.min(k, plan.live)) return null;
    return mergeTopK([...parts.map((p) => p.scan), hits], k);
  }

  /**
   * SegmentedStore.scoreDense(q, ids) on a worker, 0 for an id the store does not hold live
   * (the worker checks).
   *
   * @example
   * ```ts
   * const s = await pool.denseScore(h, q, ids);
   * ```
   */
  async denseScore(h: StoreHandle, q: Float32Array, ids: Uint32Array): Promise<Float32Array> {
    this.#live(h);
    const v = q.slice();
    const w = ids.slice();
    const r = await this.#send(this.#idle(), { op: 'denseScore', rid: 0, key: h.key, q: v, ids: w }, [v.buffer, w.buffer], h);
    return (r as { scores: Float32Array }).scores;
  }

  /** Test seam: makes worker `i` exit when it reaches this message (work sent after it rejects with WORKER_FAILED). @internal */
  crashWorkerForTest(i: number): void {
    this.#check();
    this.#slots[i]!.worker.postMessage({ op: 'crash', rid: 0 });
  }

  /**
   * Stops every worker; work in flight and later calls reject with INDEX_CLOSED. Idempotent;
   * resolves once every thread has exited.
   *
   * @example
   * ```ts
   * await pool.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const err = closedError();
    await Promise.all(
      this.#slots.map(async (s) => {
        for (const p of s.pending.values()) p.reject(err);
        s.pending.clear();
        await s.worker.terminate();
      }),
    );
  }
}

function closedError(): TridentError {
  return new TridentError('INDEX_CLOSED', 'the index was closed; its search threads are stopped (open it again to search)');
}

const emptyRanked = (): Ranked => ({ ids: new Uint32Array(0), scores: new Float32Array(0) });

function ranked(r: Ok): Ranked {
  const x = r as { ids: Uint32Array; scores: Float32Array };
  return { ids: x.ids, scores: x.scores };
}

function wireExtra(qids: Uint32Array, e: TailStats | undefined): WireExtra | null {
  if (!e) return null;
  return { docs: e.docs, len: e.len, df: Float64Array.from(qids, (t) => e.df(t)) };
}
