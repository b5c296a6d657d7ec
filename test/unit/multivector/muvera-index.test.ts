// MuveraIndex (MUVERA first stage) against the exhaustive MaxSim oracle and a brute-force FDE scan.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { MultiVectorStore, MuveraIndex, type MultiVector } from '../../../src/multivector/index.js';
import { rng } from '../dense/data.js';
import { randomDoc } from './data.js';

const DIM = 32;

function topicDocs(seed: number, n: number): MultiVector[] {
  const r = rng(seed);
  const topics = Array.from({ length: 10 }, () => randomDoc(r, DIM, 6));
  return Array.from({ length: n }, () => {
    const t = topics[Math.floor(r() * topics.length)]!;
    const count = 2 + Math.floor(r() * 8);
    const data = new Float32Array(count * DIM);
    for (let v = 0; v < count; v++) {
      const src = Math.floor(r() * t.count);
      for (let k = 0; k < DIM; k++) data[v * DIM + k] = t.data[src * DIM + k]! + 0.6 * (r() - 0.5);
    }
    return { data, dim: DIM, count };
  });
}

const OPTS = { repetitions: 8, simhashBits: 3, projection: 8, finalDimensions: 256 } as const;

describe('MuveraIndex (MUVERA first stage)', () => {
  const docs = topicDocs(8, 240);
  const queries = topicDocs(91, 6);

  for (const dtype of ['f32', 'residual'] as const) {
    it(`ndocs = N returns the exhaustive MaxSim top-k exactly (${dtype} store, exact scan and graph)`, () => {
      const store = MultiVectorStore.create({ dimensions: DIM, dtype, ...(dtype === 'residual' ? { bits: 2 as const, centroids: 64 } : {}) });
      docs.forEach((d, i) => {
        store.add(i, d);
      });
      const mv = MuveraIndex.create(store, { ...OPTS, threads: 1 });
      mv.add(docs.keys());
      expect(mv.size).toBe(docs.length);
      for (const q of queries) {
        const want = store.searchExhaustive(q, 15);
        for (const exact of [true, false]) {
          const got = mv.candidates(q, 15, { ndocs: docs.length, exact });
          expect(got.scored).toBe(docs.length);
          expect(Array.from(got.ids)).toEqual(Array.from(want.ids));
          expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
        }
      }
    });
  }

  const store = MultiVectorStore.create({ dimensions: DIM });
  docs.forEach((d, i) => {
    store.add(i, d);
  });
  const mv = MuveraIndex.create(store, { ...OPTS, threads: 1 });
  mv.add(docs.keys());

  it('the exact FDE scan is the brute-force top-n of encodeQuery · encodeDocument(stored vectors)', () => {
    for (const q of queries) {
      const qf = mv.encoder.encodeQuery(q);
      const all = docs.map((_, id) => {
        const df = mv.encoder.encodeDocument(store.get(id));
        let s = 0;
        for (let i = 0; i < qf.length; i++) s += qf[i]! * df[i]!;
        return { id, s };
      });
      all.sort((a, b) => b.s - a.s || a.id - b.id);
      const got = mv.searchFde(q, 30, { exact: true });
      expect(got.ids.length).toBe(30);
      // same set up to float ties at the cut
      const want = new Set(all.slice(0, 30).map((x) => x.id));
      const cut = all[29]!.s;
      for (let i = 0; i < 30; i++) {
        expect(want.has(got.ids[i]!) || Math.abs(got.scores[i]! - cut) < 1e-4).toBe(true);
        expect(got.scores[i]).toBeCloseTo(all.find((x) => x.id === got.ids[i])!.s, 3);
      }
    }
  });

  it('the graph finds most of the exact FDE top-50 and a small ndocs still recovers the MaxSim top-5', () => {
    let overlap = 0;
    let hit = 0;
    for (const q of queries) {
      const ex = new Set(mv.searchFde(q, 50, { exact: true }).ids);
      for (const id of mv.searchFde(q, 50).ids) if (ex.has(id)) overlap++;
    }
    // queries near one document each (its tokens plus noise): its MaxSim top-5 is found with ndocs = N/4
    const r = rng(5);
    for (let target = 0; target < 12; target++) {
      const d = docs[target * 7]!;
      const q = { data: d.data.map((v) => v + 0.2 * (r() - 0.5)), dim: DIM, count: d.count };
      const got = mv.candidates(q, 20, { ndocs: 60 });
      expect(got.scored).toBe(60);
      expect(got.ids[0]).toBe(target * 7);
      for (const id of store.searchExhaustive(q, 5).ids) if (got.ids.includes(id)) hit++;
    }
    expect(overlap / (50 * queries.length)).toBeGreaterThanOrEqual(0.9);
    expect(hit / (5 * 12)).toBeGreaterThanOrEqual(0.8);
  });

  it('follows removals; rejected calls change nothing', () => {
    const s = MultiVectorStore.create({ dimensions: DIM });
    docs.slice(0, 40).forEach((d, i) => {
      s.add(i, d);
    });
    const m = MuveraIndex.create(s, { ...OPTS, threads: 1 });
    m.add([...Array(40).keys()]);
    const q = queries[0]!;
    const top = m.candidates(q, 1, { ndocs: 40 }).ids[0]!;
    expect(m.remove(top)).toBe(true);
    expect(m.remove(top)).toBe(false);
    expect(m.size).toBe(39);
    for (const exact of [true, false]) expect(m.candidates(q, 39, { ndocs: 39, exact }).ids.includes(top)).toBe(false);
    expect(() => m.add([top, 1])).toThrow(expect.objectContaining({ code: 'DUPLICATE_ID' }));
    expect(() => m.add([top, 999])).toThrow(expect.objectContaining({ code: 'UNKNOWN_ID' }));
    expect(m.size).toBe(39);
    m.add([top]);
    expect(m.candidates(q, 1, { ndocs: 40, exact: true }).ids[0]).toBe(top);
    expect(m.bytes().rows).toBe(40 * 256 * 4);
  });

  it('bad options are InvalidArgumentError; an empty index returns nothing', () => {
    const q = queries[0]!;
    expect(() => mv.candidates(q, 0)).toThrow(InvalidArgumentError);
    expect(() => mv.candidates(q, 5, { ndocs: 0 })).toThrow(InvalidArgumentError);
    expect(() => mv.candidates(q, 5, { nprobe: 2 } as never)).toThrow(InvalidArgumentError);
    expect(() => mv.candidates(q, 5, { exact: 'yes' } as never)).toThrow(InvalidArgumentError);
    expect(() => mv.candidates({ data: new Float32Array(DIM - 1), dim: DIM - 1, count: 1 }, 5)).toThrow(InvalidArgumentError);
    for (const bad of [{ graphDtype: 'f64' }, { connectivity: 1 }, { threads: -1 }, { simhashBits: 20 }, { graph: 1 }, { repetition: 3 }]) {
      expect(() => MuveraIndex.create(store, bad as never), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => MuveraIndex.create(null as never)).toThrow(InvalidArgumentError);
    const empty = MuveraIndex.create(MultiVectorStore.create({ dimensions: DIM }), { graph: false });
    expect(empty.candidates(q, 5).ids.length).toBe(0);
  });
});
