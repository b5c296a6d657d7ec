// Dense channel of a SegmentedStore (dense-segment.ts, dense-search.ts) against a brute-force
// oracle: f64 inner products of the query with each live document's normalised vector, top-k
// with ties by lower id. Exact searches must match it (ids; scores within f32 / f16 rounding),
// scoreDense must give the scores the exact search reports, graph searches return exact scores
// and high recall, deletions and filters are honoured, and a merge (optimize: the biggest
// deletion-free segment's graph reused, or a rebuild) changes no exact score.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentedStore } from '../../../src/segments/index.js';
import { f16Values } from '../../../src/kernels/f16.js';
import { toF16Into } from '../../../src/kernels/convert.js';
import { rng } from '../../helpers/rng.js';
import { expectReopens } from './reopen.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-segdense-store-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `s${dirs++}`);
const DIM = 12;

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  return Float32Array.from(v, (x) => x / Math.sqrt(n));
}

/** The oracle: every live vector as stored (normalised, rounded to the dtype), f64 dots, ties by lower id. */
function oracle(live: Map<number, Float32Array>, dtype: 'f32' | 'f16', q: Float32Array, k: number, filter?: (id: number) => boolean): Array<[number, number]> {
  const t = f16Values();
  const rows: Array<[number, number]> = [];
  for (const [id, v] of live) {
    if (filter && !filter(id)) continue;
    const u = unit(v);
    let stored: Float32Array = u;
    if (dtype === 'f16') {
      const h = new Uint16Array(DIM);
      toF16Into(u, h, 0);
      stored = Float32Array.from(h, (b) => t[b]!);
    }
    let s = 0;
    for (let i = 0; i < DIM; i++) s += q[i]! * stored[i]!;
    rows.push([id, s]);
  }
  rows.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return rows.slice(0, k);
}

describe.each(['f32', 'f16'] as const)('dense %s segments', (dtype) => {
  it('ties across segments (one top-k shared by the exact scans) rank by lower id, as the oracle', async () => {
    const dir = fresh();
    const store = await SegmentedStore.create(dir, { dense: { dim: DIM, dtype, connectivity: 8, expansionAdd: 64, expansionSearch: 64 } });
    const r = rng(dtype === 'f32' ? 13 : 14);
    const protos = Array.from({ length: 4 }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
    const live = new Map<number, Float32Array>();
    // 3 segments of copies of 4 vectors, ids interleaved so that lower ids sit in later segments
    for (let seg = 0; seg < 3; seg++) {
      for (let i = 0; i < 30; i++) {
        const id = 1000 - (i * 3 + seg) * 7;
        const v = protos[(i + seg) % 4]!;
        store.add(id, { dense: v });
        live.set(id, v);
      }
      await store.commit({ merge: false });
    }
    expect(store.segments.length).toBe(3);
    for (const q of [...protos, Float32Array.from({ length: DIM }, () => r() * 2 - 1)]) {
      for (const k of [1, 5, 10, 25, 90]) {
        const got = store.searchDense(q, k, { exact: true });
        const want = oracle(live, dtype, q, k);
        expect(Array.from(got.ids)).toEqual(want.map(([id]) => id));
      }
    }
    await store.close();
  });

  it('exact search, scores, deletions, filters and a merge agree with the brute-force oracle', async () => {
    const dir = fresh();
    const store = await SegmentedStore.create(dir, { dense: { dim: DIM, dtype, connectivity: 8, expansionAdd: 64, expansionSearch: 64 } });
    const r = rng(dtype === 'f32' ? 3 : 4);
    const live = new Map<number, Float32Array>();
    const addBatch = async (from: number, n: number) => {
      for (let i = 0; i < n; i++) {
        const v = Float32Array.from({ length: DIM }, () => r() * 2 - 1);
        const id = (from + i) * 3 + 1;
        store.add(id, { dense: v });
        live.set(id, v);
      }
      await store.commit({ merge: false });
    };
    await addBatch(0, 400);
    await addBatch(400, 40);
    await addBatch(440, 25);
    expect(store.segments.length).toBe(3);
    const qs = Array.from({ length: 8 }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
    const check = () => {
      for (const q of qs) {
        for (const filter of [undefined, (id: number) => id % 2 === 0]) {
          const got = store.searchDense(q, 10, { exact: true, ...(filter ? { filter } : {}) });
          const want = oracle(live, dtype, q, 10, filter);
          expect(Array.from(got.ids)).toEqual(want.map(([id]) => id));
          for (let i = 0; i < want.length; i++) expect(got.scores[i]).toBeCloseTo(want[i]![1], 5);
          expect(Array.from(store.scoreDense(q, got.ids))).toEqual(Array.from(got.scores));
          // graph search: exact scores for what it returns, most of the true top-10
          const g = store.searchDense(q, 10, { exact: false, ...(filter ? { filter } : {}) });
          expect(Array.from(store.scoreDense(q, g.ids))).toEqual(Array.from(g.scores));
          const truth = new Set(want.map(([id]) => id));
          expect(Array.from(g.ids).filter((id) => truth.has(id)).length).toBeGreaterThanOrEqual(8);
          if (filter) for (const id of g.ids) expect(filter(id)).toBe(true);
        }
      }
    };
    check();
    // deletions in the small segments only: the big one stays deletion-free (its graph is reused by the merge)
    for (const id of [400 * 3 + 1, 401 * 3 + 1, 450 * 3 + 1]) {
      expect(store.delete(id)).toBe(true);
      live.delete(id);
    }
    check();
    const before = qs.map((q) => store.searchDense(q, 20, { exact: true }));
    await store.optimize();
    expect(store.segments.length).toBe(1);
    check();
    qs.forEach((q, i) => {
      const after = store.searchDense(q, 20, { exact: true });
      expect(Array.from(after.ids)).toEqual(Array.from(before[i]!.ids));
      expect(Array.from(after.scores)).toEqual(Array.from(before[i]!.scores)); // bit for bit
    });
    // deletions in the big segment: the next merge rebuilds
    for (const id of [1, 4, 7]) {
      store.delete(id);
      live.delete(id);
    }
    await store.optimize();
    check();
    store.close();
    await expectReopens(dir, live.size);
  });

  it('segments whose .hnsw left its path after open: unfiltered graph searches walk the mapping, filtered ones scan exactly', async () => {
    const dir = fresh();
    const made = await SegmentedStore.create(dir, { dense: { dim: DIM, dtype, connectivity: 8, expansionAdd: 64, expansionSearch: 64 } });
    const r = rng(dtype === 'f32' ? 23 : 24);
    const live = new Map<number, Float32Array>();
    for (const n of [400, 300, 200]) {
      for (let i = 0; i < n; i++) {
        const id = live.size * 2 + 5;
        const v = Float32Array.from({ length: DIM }, () => r() * 2 - 1);
        made.add(id, { dense: v });
        live.set(id, v);
      }
      await made.commit({ merge: false });
    }
    made.close();
    // a reader opens; then a later save collects the files (here: unlinked); usearch maps by path
    const store = await SegmentedStore.open(dir);
    const gone = fs.readdirSync(dir).filter((f) => f.endsWith('.hnsw'));
    expect(gone.length).toBe(3);
    for (const f of gone) fs.rmSync(path.join(dir, f));
    const even = (id: number) => id % 4 === 1;
    for (let i = 0; i < 8; i++) {
      const q = Float32Array.from({ length: DIM }, () => r() * 2 - 1);
      const g = store.searchDense(q, 10, { exact: false });
      const truth = new Set(oracle(live, dtype, q, 10).map(([id]) => id));
      expect(Array.from(g.ids).filter((id) => truth.has(id)).length).toBeGreaterThanOrEqual(8);
      expect(Array.from(store.scoreDense(q, g.ids))).toEqual(Array.from(g.scores));
      const f = store.searchDense(q, 10, { exact: false, filter: even });
      const want = oracle(live, dtype, q, 10, even);
      expect(Array.from(f.ids)).toEqual(want.map(([id]) => id));
      for (let j = 0; j < want.length; j++) expect(f.scores[j]).toBeCloseTo(want[j]![1], 5);
    }
    store.close();
  });
});
