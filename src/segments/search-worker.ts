/**
 * Worker-thread entry of the search pool (search-pool.ts): opens the committed segments of a
 * segmented store read-only (memory-mapped: the page cache is shared by every thread) and
 * answers the pool's search messages on the segment subsets it is given.
 *
 * Owns: one SegmentedStore per generation the pool still searches (dropped on the pool's
 * word). Must never write to the store directory, and never throw past a message: every
 * failure goes back to the pool as a serialised typed error.
 *
 * Messages are handled one at a time, in arrival order (an open is asynchronous: searches
 * queued behind it wait for it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MapOptions } from '../store/mmap.js';
import { indexOfSorted } from './sorted.js';
import { SegmentedStore, type SparseStats } from './store.js';
import { serveRequests, type WireFilter, type WorkerReply, type WorkerRequest } from './search-wire.js';

const { dir, map } = workerData as { dir: string; map: MapOptions };
const port = parentPort!;
const stores = new Map<number, SegmentedStore>();

function storeOf(gen: number): SegmentedStore {
  const s = stores.get(gen);
  if (!s) throw Object.assign(new Error(`generation ${gen} is not open in this worker`), { code: 'IO_ERROR', name: 'StorageError' });
  return s;
}

/** A global-id predicate from an allow / deny list (sorted ids) or bitmap (bit id & 7 of byte id >> 3). */
function predicate(f: WireFilter | undefined): ((id: number) => boolean) | undefined {
  if (!f) return undefined;
  const inSet = (s: Uint32Array | Uint8Array, kind: 'ids' | 'bits', id: number) => (kind === 'ids' ? indexOfSorted(s as Uint32Array, id) >= 0 : ((s[id >> 3] ?? 0) & (1 << (id & 7))) !== 0);
  const { allow, allowKind, deny, denyKind } = f;
  if (allow && deny) return (id) => inSet(allow, allowKind!, id) && !inSet(deny, denyKind!, id);
  if (allow) return (id) => inSet(allow, allowKind!, id);
  if (deny) return (id) => !inSet(deny, denyKind!, id);
  return undefined;
}

async function handle(m: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  switch (m.op) {
    case 'open': {
      const s = await SegmentedStore.open(dir, map);
      const gen = s.generation;
      if (stores.has(gen)) s.close();
      else stores.set(gen, s);
      const st = stores.get(gen)!;
      return { reply: { rid: m.rid, ok: true, gen, docs: st.stats().segments.map((x) => x.docs), channels: st.channels }, transfer: [] };
    }
    case 'drop': {
      stores.get(m.gen)?.close();
      stores.delete(m.gen);
      return { reply: { rid: m.rid, ok: true }, transfer: [] };
    }
    case 'crash':
      process.exit(70); // test seam: a worker dying mid-search
      break;
    case 'stats': {
      const st = storeOf(m.gen).segmentSparseStats({ ids: m.qids, weights: m.qw }, m.segs);
      return { reply: { rid: m.rid, ok: true, N: st.N, len: st.len, df: st.df }, transfer: [st.df.buffer as ArrayBuffer] };
    }
    case 'sparse': {
      const s = storeOf(m.gen);
      const q = { ids: m.qids, weights: m.qw };
      const stats: SparseStats = m.stats ?? s.segmentSparseStats(q, m.segs);
      const r = s.sparseTopK(q, m.k, stats, m.segs, predicate(m.filter), m.exhaustive);
      return { reply: { rid: m.rid, ok: true, ids: r.ids, scores: r.scores }, transfer: [r.ids.buffer as ArrayBuffer, r.scores.buffer as ArrayBuffer] };
    }
    case 'mv': {
      const r = storeOf(m.gen).multiVectorTopK({ data: m.data, count: m.count }, m.k, m.segs, predicate(m.filter));
      return { reply: { rid: m.rid, ok: true, ids: r.ids, scores: r.scores }, transfer: [r.ids.buffer as ArrayBuffer, r.scores.buffer as ArrayBuffer] };
    }
    case 'score': {
      const s = storeOf(m.gen);
      const r = s.scoreMultiVectorIn({ data: m.data, count: m.count }, m.ids, m.segs ?? s.segments.map((_, j) => j));
      return { reply: { rid: m.rid, ok: true, scores: r.scores, found: r.found }, transfer: [r.scores.buffer as ArrayBuffer, r.found.buffer as ArrayBuffer] };
    }
  }
}

serveRequests<WorkerRequest, WorkerReply>(port, handle);
