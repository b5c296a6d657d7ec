// Search across segments = search over one segment = the in-memory stores (SparseIndex,
// MultiVectorStore) on the same live documents: identical ids and bit-identical scores,
// with deletions (BM25's N, df, avgdl global and excluding deleted documents), for BM25 and
// dot, MaxScore and exhaustive, mapped and heap-loaded.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MultiVectorStore } from '../../../src/multivector/store.js';
import { SparseIndex } from '../../../src/sparse/sparse-index.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';
import { makeDocs, multiVec, sparseVec, type Doc } from './corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-eq-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;

async function build(docs: Doc[], segments: number, scorer: 'bm25' | 'dot', deleted: Set<number>, mode: 'auto' | 'read'): Promise<SegmentedStore> {
  const dir = path.join(tmp, `s${dirs++}`);
  let store = await SegmentedStore.create(dir, { sparse: { scorer, k1: 0.9, b: 0.4 }, multivector: { dim: 16, dtype: 'i8' } });
  const per = Math.ceil(docs.length / segments);
  // a shuffled insertion order, so segments hold interleaved id ranges
  const order = [...docs].sort((a, b) => ((a.id * 7919) % 101) - ((b.id * 7919) % 101) || a.id - b.id);
  for (let s = 0; s < segments; s++) {
    for (const d of order.slice(s * per, (s + 1) * per)) store.add(d.id, { sparse: d.sparse, multivector: d.multivector });
    await store.commit({ merge: false });
  }
  for (const id of deleted) expect(store.delete(id)).toBe(true);
  await store.commit({ merge: false });
  store.close();
  store = await SegmentedStore.open(dir, { mode });
  expect(store.segments.length).toBe(segments);
  return store;
}

function oracle(docs: Doc[], scorer: 'bm25' | 'dot', deleted: Set<number>) {
  const sparse = SparseIndex.create({ scorer, k1: 0.9, b: 0.4 });
  const mv = MultiVectorStore.create({ dim: 16, dtype: 'i8' });
  for (const d of docs) {
    sparse.add(d.id, d.sparse);
    mv.add(d.id, d.multivector);
  }
  for (const id of deleted) {
    sparse.delete(id);
    mv.remove(id);
  }
  return { sparse, mv };
}

describe.each([
  ['bm25', 'auto'],
  ['dot', 'auto'],
  ['bm25', 'read'],
] as const)('%s scorer, %s mapping', (scorer, mode) => {
  const docs = makeDocs(600, scorer === 'bm25' ? 11 : 12);
  const r = rng(5);
  const deleted = new Set(docs.filter(() => r() < 0.15).map((d) => d.id));

  it('1 segment, 10 segments and the in-memory stores agree exactly (top-k ids and scores)', async () => {
    const one = await build(docs, 1, scorer, deleted, mode);
    const ten = await build(docs, 10, scorer, deleted, mode);
    const ref = oracle(docs, scorer, deleted);
    const qr = rng(99);
    let compared = 0;
    for (let qi = 0; qi < 40; qi++) {
      const q = sparseVec(qr, 300, 1 + Math.floor(qr() * 6));
      for (const k of [1, 10, 50]) {
        const a = one.searchSparse(q, k);
        const b = ten.searchSparse(q, k);
        const c = ref.sparse.search(q, k);
        const e = ten.searchSparse(q, k, { exhaustive: true });
        expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
        expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
        expect(Array.from(b.ids)).toEqual(Array.from(c.ids));
        expect(Array.from(b.scores)).toEqual(Array.from(c.scores));
        expect(Array.from(e.ids)).toEqual(Array.from(c.ids));
        expect(Array.from(e.scores)).toEqual(Array.from(c.scores));
        for (const id of b.ids) expect(deleted.has(id)).toBe(false);
        compared += b.ids.length;
      }
      const mq = multiVec(qr, 16, 4);
      const ma = one.searchMultiVector(mq, 10);
      const mb = ten.searchMultiVector(mq, 10);
      const mc = ref.mv.searchExhaustive(mq, 10);
      expect(Array.from(mb.ids)).toEqual(Array.from(mc.ids));
      expect(Array.from(mb.scores)).toEqual(Array.from(mc.scores));
      expect(Array.from(ma.scores)).toEqual(Array.from(mc.scores));
      const cand = Array.from(mc.ids).reverse();
      expect(Array.from(ten.scoreMultiVector(mq, cand))).toEqual(Array.from(ref.mv.score(mq, cand)));
    }
    expect(compared).toBeGreaterThan(1000);
    // a filter sees global ids
    const q = sparseVec(rng(3), 300, 4);
    const even = (id: number) => id % 2 === 0;
    expect(Array.from(ten.searchSparse(q, 20, { filter: even }).ids)).toEqual(Array.from(ref.sparse.search(q, 20, { filter: even }).ids));
    one.close();
    ten.close();
  });

  it('a delete after opening moves the statistics at once, like the in-memory index', async () => {
    const ten = await build(docs, 10, scorer, new Set(), mode);
    const ref = oracle(docs, scorer, new Set());
    const victims = docs.filter((_, i) => i % 9 === 0).map((d) => d.id);
    for (const id of victims) {
      expect(ten.delete(id)).toBe(true);
      ref.sparse.delete(id);
    }
    expect(ten.delete(victims[0]!)).toBe(false);
    const q = sparseVec(rng(8), 300, 5);
    const a = ten.searchSparse(q, 30);
    const c = ref.sparse.search(q, 30);
    expect(Array.from(a.ids)).toEqual(Array.from(c.ids));
    expect(Array.from(a.scores)).toEqual(Array.from(c.scores));
    // committed deletions survive reopening; merging keeps the results
    await ten.commit({ merge: false });
    await ten.optimize();
    expect(ten.segments.length).toBe(1);
    const b = ten.searchSparse(q, 30);
    expect(Array.from(b.ids)).toEqual(Array.from(c.ids));
    expect(Array.from(b.scores)).toEqual(Array.from(c.scores));
    ten.close();
  });
});

it('adds are validated and visible after commit; duplicates and missing channels refused', async () => {
  const dir = path.join(tmp, 'api');
  const s = await SegmentedStore.create(dir, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 } });
  const v = { ids: Uint32Array.of(1, 2), weights: Float32Array.of(1, 1) };
  s.add(5, { sparse: v });
  expect(() => s.add(5, { sparse: v })).toThrow(expect.objectContaining({ code: 'DUPLICATE_ID' }));
  expect(() => s.add(6, {})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => s.add(6, { sparse: { ids: Uint32Array.of(2, 1), weights: Float32Array.of(1, 1) } })).toThrow(expect.objectContaining({ code: 'INVALID_VECTOR' }));
  expect(s.searchSparse(v, 5).ids.length).toBe(0);
  const r = await s.commit();
  expect(r.written).toEqual(['seg-000001']);
  expect(Array.from(s.searchSparse(v, 5).ids)).toEqual([5]);
  expect(() => s.add(5, { sparse: v })).toThrow(expect.objectContaining({ code: 'DUPLICATE_ID' }));
  s.close();
  expect(() => s.searchSparse(v, 5)).toThrow(expect.objectContaining({ code: 'INDEX_CLOSED' }));
  await expect(SegmentedStore.create(dir, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
});
