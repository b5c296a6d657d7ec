// The sparse search keeps one top-k across segments: segments are searched best bound first
// (not in id order) with the running k-th score as their threshold, and a segment whose best
// possible score is below it is skipped. Ties at the k-th score must still go to the lower id,
// whichever segment holds it. Oracle: every live document scored directly (f64 sum of
// query weight × posting weight in query order, rounded to f32; BM25 as its formula), sorted
// by score then id.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentedStore } from '../../../src/segments/index.js';
import type { SparseVector } from '../../../src/sparse/vector.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-shared-topk-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;

const vec = (ids: number[], weights: number[]): SparseVector => ({ ids: Uint32Array.from(ids), weights: Float32Array.from(weights) });

/** Direct scores of every live document (the store's statistics formulas, written out). */
function oracle(docs: Map<number, SparseVector>, q: SparseVector, k: number, scorer: 'dot' | 'bm25', filter?: (id: number) => boolean): Array<[number, number]> {
  const k1 = 0.9;
  const b = 0.4;
  let len = 0;
  for (const v of docs.values()) len += Math.fround(v.weights.reduce((a, w) => a + w, 0));
  const N = docs.size;
  const rows: Array<[number, number]> = [];
  for (const [id, v] of docs) {
    if (filter && !filter(id)) continue;
    const dl = Math.fround(v.weights.reduce((a, w) => a + w, 0));
    let s = 0;
    let hit = false;
    for (let i = 0; i < q.ids.length; i++) {
      const p = v.ids.indexOf(q.ids[i]!);
      if (p < 0) continue;
      hit = true;
      const w = v.weights[p]!;
      if (scorer === 'dot') s += q.weights[i]! * w;
      else {
        let df = 0;
        for (const u of docs.values()) if (u.ids.includes(q.ids[i]!)) df++;
        const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
        s += (q.weights[i]! * idf * (k1 + 1) * w) / (w + k1 * (1 - b) + ((k1 * b) / (len / N)) * dl);
      }
    }
    if (hit) rows.push([id, Math.fround(s)]);
  }
  rows.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  return rows.slice(0, k);
}

describe.each(['dot', 'bm25'] as const)('one top-k across segments (%s)', (scorer) => {
  it('ties at the k-th score go to the lower id even when its segment is searched last or its bound only ties', async () => {
    const store = await SegmentedStore.create(path.join(tmp, `s${dirs++}`), { sparse: { scorer, k1: 0.9, b: 0.4 } });
    const docs = new Map<number, SparseVector>();
    const add = (id: number, v: SparseVector) => {
      store.add(id, { sparse: v });
      docs.set(id, v);
    };
    // segment 1: the highest ids and the one document with the rare, heavy term 7 (the best
    // bound: searched first, it fills the top-k with ties at high ids)
    for (let id = 200; id < 260; id++) add(id, id === 230 ? vec([5, 7], [1, 10]) : vec([5, 9], [1, 1]));
    await store.commit({ merge: false });
    // segment 2: lower ids, every document exactly tying with segment 1's (bound = the k-th score)
    for (let id = 100; id < 160; id++) add(id, vec([5, 9], [1, 1]));
    await store.commit({ merge: false });
    // segment 3: the lowest ids, ties again, plus documents below the k-th score
    for (let id = 0; id < 60; id++) add(id, id % 2 === 0 ? vec([5, 9], [1, 1]) : vec([5, 8], [0.5, 1]));
    await store.commit({ merge: false });
    // segment 4: lower ids than segments 1 and 2, but a best possible score below the k-th
    // score of small k (skipped then; its documents enter only for a big k)
    for (let id = 60; id < 100; id++) add(id, vec([5, 8], [0.2, 1]));
    await store.commit({ merge: false });
    expect(store.segments.length).toBe(4);
    const q = vec([5, 7, 9], [1, 1, 1]);
    for (const k of [1, 2, 5, 10, 31, 61, 200]) {
      for (const filter of [undefined, (id: number) => id % 3 !== 0]) {
        const want = oracle(docs, q, k, scorer, filter);
        for (const exhaustive of [false, true]) {
          const got = store.searchSparse(q, k, { ...(filter ? { filter } : {}), exhaustive });
          expect(Array.from(got.ids)).toEqual(want.map((r) => r[0]));
          if (scorer === 'dot') expect(Array.from(got.scores)).toEqual(want.map((r) => r[1]));
          else for (let i = 0; i < want.length; i++) expect(got.scores[i]).toBeCloseTo(want[i]![1], 5);
        }
      }
    }
    // deleting lower-id ties lets the next ones in, from whichever segment holds them
    for (const id of [0, 2, 100, 101]) {
      expect(store.delete(id)).toBe(true);
      docs.delete(id);
    }
    const want = oracle(docs, q, 10, scorer);
    const got = store.searchSparse(q, 10);
    expect(Array.from(got.ids)).toEqual(want.map((r) => r[0]));
    store.close();
  });
});

describe('per-term slot cache across queries', () => {
  it('answers every single-term query over 70,000 distinct terms (the cache grows, fills its 65,536 terms and starts again) as a direct scan, and follows a commit', async () => {
    const store = await SegmentedStore.create(path.join(tmp, `s${dirs++}`), { sparse: { scorer: 'dot', k1: 0, b: 0 } });
    const TERMS = 70_000;
    // each term in two documents of different segments (term t: docs t % 2300 and (t * 7 + 1) % 2300)
    const postings = new Map<number, Array<[number, number]>>();
    const docs = new Map<number, Map<number, number>>();
    for (let t = 0; t < TERMS; t++) {
      for (const [d, w] of [
        [t % 2300, 1 + (t % 13)],
        [(t * 7 + 1) % 2300, 2 + (t % 5)],
      ] as const) {
        const m = docs.get(d) ?? new Map<number, number>();
        m.set(t, (m.get(t) ?? 0) + w);
        docs.set(d, m);
      }
    }
    const vecOf = (m: Map<number, number>) => {
      const ids = [...m.keys()].sort((a, b) => a - b);
      return vec(
        ids,
        ids.map((t) => m.get(t)!),
      );
    };
    const ids = [...docs.keys()].sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i++) {
      store.add(ids[i]!, { sparse: vecOf(docs.get(ids[i]!)!) });
      if (i % 800 === 799) await store.commit({ merge: false });
    }
    await store.commit({ merge: false });
    expect(store.segments.length).toBe(3);
    for (const [d, m] of docs) for (const [t, w] of m) postings.set(t, [...(postings.get(t) ?? []), [d, Math.fround(w)]]);
    const expectTerm = (t: number) => {
      const want = (postings.get(t) ?? []).map(([d, w]) => [d, w] as [number, number]).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const got = store.searchSparse(vec([t], [1]), 5);
      expect([...got.ids]).toEqual(want.map((x) => x[0]));
      expect([...got.scores]).toEqual(want.map((x) => x[1]));
    };
    for (let t = 0; t < TERMS; t++) expectTerm(t);
    for (let t = 0; t < TERMS; t += 997) expectTerm(t); // after the wrap: cached again from scratch
    // a commit changes the segment list: the cached slots must not outlive it
    store.delete(0);
    for (const [t] of docs.get(0)!)
      postings.set(
        t,
        postings.get(t)!.filter(([d]) => d !== 0),
      );
    const extra = new Map<number, number>([[5, 9]]);
    store.add(5000, { sparse: vecOf(extra) });
    postings.set(5, [...postings.get(5)!, [5000, 9]]);
    await store.commit({ merge: false });
    for (const t of [5, ...[...docs.get(0)!.keys()].slice(0, 20), 12_345]) expectTerm(t);
    store.close();
  }, 120_000);
});
