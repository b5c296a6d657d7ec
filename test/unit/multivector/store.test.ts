import { describe, expect, it } from 'vitest';
import { MultiVectorStore, type MultiVector, type MvDtype } from '../../../src/multivector/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { rng } from '../dense/data.js';
import { maxsim64, normalisedCopy, randomDoc, randomDocs } from './data.js';

const DIM = 48;
const docs = randomDocs(5, 120, DIM, 30);
const r = rng(77);
const queries = Array.from({ length: 6 }, () => randomDoc(r, DIM, 1 + Math.floor(r() * 12)));

function build(dtype: MvDtype, poolFactor: 1 | 2 | 3 = 1): MultiVectorStore {
  const s = MultiVectorStore.create({ dim: DIM, dtype, poolFactor });
  docs.forEach((d, i) => {
    s.add(i * 2, d);
  });
  return s;
}

const TOL: Record<MvDtype, number> = { f32: 1e-5, f16: 1e-5, i8: 2e-2 };

describe('MultiVectorStore scoring', () => {
  for (const dtype of ['f32', 'f16', 'i8'] as const) {
    it(`score() equals a float64 MaxSim over the stored vectors (${dtype})`, () => {
      const s = build(dtype);
      const ids = Uint32Array.from(docs.map((_, i) => i * 2).reverse());
      for (const q of queries) {
        const got = s.score(q, ids);
        ids.forEach((id, i) => {
          expect(Math.abs(got[i]! - maxsim64(q, s.get(id)))).toBeLessThan(TOL[dtype]);
        });
      }
    });

    it(`stored vectors are the normalised input within storage precision (${dtype})`, () => {
      const s = build(dtype);
      const tol = dtype === 'f32' ? 1e-6 : dtype === 'f16' ? 1e-3 : 1e-2;
      for (let i = 0; i < 10; i++) {
        const want = normalisedCopy(docs[i]!);
        const got = s.get(i * 2);
        expect(got.count).toBe(want.count);
        for (let k = 0; k < want.data.length; k++) expect(Math.abs(got.data[k]! - want.data[k]!)).toBeLessThan(tol);
        expect(Array.from(got.tokenIds!)).toEqual(Array.from(docs[i]!.tokenIds!));
      }
    });

    it(`searchExhaustive ranks like the float64 oracle, with filter and k > size (${dtype})`, () => {
      const s = build(dtype);
      for (const q of queries) {
        const want = docs.map((d, i) => ({ id: i * 2, s: maxsim64(q, normalisedCopy(d)) })).sort((a, b) => b.s - a.s || a.id - b.id);
        const all = s.searchExhaustive(q, 1000);
        expect(all.ids.length).toBe(docs.length);
        if (dtype !== 'i8') {
          expect(Array.from(all.ids.subarray(0, 10))).toEqual(want.slice(0, 10).map((x) => x.id));
        } else {
          const top = new Set(want.slice(0, 10).map((x) => x.id));
          expect(Array.from(all.ids.subarray(0, 10)).filter((id) => top.has(id)).length).toBeGreaterThanOrEqual(8);
        }
        for (let i = 1; i < all.scores.length; i++) expect(all.scores[i - 1]!).toBeGreaterThanOrEqual(all.scores[i]!);
        const filter = (id: number): boolean => id % 6 === 0;
        const f = s.searchExhaustive(q, 5, { filter });
        expect(Array.from(f.ids)).toEqual(Array.from(all.ids).filter(filter).slice(0, 5));
        // score() and the scan agree exactly.
        expect(Array.from(s.score(q, all.ids))).toEqual(Array.from(all.scores));
      }
    });
  }

  it('empty documents and empty queries score 0; ties break by lower id', () => {
    const s = MultiVectorStore.create({ dim: 4, dtype: 'f32' });
    const v: MultiVector = { data: new Float32Array([1, 0, 0, 0]), dim: 4, count: 1 };
    s.add(9, v);
    s.add(3, v);
    s.add(5, { data: new Float32Array(0), dim: 4, count: 0 });
    const q: MultiVector = { data: new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]), dim: 4, count: 2 };
    expect(Array.from(s.score(q, [5, 3]))).toEqual([0, 0.5]);
    const r = s.searchExhaustive(q, 10);
    expect(Array.from(r.ids)).toEqual([3, 9, 5]);
    expect(Array.from(s.score({ data: new Float32Array(0), dim: 4, count: 0 }, [3, 9]))).toEqual([0, 0]);
    expect(s.alignments(q, 5)).toEqual([]);
  });
});

describe('MultiVectorStore alignments', () => {
  it('each query vector points at its float64 argmax; contributions sum to the score', () => {
    const s = build('f32');
    const q = queries[2]!;
    const id = 10;
    const d = s.get(id);
    const al = s.alignments(q, id);
    expect(al.length).toBe(q.count);
    for (const a of al) {
      let best = -Infinity;
      let bj = -1;
      for (let j = 0; j < d.count; j++) {
        let dot = 0;
        for (let k = 0; k < DIM; k++) dot += q.data[a.queryIndex * DIM + k]! * d.data[j * DIM + k]!;
        if (dot > best) [best, bj] = [dot, j];
      }
      expect(a.docIndex).toBe(bj);
      expect(a.score).toBeCloseTo(best, 5);
      expect(a.docTokenId).toBe(docs[5]!.tokenIds![bj]);
      expect(a.docCharSpan).toEqual((docs[5]!.charSpans as Array<[number, number]>)[bj]);
    }
    for (let i = 1; i < al.length; i++) expect(al[i - 1]!.score).toBeGreaterThanOrEqual(al[i]!.score);
    const sum = al.reduce((acc, a) => acc + a.score, 0);
    expect(sum / q.count).toBeCloseTo(s.score(q, [id])[0]!, 5);
    expect(s.alignments(q, id, 2)).toEqual(al.slice(0, 2));
  });

  it('alignment contributions sum to qCount × score() for every dtype', () => {
    for (const dtype of ['f32', 'f16', 'i8'] as const) {
      const s = build(dtype);
      for (const q of queries) {
        for (const id of [4, 20, 60, 238]) {
          if (s.vectorCount(id) === 0) continue;
          const sum = s.alignments(q, id).reduce((a, x) => a + x.score, 0);
          expect(Math.abs(sum / q.count - s.score(q, [id])[0]!)).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('documents without token ids or spans omit them (empty arrays count as absent)', () => {
    const s = MultiVectorStore.create({ dim: 3, dtype: 'f16' });
    s.add(0, { data: new Float32Array([1, 0, 0, 0, 1, 0]), dim: 3, count: 2, tokenIds: new Uint32Array(0), charSpans: [] });
    const [a] = s.alignments({ data: new Float32Array([0, 1, 0]), dim: 3, count: 1 }, 0);
    expect(a).toEqual({ queryIndex: 0, docIndex: 1, score: 1 });
  });
});

describe('MultiVectorStore remove / compact', () => {
  it('tombstones, then compact reclaims space without changing scores', () => {
    const s = build('i8');
    const removed = [0, 2, 50, 238];
    for (const id of removed) expect(s.remove(id)).toBe(true);
    expect(s.remove(0)).toBe(false);
    expect(s.size).toBe(docs.length - removed.length);
    const garbage = removed.reduce((a, id) => a + docs[id / 2]!.count, 0);
    expect(s.stats().garbageVectors).toBe(garbage);
    const q = queries[0]!;
    const before = s.searchExhaustive(q, 1000);
    for (const id of removed) expect(Array.from(before.ids)).not.toContain(id);
    expect(() => s.score(q, [2])).toThrow(expect.objectContaining({ code: 'UNKNOWN_ID' }));
    const bytesBefore = s.stats().allocatedBytes;
    s.compact();
    const st = s.stats();
    expect(st.garbageVectors).toBe(0);
    expect(st.allocatedBytes).toBeLessThan(bytesBefore);
    expect(st.vectors).toBe(docs.reduce((a, d) => a + d.count, 0) - garbage);
    const after = s.searchExhaustive(q, 1000);
    expect(Array.from(after.ids)).toEqual(Array.from(before.ids));
    expect(Array.from(after.scores)).toEqual(Array.from(before.scores));
    s.add(2, docs[7]!);
    expect(s.score(q, [2])[0]).toBe(s.score(q, [14])[0]);
  });

  it('compact puts rows in id order (runs of adjacent rows moved together) and leaves an already compact store as it is', () => {
    for (const dtype of ['f32', 'i8'] as const) {
      // added out of id order: the arena's rows are not in id order, so compact must move them
      const s = MultiVectorStore.create({ dim: DIM, dtype });
      const order = [9, 3, 4, 5, 0, 1, 2, 8, 6, 7, 12, 10, 11];
      for (const id of order) s.add(id, docs[id]!);
      s.remove(5);
      s.remove(12);
      const ids = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11];
      const q = queries[1]!;
      const before = Array.from(s.score(q, ids));
      const stored = ids.map((id) => Array.from(s.get(id).data));
      s.compact();
      expect(Array.from(s.score(q, ids))).toEqual(before);
      ids.forEach((id, i) => {
        expect(Array.from(s.get(id).data)).toEqual(stored[i]);
        // the float64 oracle over the stored vectors
        expect(Math.abs(s.score(q, [id])[0]! - maxsim64(q, s.get(id)))).toBeLessThan(TOL[dtype]);
      });
      // rows now lie in id order: each document starts where the one before it ends
      let next = 0;
      for (const id of ids) {
        const r = s.storedRange(id)!;
        expect(r.start).toBe(next);
        next += r.count;
      }
      // compact again: nothing to move, the same arena and rows
      const arena = s.storedRange(0)!.arena;
      s.compact();
      expect(s.storedRange(0)!.arena).toBe(arena);
      expect(Array.from(s.score(q, ids))).toEqual(before);
    }
  });

  it('stats reports bytes per document by dtype', () => {
    const total = docs.reduce((a, d) => a + d.count, 0);
    for (const [dtype, per] of [
      ['f32', DIM * 4 + 12],
      ['f16', DIM * 2 + 12],
      ['i8', DIM + 16],
    ] as const) {
      const st = build(dtype).stats();
      expect(st.docs).toBe(docs.length);
      expect(st.vectors).toBe(total);
      expect(st.bytes).toBe(total * per);
      expect(st.bytesPerDoc).toBeCloseTo((total * per) / docs.length, 6);
    }
  });
});

describe('MultiVectorStore bad input', () => {
  function code(fn: () => unknown): string | undefined {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidArgumentError);
      return (e as InvalidArgumentError).code;
    }
    return undefined;
  }

  it('rejects with typed codes and leaves the store unchanged', () => {
    const s = build('f16');
    const q = queries[1]!;
    const before = s.searchExhaustive(q, 1000);
    const statsBefore = s.stats();
    const d3 = docs.find((d) => d.count >= 2)!;
    const nan = d3.data.slice();
    nan[DIM + 7] = NaN;
    const zero = d3.data.slice();
    zero.fill(0, DIM, 2 * DIM);
    expect(code(() => s.add(1, { ...d3, dim: DIM + 1 }))).toBe('DIMENSION_MISMATCH');
    expect(code(() => s.add(1, { ...d3, count: d3.count + 1 }))).toBe('DIMENSION_MISMATCH');
    expect(code(() => s.add(1, { ...d3, data: nan }))).toBe('INVALID_VECTOR');
    expect(code(() => s.add(1, { ...d3, data: zero }))).toBe('INVALID_VECTOR');
    expect(code(() => s.add(1, { ...d3, tokenIds: new Uint32Array(d3.count + 1) }))).toBe('INVALID_ARGUMENT');
    expect(code(() => s.add(1, { ...d3, charSpans: [[3, 1]] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => s.add(0, docs[0]!))).toBe('DUPLICATE_ID');
    expect(code(() => s.add(-2, docs[0]!))).toBe('INVALID_ARGUMENT');
    expect(code(() => s.score(q, [0, 1]))).toBe('UNKNOWN_ID');
    expect(code(() => s.score({ ...q, dim: 3 }, [0]))).toBe('DIMENSION_MISMATCH');
    const qnan = q.data.slice();
    qnan[0] = Infinity;
    expect(code(() => s.score({ ...q, data: qnan }, [0]))).toBe('INVALID_VECTOR');
    expect(code(() => s.searchExhaustive(q, 0))).toBe('INVALID_ARGUMENT');
    expect(code(() => s.alignments(q, 1))).toBe('UNKNOWN_ID');
    expect(code(() => s.alignments(q, 0, 0))).toBe('INVALID_ARGUMENT');
    expect(code(() => MultiVectorStore.create({ dim: 8, poolFactor: 4 as never }))).toBe('INVALID_ARGUMENT');
    expect(code(() => MultiVectorStore.create({ dim: 0 }))).toBe('INVALID_ARGUMENT');
    expect(s.has(1)).toBe(false);
    expect(s.stats()).toEqual(statsBefore);
    const after = s.searchExhaustive(q, 1000);
    expect(Array.from(after.ids)).toEqual(Array.from(before.ids));
    expect(Array.from(after.scores)).toEqual(Array.from(before.scores));
  });
});

describe('MultiVectorStore rerank', () => {
  it('returns the candidates ordered by the float64 MaxSim, duplicates once', () => {
    const s = build('f32');
    const q = queries[4]!;
    const cands = [10, 2, 44, 2, 100, 6];
    const want = [...new Set(cands)].map((id) => ({ id, s: maxsim64(q, s.get(id)) })).sort((a, b) => b.s - a.s || a.id - b.id);
    const got = s.rerank(q, cands, 3);
    expect(Array.from(got.ids)).toEqual(want.slice(0, 3).map((x) => x.id));
    got.scores.forEach((x, i) => {
      expect(x).toBeCloseTo(want[i]!.s, 5);
    });
    expect(s.rerank(q, cands, 50).ids.length).toBe(5);
    expect(() => s.rerank(q, [2, 3], 2)).toThrow(expect.objectContaining({ code: 'UNKNOWN_ID' }));
    expect(() => s.rerank(q, [2], 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
