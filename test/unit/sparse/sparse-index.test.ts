import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseIndex, sparseVector, type SparseVector } from '../../../src/sparse/index.js';
import { InvalidArgumentError, StorageError } from '../../../src/errors.js';

const v = (ids: number[], w: number[]): SparseVector => ({ ids: Uint32Array.from(ids), weights: Float32Array.from(w) });

function expectCode(fn: () => unknown, cls: abstract new (...args: never[]) => unknown, code: string) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect((err as { code: string }).code).toBe(code);
}

describe('SparseIndex dot scorer', () => {
  it('scores Σ w_q·w_d over shared ids (hand-computed)', () => {
    const idx = SparseIndex.create();
    idx.add(0, v([1, 5, 9], [0.5, 0.25, 1]));
    idx.add(1, v([5], [2]));
    idx.add(2, v([7], [3]));
    const q = v([5, 9], [2, 0.5]);
    const r = idx.search(q, 10);
    // doc1: 2*2 = 4; doc0: 2*0.25 + 0.5*1 = 1; doc2 shares nothing
    expect(Array.from(r.ids)).toEqual([1, 0]);
    expect(Array.from(r.scores)).toEqual([4, 1]);
    expect(Array.from(idx.score(q, Uint32Array.of(0, 1, 2)))).toEqual([1, 4, 0]);
    expect(idx.matches(q, 0)).toEqual([
      { id: 5, queryWeight: 2, docWeight: 0.25 },
      { id: 9, queryWeight: 0.5, docWeight: 1 },
    ]);
  });

  it('breaks ties by lower internal id, also when documents arrive out of order', () => {
    const idx = SparseIndex.create();
    for (const id of [9, 3, 7, 1, 5]) idx.add(id, v([2], [1]));
    const r = idx.search(v([2], [1]), 3);
    expect(Array.from(r.ids)).toEqual([1, 3, 5]);
  });

  it('returns every matching document when k exceeds the collection', () => {
    const idx = SparseIndex.create();
    idx.addBatch([0, 1, 2], [v([1], [1]), v([1], [2]), v([3], [1])]);
    expect(Array.from(idx.search(v([1], [1]), 1000).ids)).toEqual([1, 0]);
    expect(idx.search(v([], []), 5).ids.length).toBe(0);
    expect(idx.search(v([42], [1]), 5).ids.length).toBe(0);
  });

  it('a filter that searches again (re-entering MaxScore) changes neither search; the oracle agrees', () => {
    let seed = 7;
    const r = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const idx = SparseIndex.create();
    const vec = () => {
      const ids = [...new Set(Array.from({ length: 6 }, () => Math.floor(r() * 40)))].sort((a, b) => a - b);
      return v(
        ids,
        ids.map(() => 0.1 + r()),
      );
    };
    for (let id = 0; id < 300; id++) idx.add(id, vec());
    const outer = v(
      Array.from({ length: 40 }, (_, i) => i),
      Array.from({ length: 40 }, (_, i) => 1 + (i % 5)),
    );
    const inner = v([2, 3, 5], [1, 2, 3]);
    const innerWant = idx.search(inner, 5, { exhaustive: true });
    const innerGot: unknown[] = [];
    const keep = (id: number) => {
      innerGot.push(idx.search(inner, 5)); // same module scratch: must not disturb the outer search
      return id % 3 !== 0;
    };
    const got = idx.search(outer, 20, { filter: keep });
    expect(got).toEqual(idx.search(outer, 20, { filter: (id) => id % 3 !== 0, exhaustive: true }));
    expect(innerGot.length).toBeGreaterThan(0);
    for (const g of innerGot) expect(g).toEqual(innerWant);
  });

  it('a long query (more terms than the short-query ordering handles) equals the exhaustive oracle, dot and BM25', () => {
    let seed = 11;
    const r = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const scorer of ['dot', 'bm25'] as const) {
      const idx = SparseIndex.create(scorer === 'bm25' ? { scorer: 'bm25' } : {});
      for (let id = 0; id < 400; id++) {
        const ids = [...new Set(Array.from({ length: 12 }, () => Math.floor(r() * 300)))].sort((a, b) => a - b);
        idx.add(
          id,
          v(
            ids,
            ids.map(() => (scorer === 'bm25' ? 1 + Math.floor(r() * 4) : 0.1 + r())),
          ),
        );
      }
      const terms = Array.from({ length: 150 }, (_, i) => i * 2); // 150 terms, bounds all different
      const q = v(
        terms,
        terms.map(() => (scorer === 'bm25' ? 1 : 0.1 + r())),
      );
      for (const k of [1, 10, 50]) expect(idx.search(q, k)).toEqual(idx.search(q, k, { exhaustive: true }));
    }
  });

  it('tombstones deletes, compacts, and reports memory per posting', () => {
    const idx = SparseIndex.create();
    idx.addBatch([0, 1, 2], [v([1, 2], [1, 1]), v([1], [2]), v([2], [3])]);
    expect(idx.stats()).toMatchObject({ docs: 3, deleted: 0, terms: 2, postings: 4 });
    expect(idx.delete(1)).toBe(true);
    expect(idx.delete(1)).toBe(false);
    expect(idx.delete(99)).toBe(false);
    expect(idx.has(1)).toBe(false);
    expect(idx.size).toBe(2);
    expect(Array.from(idx.search(v([1], [1]), 10).ids)).toEqual([0]);
    expect(idx.stats()).toMatchObject({ docs: 2, deleted: 1, postings: 4 });
    idx.compact();
    const s = idx.stats();
    expect(s).toMatchObject({ docs: 2, deleted: 0, terms: 2, postings: 3 });
    expect(s.bytesPerPosting).toBeCloseTo(s.bytes / 3, 12);
    // re-using a deleted id is allowed
    idx.delete(0);
    idx.add(0, v([2], [5]));
    expect(Array.from(idx.search(v([1, 2], [1, 1]), 10).ids)).toEqual([0, 2]);
    expect(idx.stats().postings).toBe(2);
  });

  it('stores a posting in about 8 bytes once compacted', () => {
    const idx = SparseIndex.create();
    for (let d = 0; d < 4000; d++) {
      const ids = Array.from({ length: 10 }, (_, i) => (d * 7 + i * 13) % 200).sort((a, b) => a - b);
      idx.add(
        d,
        sparseVector(
          ids,
          ids.map((x) => 1 + (x % 5)),
        ),
      );
    }
    const grown = idx.stats();
    expect(grown.postings).toBe(40000);
    // growth slack is bounded: at most ~4x of the packed size while appending
    expect(grown.bytesPerPosting).toBeLessThan(8 * 4 + 1);
    idx.compact();
    const s = idx.stats();
    expect(s.postings).toBe(40000);
    // 8 bytes of posting + 5 bytes per document slot / 10 postings per doc + per-term cells
    expect(s.bytesPerPosting).toBeGreaterThanOrEqual(8);
    expect(s.bytesPerPosting).toBeLessThan(9);
  });

  it('sparseVector() sorts ids and keeps the max weight of a repeated id', () => {
    const s = sparseVector([17, 3, 17], [0.5, 0.25, 0.75]);
    expect(Array.from(s.ids)).toEqual([3, 17]);
    expect(Array.from(s.weights)).toEqual([0.25, 0.75]);
  });
});

describe('SparseIndex bm25 scorer', () => {
  it('matches the textbook formula on a tiny corpus', () => {
    const k1 = 1.2;
    const b = 0.75;
    const idx = SparseIndex.create({ scorer: 'bm25', k1, b });
    const docs = [v([0, 1], [2, 1]), v([1, 2], [1, 3]), v([0], [1])];
    idx.addBatch([0, 1, 2], docs);
    const lens = [3, 4, 1];
    const avg = 8 / 3;
    const idf = (df: number) => Math.log(1 + (3 - df + 0.5) / (df + 0.5));
    const part = (tf: number, dl: number, df: number) => (idf(df) * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * dl) / avg));
    const q = v([0, 1], [1, 1]);
    const want = [part(2, lens[0]!, 2) + part(1, lens[0]!, 2), part(1, lens[1]!, 2), part(1, lens[2]!, 2)];
    const got = idx.score(q, Uint32Array.of(0, 1, 2));
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    const order = [0, 1, 2].sort((x, y) => want[y]! - want[x]! || x - y);
    expect(Array.from(idx.search(q, 3).ids)).toEqual(order);
  });

  it('BM25 statistics are those of the live documents: a delete moves them at once, compaction changes no score', () => {
    const idx = SparseIndex.create({ scorer: 'bm25' });
    idx.addBatch([0, 1, 2], [v([0], [1]), v([0, 1], [1, 1]), v([1], [4])]);
    const before = idx.score(v([0], [1]), Uint32Array.of(0))[0]!;
    idx.delete(2);
    const fresh = SparseIndex.create({ scorer: 'bm25' });
    fresh.addBatch([0, 1], [v([0], [1]), v([0, 1], [1, 1])]);
    const want = fresh.score(v([0], [1]), Uint32Array.of(0))[0]!;
    expect(want).not.toBe(before); // deleting doc 2 moved avgdl
    expect(idx.score(v([0], [1]), Uint32Array.of(0))[0]).toBe(want);
    idx.compact();
    expect(idx.score(v([0], [1]), Uint32Array.of(0))[0]).toBe(want);
  });
});

describe('SparseIndex bad input', () => {
  const fresh = () => {
    const idx = SparseIndex.create();
    idx.add(0, v([1], [1]));
    return idx;
  };
  it('rejects bad vectors, ids and k with typed errors and changes nothing', () => {
    const idx = fresh();
    const before = JSON.stringify(idx.stats());
    expectCode(() => idx.add(1, v([1], [NaN])), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(1, v([1], [Infinity])), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(1, v([1], [-1])), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(1, { ids: Uint32Array.of(1, 2), weights: Float32Array.of(1) }), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(1, v([2, 1], [1, 1])), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(1, v([2, 2], [1, 1])), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(1, { ids: [1] as unknown as Uint32Array, weights: Float32Array.of(1) }), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.add(0, v([1], [1])), InvalidArgumentError, 'DUPLICATE_ID');
    expectCode(() => idx.add(-1, v([1], [1])), InvalidArgumentError, 'INVALID_ARGUMENT');
    expectCode(() => idx.add(1.5, v([1], [1])), InvalidArgumentError, 'INVALID_ARGUMENT');
    expectCode(() => idx.delete(-3), InvalidArgumentError, 'INVALID_ARGUMENT');
    // batch is atomic: a bad vector at the end rejects the whole batch
    expectCode(() => idx.addBatch([1, 2], [v([1], [1]), v([1], [NaN])]), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.addBatch([1, 1], [v([1], [1]), v([1], [1])]), InvalidArgumentError, 'DUPLICATE_ID');
    expectCode(() => idx.addBatch([1], []), InvalidArgumentError, 'INVALID_ARGUMENT');
    expect(JSON.stringify(idx.stats())).toBe(before);
    expect(idx.has(1)).toBe(false);
    for (const k of [0, -1, 1.5, NaN, Infinity]) expectCode(() => idx.search(v([1], [1]), k), InvalidArgumentError, 'INVALID_ARGUMENT');
    expectCode(() => idx.search(v([1, 1], [1, 1]), 3), InvalidArgumentError, 'INVALID_VECTOR');
    expectCode(() => idx.matches(v([1], [1]), 5), InvalidArgumentError, 'UNKNOWN_ID');
    expectCode(() => SparseIndex.create({ b: 2 }), InvalidArgumentError, 'INVALID_ARGUMENT');
    expectCode(() => SparseIndex.create({ scorer: 'tfidf' as 'dot' }), InvalidArgumentError, 'INVALID_ARGUMENT');
  });
});

describe('SparseIndex files', () => {
  const withDir = async (fn: (dir: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'trident-sparse-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const build = () => {
    const idx = SparseIndex.create({ scorer: 'bm25' });
    idx.addBatch([0, 1, 2], [v([1, 4], [2, 1]), v([4], [1]), v([1, 9], [1, 1])]);
    return idx;
  };

  it('writes a magic + version header and rejects corrupt or future files naming the file', async () => {
    await withDir(async (dir) => {
      await build().saveFiles(dir);
      const path = join(dir, 'sparse.bin');
      const good = readFileSync(path);
      expect(good.subarray(0, 7).toString('latin1')).toBe('TRDSPRS');
      expect(good.readUInt32LE(8)).toBe(1);
      const reject = async (bytes: Buffer, code: string) => {
        writeFileSync(path, bytes);
        const err = await SparseIndex.openFiles(dir).catch((e) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect(err.code).toBe(code);
        expect(err.file).toBe('sparse.bin');
        expect(err.message).toContain('sparse.bin');
      };
      const future = Buffer.from(good);
      future.writeUInt32LE(2, 8);
      await reject(future, 'FORMAT_VERSION_UNSUPPORTED');
      await reject(good.subarray(0, good.length - 4), 'CORRUPT_FILE');
      await reject(good.subarray(0, 10), 'CORRUPT_FILE');
      const magic = Buffer.from(good);
      magic[0] = 0x41;
      await reject(magic, 'CORRUPT_FILE');
      const badWeight = Buffer.from(good);
      badWeight.writeFloatLE(NaN, good.length - 4);
      await reject(badWeight, 'CORRUPT_FILE');
      writeFileSync(path, good);
      const back = await SparseIndex.openFiles(dir);
      expect(back.size).toBe(3);
      // opened index keeps accepting appends (copy-on-grow over the file views)
      back.add(3, v([4], [5]));
      expect(back.search(v([4], [1]), 1).ids[0]).toBe(3);
    });
  });
});
