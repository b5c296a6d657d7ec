import { describe, expect, it } from 'vitest';
import { DenseIndex, EXACT_BELOW_VALUES, type DenseDtype } from '../../../src/dense/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { bruteForce, clustered, dot64, recall } from './data.js';

const DIM = 64;
const N = 2000;

function build(dtype: DenseDtype, n = N, seed = 1): { index: DenseIndex; raw: Float32Array } {
  const raw = clustered(seed, n, DIM);
  // threads: 1 → reproducible graph (multi-threaded insertion order varies run to run).
  const index = DenseIndex.create({ dimensions: DIM, dtype, threads: 1 });
  const ids = Array.from({ length: n }, (_, i) => i * 3 + 1); // sparse, non-contiguous ids
  index.addBatch(ids, raw);
  return { index, raw };
}

function storedRows(index: DenseIndex, ids: number[]): Map<number, Float32Array> {
  return new Map(ids.map((id) => [id, index.vector(id)]));
}

const queries = clustered(99, 30, DIM);
const q = (i: number): Float32Array => queries.subarray(i * DIM, (i + 1) * DIM);

describe('DenseIndex exact oracle', () => {
  for (const dtype of ['f32', 'f16'] as const) {
    it(`searchExact equals a float64 brute force over the stored rows (${dtype})`, () => {
      const { index } = build(dtype);
      const ids = Array.from({ length: N }, (_, i) => i * 3 + 1);
      const rows = storedRows(index, ids);
      for (let i = 0; i < 20; i++) {
        const got = index.searchExact(q(i), 10);
        const want = bruteForce(q(i), rows, 10);
        expect(Array.from(got.ids)).toEqual(want.ids);
        for (let j = 0; j < 10; j++) expect(got.scores[j]).toBeCloseTo(want.scores[j]!, 5);
      }
    });
  }

  it('stores the L2-normalised input (f32 exactly up to rounding, f16 within half precision)', () => {
    for (const dtype of ['f32', 'f16'] as const) {
      const { index, raw } = build(dtype, 50);
      for (let i = 0; i < 50; i++) {
        const v = index.vector(i * 3 + 1);
        const row = raw.subarray(i * DIM, (i + 1) * DIM);
        const norm = Math.sqrt(dot64(row, 0, row, 0, DIM));
        const tol = dtype === 'f32' ? 1e-6 : 1e-3;
        for (let k = 0; k < DIM; k++) expect(Math.abs(v[k]! - row[k]! / norm)).toBeLessThan(tol);
      }
    }
  });

  it('score() gives the float64 dot with the stored row, in the order asked', () => {
    const { index } = build('f16', 300);
    const ids = Uint32Array.from([898, 1, 4, 1, 301]);
    const s = index.score(q(0), ids);
    for (let i = 0; i < ids.length; i++) expect(s[i]).toBeCloseTo(dot64(q(0), 0, index.vector(ids[i]!), 0, DIM), 5);
  });

  it('breaks ties by the lower id and returns everything when k exceeds the size', () => {
    const index = DenseIndex.create({ dimensions: 4, dtype: 'f32' });
    const v = new Float32Array([1, 2, 3, 4]);
    for (const id of [9, 3, 5]) index.add(id, v);
    index.add(7, new Float32Array([-1, 0, 0, 0]));
    for (const r of [index.searchExact(v, 100), index.search(v, 100)]) {
      expect(Array.from(r.ids)).toEqual([3, 5, 9, 7]);
      expect(r.scores[0]).toBeCloseTo(Math.sqrt(30), 5);
    }
  });
});

describe('DenseIndex HNSW search', () => {
  for (const dtype of ['f32', 'f16', 'i8'] as const) {
    it(`recall@10 vs the oracle is >= 0.9 at default settings (${dtype})`, () => {
      const { index } = build(dtype);
      let sum = 0;
      for (let i = 0; i < 30; i++) {
        const exact = index.searchExact(q(i), 10);
        const got = index.search(q(i), 10, { exact: false });
        sum += recall(got.ids, exact.ids);
        // Scores are rescored exactly: they must equal the oracle's score of the same id.
        const again = index.score(q(i), got.ids);
        expect(Array.from(got.scores)).toEqual(Array.from(again));
        for (let j = 1; j < got.scores.length; j++) expect(got.scores[j - 1]!).toBeGreaterThanOrEqual(got.scores[j]!);
      }
      // Hard data for HNSW (Gaussian clusters, 64 intrinsic dimensions): ~0.955 measured.
      expect(sum / 30).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('small collections answer exactly unless exact: false (rows × dims ≤ EXACT_BELOW_VALUES)', () => {
    const { index } = build('i8', 800);
    expect(800 * DIM).toBeLessThanOrEqual(EXACT_BELOW_VALUES);
    for (let i = 0; i < 20; i++) {
      const a = index.search(q(i), 10);
      const b = index.searchExact(q(i), 10);
      expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
      expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
    }
  });

  it('small collections with a filter: the exact answer, asking the filter only about the best rows', () => {
    const { index } = build('f16', 800);
    const ids = index.searchExact(q(0), 800).ids;
    for (const [name, pass] of [
      ['most', (id: number) => id % 7 !== 3],
      ['few', (id: number) => id % 97 === 5],
      ['none', () => false],
      ['the worst rows only', (id: number) => Array.from(ids.subarray(780)).includes(id)],
    ] as const) {
      for (const k of [1, 10, 100]) {
        let calls = 0;
        const f = (id: number) => {
          calls++;
          return pass(id);
        };
        const got = index.search(q(1), k, { filter: f });
        const want = index.searchExact(q(1), k, { filter: pass });
        expect(Array.from(got.ids), `${name} k=${k}`).toEqual(Array.from(want.ids));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
        if (name === 'most') expect(calls).toBeLessThan(4 * Math.max(2 * k, 64));
      }
    }
  });

  it('exact: true routes to the oracle', () => {
    const { index } = build('f16', 500);
    const a = index.search(q(3), 7, { exact: true });
    const b = index.searchExact(q(3), 7);
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
  });

  it('a larger ef never lowers recall on average', () => {
    const { index } = build('i8');
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 30; i++) {
      const exact = index.searchExact(q(i), 10).ids;
      lo += recall(index.search(q(i), 10, { exact: false }).ids, exact);
      hi += recall(index.search(q(i), 10, { ef: 400, exact: false }).ids, exact);
    }
    expect(hi).toBeGreaterThanOrEqual(lo);
    expect(hi / 30).toBeGreaterThanOrEqual(0.99);
  });
});

describe('DenseIndex filtered search', () => {
  const { index } = build('f16');
  const ids = Array.from({ length: N }, (_, i) => i * 3 + 1);
  const cases: Array<[string, (id: number) => boolean]> = [
    ['half', (id) => id % 2 === 0],
    ['5%', (id) => id % 20 === 7],
    ['0.5%', (id) => id % 200 === 13],
    ['3 ids', (id) => id === 4 || id === 1000 || id === 5998],
    ['none', () => false],
  ];
  for (const [name, filter] of cases) {
    it(`returns only passing ids with high recall vs the filtered oracle (${name})`, () => {
      const passing = ids.filter(filter).length;
      let sum = 0;
      for (let i = 0; i < 20; i++) {
        const exact = index.searchExact(q(i), 10, { filter });
        const got = index.search(q(i), 10, { filter, exact: false });
        expect(got.ids.length).toBe(Math.min(10, passing));
        for (const id of got.ids) expect(filter(id)).toBe(true);
        sum += recall(got.ids, exact.ids);
      }
      expect(sum / 20).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('a permissive filter goes through the graph (few filter calls), a selective one scans once per id', () => {
    let calls = 0;
    const half = (id: number): boolean => {
      calls++;
      return id % 2 === 0;
    };
    index.search(q(1), 10, { filter: half, exact: false });
    expect(calls).toBeLessThan(N / 10);
    calls = 0;
    const rare = (id: number): boolean => {
      calls++;
      return id % 200 === 13;
    };
    const r = index.search(q(1), 10, { filter: rare, exact: false });
    expect(calls).toBeLessThanOrEqual(N); // memoised: each id at most once
    expect(Array.from(r.ids)).toEqual(Array.from(index.searchExact(q(1), 10, { filter: rare }).ids));
  });

  it('the filtered oracle equals a float64 brute force over the passing rows', () => {
    const filter = (id: number): boolean => id % 7 === 2;
    const rows = storedRows(index, ids.filter(filter));
    const got = index.searchExact(q(5), 15, { filter });
    expect(Array.from(got.ids)).toEqual(bruteForce(q(5), rows, 15).ids);
  });
});

describe('DenseIndex add / update / remove', () => {
  it('remove hides an id everywhere; re-adding it works', () => {
    const { index } = build('f16', 500);
    const target = index.searchExact(q(0), 1).ids[0]!;
    expect(index.remove(target)).toBe(true);
    expect(index.remove(target)).toBe(false);
    expect(index.has(target)).toBe(false);
    expect(index.size).toBe(499);
    expect(Array.from(index.search(q(0), 50, { exact: false }).ids)).not.toContain(target);
    expect(Array.from(index.searchExact(q(0), 500).ids)).not.toContain(target);
    expect(() => index.vector(target)).toThrow(expect.objectContaining({ code: 'UNKNOWN_ID' }));
    index.add(target, q(0));
    expect(index.search(q(0), 1, { exact: false }).ids[0]).toBe(target);
    expect(index.searchExact(q(0), 1).scores[0]).toBeCloseTo(Math.sqrt(dot64(q(0), 0, q(0), 0, DIM)), 3);
  });

  it('update replaces the vector in the graph and the rows', () => {
    const { index } = build('f32', 500);
    index.update(4, q(1));
    expect(index.search(q(1), 1, { exact: false }).ids[0]).toBe(4);
    expect(index.searchExact(q(1), 1).ids[0]).toBe(4);
    expect(index.size).toBe(500);
    const v = index.vector(4);
    const n = Math.sqrt(dot64(q(1), 0, q(1), 0, DIM));
    for (let k = 0; k < DIM; k++) expect(v[k]).toBeCloseTo(q(1)[k]! / n, 6);
  });

  it('many removals keep search complete and consistent with the oracle', () => {
    const { index } = build('f16', 600);
    for (let i = 0; i < 600; i += 2) index.remove(i * 3 + 1);
    expect(index.size).toBe(300);
    let sum = 0;
    for (let i = 0; i < 10; i++) {
      const got = index.search(q(i), 10, { exact: false });
      expect(got.ids.length).toBe(10);
      for (const id of got.ids) expect(index.has(id)).toBe(true);
      sum += recall(got.ids, index.searchExact(q(i), 10).ids);
    }
    expect(sum / 10).toBeGreaterThanOrEqual(0.9);
  });
});

describe('DenseIndex bad input', () => {
  function expectCode(fn: () => unknown, code: string): void {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe(code);
  }

  it('rejects with typed codes and leaves the index unchanged', () => {
    const { index } = build('f16', 100);
    const before = index.searchExact(q(0), 100);
    const nan = q(0).slice();
    nan[3] = NaN;
    const inf = q(0).slice();
    inf[0] = Infinity;
    expectCode(() => index.add(1000, new Float32Array(DIM - 1)), 'DIMENSION_MISMATCH');
    expectCode(() => index.add(1000, nan), 'INVALID_VECTOR');
    expectCode(() => index.add(1000, inf), 'INVALID_VECTOR');
    expectCode(() => index.add(1000, new Float32Array(DIM)), 'INVALID_VECTOR');
    expectCode(() => index.add(1, q(0)), 'DUPLICATE_ID');
    expectCode(() => index.add(-1, q(0)), 'INVALID_ARGUMENT');
    expectCode(() => index.add(1.5, q(0)), 'INVALID_ARGUMENT');
    expectCode(() => index.update(2, q(0)), 'UNKNOWN_ID');
    expectCode(() => index.update(1, nan), 'INVALID_VECTOR');
    expectCode(() => index.addBatch([1000, 1000], new Float32Array(2 * DIM).fill(1)), 'DUPLICATE_ID');
    expectCode(() => index.addBatch([1000, 1], new Float32Array(2 * DIM).fill(1)), 'DUPLICATE_ID');
    const badBatch = new Float32Array(2 * DIM).fill(1);
    badBatch[DIM + 5] = NaN;
    expectCode(() => index.addBatch([1000, 1001], badBatch), 'INVALID_VECTOR');
    expectCode(() => index.addBatch([1000, 1001], new Float32Array(DIM)), 'DIMENSION_MISMATCH');
    expectCode(() => index.search(q(0), 0), 'INVALID_ARGUMENT');
    expectCode(() => index.search(q(0), -3), 'INVALID_ARGUMENT');
    expectCode(() => index.searchExact(q(0), 2.5), 'INVALID_ARGUMENT');
    expectCode(() => index.search(new Float32Array(3), 5), 'DIMENSION_MISMATCH');
    expectCode(() => index.search(nan, 5), 'INVALID_VECTOR');
    expectCode(() => index.search(q(0), 5, { ef: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => index.score(q(0), [1, 2]), 'UNKNOWN_ID');
    expectCode(() => DenseIndex.create({ dimensions: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => DenseIndex.create({ dimensions: 8, dtype: 'f64' as never }), 'INVALID_ARGUMENT');
    expect(index.size).toBe(100);
    expect(index.has(1000)).toBe(false);
    const after = index.searchExact(q(0), 100);
    expect(Array.from(after.ids)).toEqual(Array.from(before.ids));
    expect(Array.from(after.scores)).toEqual(Array.from(before.scores));
    expect(index.search(q(0), 100).ids.length).toBe(100);
  });

  it('an empty index answers with empty results', () => {
    const index = DenseIndex.create({ dimensions: 8 });
    expect(index.search(new Float32Array(8).fill(1), 5).ids.length).toBe(0);
    expect(index.searchExact(new Float32Array(8).fill(1), 5).ids.length).toBe(0);
  });
});

describe('DenseIndex candidate-restricted search', () => {
  it('ranks exactly the given ids like a float64 brute force over them', () => {
    const { index } = build('f16', 400);
    const cands = [7, 31, 1000, 4, 598, 7, 301, 1198];
    const got = index.searchCandidates(q(2), cands, 5);
    const rows = new Map([...new Set(cands)].map((id) => [id, index.vector(id)]));
    const want = bruteForce(q(2), rows, 5);
    expect(Array.from(got.ids)).toEqual(want.ids);
    got.scores.forEach((s, i) => {
      expect(s).toBeCloseTo(want.scores[i]!, 5);
    });
    expect(index.searchCandidates(q(2), cands, 100).ids.length).toBe(7);
    expect(() => index.searchCandidates(q(2), [7, 2], 5)).toThrow(expect.objectContaining({ code: 'UNKNOWN_ID' }));
    expect(() => index.searchCandidates(q(2), [7, 1.5], 5)).toThrow(expect.objectContaining({ code: 'UNKNOWN_ID' }));
    expect(Array.from(index.searchCandidates(q(2), [7, 2, 4], 5, { skipUnknown: true }).ids).sort()).toEqual([4, 7]);
  });
});

describe('DenseIndex close', () => {
  it('is idempotent and later calls throw INDEX_CLOSED', async () => {
    const index = DenseIndex.create({ dimensions: 4 });
    index.add(1, [1, 2, 3, 4]);
    index.close();
    index.close();
    expect(index.dimensions).toBe(4);
    for (const call of [() => index.search([1, 0, 0, 0], 1), () => index.add(2, [1, 1, 1, 1]), () => index.size, () => index.has(1), () => index.remove(1)]) {
      expect(call).toThrow(expect.objectContaining({ code: 'INDEX_CLOSED' }));
    }
    await expect(index.saveFiles('/tmp')).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
  });
});
