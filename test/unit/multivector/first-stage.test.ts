// MultiVectorStore.candidates (residual first stage) against the exhaustive MaxSim oracle.
import { describe, expect, it } from 'vitest';
import { MultiVectorStore } from '../../../src/multivector/index.js';
import { rng } from '../dense/data.js';
import { randomDoc, randomDocs } from './data.js';

const DIM = 48;

/** Documents drawn around topics, so centroids mean something. */
function topicDocs(seed: number, n: number): Array<{ data: Float32Array; dim: number; count: number }> {
  const r = rng(seed);
  const topics = Array.from({ length: 12 }, () => randomDoc(r, DIM, 6));
  return Array.from({ length: n }, () => {
    const t = topics[Math.floor(r() * topics.length)]!;
    const count = 3 + Math.floor(r() * 8);
    const data = new Float32Array(count * DIM);
    for (let v = 0; v < count; v++) {
      const src = Math.floor(r() * t.count);
      for (let k = 0; k < DIM; k++) data[v * DIM + k] = t.data[src * DIM + k]! + 0.4 * (r() - 0.5);
    }
    return { data, dim: DIM, count };
  });
}

describe('MultiVectorStore.candidates (PLAID-style first stage)', () => {
  const docs = topicDocs(4, 300);
  const store = MultiVectorStore.create({ dimensions: DIM, dtype: 'residual', bits: 2, centroids: 128 });
  docs.forEach((d, i) => {
    store.add(i, d);
  });
  const queries = topicDocs(99, 6).map((q) => ({ ...q, data: q.data.slice(0, Math.min(q.count, 4) * DIM), count: Math.min(q.count, 4) }));

  it('probing every centroid and scoring every document equals the exhaustive search exactly', () => {
    for (const q of queries) {
      const got = store.candidates(q, 20, { nprobe: 128, ndocs: 300 });
      const want = store.searchExhaustive(q, 20);
      expect(Array.from(got.ids)).toEqual(Array.from(want.ids));
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
      expect(got.scored).toBe(300);
    }
  });

  it('default settings: finds the exhaustive top-5 while fully scoring fewer documents', () => {
    let hit = 0;
    let total = 0;
    for (const q of queries) {
      const got = store.candidates(q, 50, { nprobe: 4, ndocs: 150 });
      expect(got.scored).toBeLessThanOrEqual(150);
      const want = store.searchExhaustive(q, 5);
      for (const id of want.ids) if (got.ids.includes(id)) hit++;
      total += want.ids.length;
      // returned scores are the exact ones
      expect(Array.from(got.scores.subarray(0, 3))).toEqual(Array.from(store.score(q, got.ids.subarray(0, 3))));
    }
    expect(hit / total).toBeGreaterThanOrEqual(0.9); // near-tied topic documents here; the 100k bench measures the real recall
  });

  it('follows removals and additions (lists rebuilt)', () => {
    const s = MultiVectorStore.create({ dimensions: DIM, dtype: 'residual', bits: 1, centroids: 8 });
    docs.slice(0, 50).forEach((d, i) => {
      s.add(i, d);
    });
    const q = queries[0]!;
    const top = s.candidates(q, 1, { nprobe: 8, ndocs: 50 }).ids[0]!;
    s.remove(top);
    expect(s.candidates(q, 50, { nprobe: 8, ndocs: 50 }).ids.includes(top)).toBe(false);
    s.add(top, docs[top]!);
    expect(s.candidates(q, 1, { nprobe: 8, ndocs: 50 }).ids[0]).toBe(top);
  });

  it('other dtypes and bad options are typed errors; an empty store returns nothing', () => {
    const f = MultiVectorStore.create({ dimensions: DIM });
    f.add(0, randomDocs(1, 1, DIM, 3)[0]!);
    expect(() => f.candidates(queries[0]!, 5)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => store.candidates(queries[0]!, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => store.candidates(queries[0]!, 5, { nprobe: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => store.candidates(queries[0]!, 5, { nprobes: 2 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(MultiVectorStore.create({ dimensions: DIM, dtype: 'residual' }).candidates(queries[0]!, 5).ids.length).toBe(0);
  });
});
