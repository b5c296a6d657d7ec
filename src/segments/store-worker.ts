/**
 * Worker-thread entry of a StorePool (store-pool.ts): holds any number of segmented stores
 * open read-only (memory-mapped, so the page cache is shared with every thread), each named
 * by the pool's key for one directory and segment list, and answers the search messages of
 * HybridIndex's segmented channels on them.
 *
 * Owns: the stores it was told to open, each a replica of the owner's store: the committed
 * list plus the owner's deletions since that commit, applied in the order they arrive (never
 * committed here). Must never write to a store directory, and never throw past a message:
 * every failure goes back to the pool as a serialised typed error.
 *
 * Messages are handled one at a time, in arrival order (an open is asynchronous: messages
 * queued behind it wait for it).
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { checkQuery } from '../multivector/validate.js';
import type { SparseStatsExtra } from './store.js';
import { SegmentedStore } from './store.js';
import { serveRequests, type StoreReply, type StoreRequest, type StoreTarget, type WireExtra } from './search-wire.js';

const port = parentPort!;
// Linux keeps a nice value per thread and setpriority(pid 0) sets the calling thread's: this
// worker adds `nice` to the value it inherited, yielding to the owner's event loop; elsewhere
// that would renice the whole process, so not
const { nice } = (workerData ?? {}) as { nice?: number };
if (nice && process.platform === 'linux') {
  try {
    setPriority(0, Math.min(19, getPriority(0) + nice));
  } catch {
    // not allowed here: the thread keeps the process's priority
  }
}
const stores = new Map<string, SegmentedStore>();

/** The store a message targets: opened first when the message says how, then the owner's new deletions applied. */
async function target(m: StoreTarget): Promise<SegmentedStore> {
  let s = stores.get(m.key);
  if (!s) {
    if (!m.open) throw Object.assign(new Error(`store ${JSON.stringify(m.key)} is not open in this worker`), { code: 'IO_ERROR', name: 'StorageError' });
    s = await SegmentedStore.open(m.open.dir, { manifest: m.open.manifest });
    stores.set(m.key, s);
  }
  if (m.dels) for (const id of m.dels) s.delete(id);
  return s;
}

/** A global-id predicate from a bitmap (bit id & 7 of byte id >> 3). */
function allowed(bits: Uint8Array | undefined): ((id: number) => boolean) | undefined {
  if (!bits) return undefined;
  return (id) => ((bits[id >> 3] ?? 0) & (1 << (id & 7))) !== 0;
}

function extraOf(qids: Uint32Array, e: WireExtra | null): SparseStatsExtra | undefined {
  if (!e) return undefined;
  const df = new Map<number, number>();
  for (let i = 0; i < qids.length; i++) df.set(qids[i]!, e.df[i]!);
  return { docs: e.docs, len: e.len, df: (t) => df.get(t) ?? 0 };
}

/** `score` of the ids the store holds (live), 0 for the others, in the order of `ids`. */
function held(s: SegmentedStore, ids: Uint32Array, score: (ids: Uint32Array) => Float32Array): Float32Array {
  let all = true;
  for (let i = 0; i < ids.length && all; i++) all = s.has(ids[i]!);
  if (all) return score(ids);
  const pos: number[] = [];
  for (let i = 0; i < ids.length; i++) if (s.has(ids[i]!)) pos.push(i);
  const part = score(Uint32Array.from(pos, (i) => ids[i]!));
  const out = new Float32Array(ids.length);
  for (let x = 0; x < pos.length; x++) out[pos[x]!] = part[x]!;
  return out;
}

type Out = { reply: StoreReply; transfer: ArrayBuffer[] };
const ranked = (rid: number, r: { ids: Uint32Array; scores: Float32Array }): Out => ({ reply: { rid, ok: true, ids: r.ids, scores: r.scores }, transfer: [r.ids.buffer as ArrayBuffer, r.scores.buffer as ArrayBuffer] });
const scored = (rid: number, scores: Float32Array): Out => ({ reply: { rid, ok: true, scores }, transfer: [scores.buffer as ArrayBuffer] });

async function handle(m: StoreRequest): Promise<Out> {
  switch (m.op) {
    case 'open':
      await target(m);
      return { reply: { rid: m.rid, ok: true }, transfer: [] };
    case 'drop':
      stores.get(m.key)?.close();
      stores.delete(m.key);
      return { reply: { rid: m.rid, ok: true }, transfer: [] };
    case 'crash':
      process.exit(70); // test seam: a worker dying mid-search
      break;
    case 'sparseTop': {
      const s = await target(m);
      const q = { ids: m.qids, weights: m.qw };
      const filter = allowed(m.allow);
      const extra = extraOf(m.qids, m.extra);
      return ranked(m.rid, s.searchSparse(q, m.k, { ...(filter ? { filter } : {}), ...(extra ? { extra } : {}), ...(m.segs ? { segs: m.segs } : {}) }));
    }
    case 'sparseScore': {
      const s = await target(m);
      const extra = extraOf(m.qids, m.extra);
      return scored(m.rid, s.scoreSparse({ ids: m.qids, weights: m.qw }, m.ids, extra ? { extra } : {}));
    }
    case 'mvTop': {
      const s = await target(m);
      const filter = allowed(m.allow);
      // the channel's own candidates (a residual channel's centroid lists; else exhaustive), as
      // SegmentedChannel.candidates takes them on the main thread
      return ranked(m.rid, s.candidatesMultiVector({ data: m.data, dim: m.dim, count: m.count }, m.k, { ...(filter ? { filter } : {}), ...(m.segs ? { segs: m.segs } : {}) }));
    }
    case 'mvScore': {
      const s = await target(m);
      const q = { data: m.data, dim: m.dim, count: m.count };
      if (m.segs) {
        // one part of a split scoring: the ids live in these segments, flagged in `found`
        const dim = s.channels.multivector?.dim ?? 0;
        const r = s.scoreMultiVectorIn(checkQuery(q, dim, 'scoreMultiVector'), m.ids, m.segs);
        return { reply: { rid: m.rid, ok: true, scores: r.scores, found: r.found }, transfer: [r.scores.buffer as ArrayBuffer, r.found.buffer as ArrayBuffer] };
      }
      return scored(
        m.rid,
        held(s, m.ids, (ids) => s.scoreMultiVector(q, ids)),
      );
    }
    case 'denseTop': {
      const s = await target(m);
      const filter = allowed(m.allow);
      return ranked(m.rid, s.searchDense(m.q, m.k, { ...(filter ? { filter } : {}), ...(m.exact !== undefined ? { exact: m.exact } : {}) }));
    }
    case 'densePart': {
      // one worker's share of a split dense search (SegmentedStore.searchDensePart)
      const s = await target(m);
      const r = s.searchDensePart(m.q, m.k, m.scans, m.graphs, m.breadth);
      return { reply: { rid: m.rid, ok: true, ids: r.walk.ids, scores: r.walk.scores, scanIds: r.scan.ids, scanScores: r.scan.scores }, transfer: [r.walk.ids.buffer as ArrayBuffer, r.walk.scores.buffer as ArrayBuffer, r.scan.ids.buffer as ArrayBuffer, r.scan.scores.buffer as ArrayBuffer] };
    }
    case 'denseScore': {
      const s = await target(m);
      return scored(
        m.rid,
        held(s, m.ids, (ids) => s.scoreDense(m.q, ids)),
      );
    }
  }
}

serveRequests<StoreRequest, StoreReply>(port, handle);
