// Property tests: MaxScore top-k equals the exhaustive scorer's top-k (bit for bit, ties by lower
// id) and both agree with an independent brute-force scorer written here; save∘open is identity.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BM25_DEFAULTS, SparseIndex, type SparseVector } from '../../src/sparse/index.js';

interface Doc {
  id: number;
  ids: number[];
  w: number[];
}

// vectors with few distinct ids and few distinct weights, so ties and overlaps are common
const vecArb = (vocab: number, weights: fc.Arbitrary<number>) =>
  fc.uniqueArray(fc.integer({ min: 0, max: vocab - 1 }), { minLength: 0, maxLength: Math.min(vocab, 8) }).chain((ids) =>
    fc.array(weights, { minLength: ids.length, maxLength: ids.length }).map((w) => {
      const sorted = ids.map((id, i) => [id, w[i]!] as const).sort((a, b) => a[0] - b[0]);
      return { ids: sorted.map((p) => p[0]), w: sorted.map((p) => Math.fround(p[1])) };
    }),
  );

const toVec = (d: { ids: number[]; w: number[] }): SparseVector => ({ ids: Uint32Array.from(d.ids), weights: Float32Array.from(d.w) });

const scenario = (scorer: 'dot' | 'bm25', maxDocs = 60) => {
  const weights = scorer === 'bm25' ? fc.integer({ min: 0, max: 4 }) : fc.oneof(fc.constantFrom(0, 0.5, 1, 2), fc.float({ min: Math.fround(0.01), max: 5, noNaN: true }));
  return fc.integer({ min: 2, max: 24 }).chain((vocab) =>
    fc.record({
      docs: fc.array(vecArb(vocab, weights), { minLength: 1, maxLength: maxDocs }),
      // doc ids: a shuffled sparse set so appends arrive out of order
      idSeed: fc.array(fc.integer({ min: 0, max: 3 * maxDocs }), { minLength: maxDocs, maxLength: maxDocs }),
      deletes: fc.array(fc.nat(), { maxLength: 20 }),
      compact: fc.boolean(),
      queries: fc.array(vecArb(vocab, scorer === 'bm25' ? fc.integer({ min: 0, max: 3 }) : weights), { minLength: 1, maxLength: 6 }),
      k: fc.integer({ min: 1, max: 70 }),
      filterMod: fc.integer({ min: 0, max: 3 }),
    }),
  );
};

function assignIds(n: number, seed: number[]): number[] {
  const ids: number[] = [];
  const used = new Set<number>();
  for (let i = 0; i < n; i++) {
    let id = seed[i]!;
    while (used.has(id)) id++;
    used.add(id);
    ids.push(id);
  }
  return ids;
}

/** Brute force: score every live document directly from its stored vector. */
function bruteForce(scorer: 'dot' | 'bm25', all: Doc[], live: Set<number>, q: { ids: number[]; w: number[] }, k: number, filter?: (id: number) => boolean): { id: number; s: number }[] {
  const { k1, b } = BM25_DEFAULTS; // the index under test is created with the defaults
  // BM25 statistics over the live documents only (deletes move them at once)
  const liveDocs = all.filter((d) => live.has(d.id));
  const N = liveDocs.length;
  const dl = (d: Doc) => Math.fround(d.w.reduce((a, x) => a + x, 0));
  const avgdl = liveDocs.reduce((a, d) => a + dl(d), 0) / N;
  const df = (t: number) => liveDocs.filter((d) => d.ids.includes(t) && d.w[d.ids.indexOf(t)]! > 0).length;
  const out: { id: number; s: number }[] = [];
  for (const d of all) {
    if (!live.has(d.id) || (filter && !filter(d.id))) continue;
    let s = 0;
    let shared = false;
    q.ids.forEach((t, i) => {
      const j = d.ids.indexOf(t);
      if (j < 0 || d.w[j]! === 0 || q.w[i]! === 0) return;
      shared = true;
      const tf = d.w[j]!;
      if (scorer === 'dot') s += q.w[i]! * tf;
      else {
        const n = df(t);
        const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
        s += (q.w[i]! * idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * dl(d)) / avgdl));
      }
    });
    if (shared) out.push({ id: d.id, s });
  }
  out.sort((x, y) => y.s - x.s || x.id - y.id);
  return out.slice(0, k);
}

function checkAgainstBrute(got: { ids: Uint32Array; scores: Float32Array }, want: { id: number; s: number }[], all: Doc[], live: Set<number>, scorer: 'dot' | 'bm25', q: { ids: number[]; w: number[] }) {
  expect(got.ids.length).toBe(want.length);
  const tol = (x: number) => 1e-5 * Math.max(1, Math.abs(x));
  for (let r = 0; r < want.length; r++) {
    expect(Math.abs(got.scores[r]! - want[r]!.s)).toBeLessThanOrEqual(tol(want[r]!.s));
    // the reported id really has the reported score
    const own = bruteForce(scorer, all, live, q, 1, (id) => id === got.ids[r]!);
    expect(own.length).toBe(1);
    expect(Math.abs(own[0]!.s - got.scores[r]!)).toBeLessThanOrEqual(tol(own[0]!.s));
  }
}

for (const [scorer, maxDocs] of [
  ['dot', 60],
  ['bm25', 60],
  ['dot', 250],
  ['bm25', 250],
] as const) {
  describe(`SparseIndex ${scorer}, up to ${maxDocs} docs: pruned top-k = exhaustive top-k = brute force`, () => {
    it('holds for random corpora, deletes, compaction, filters and k', () => {
      fc.assert(
        fc.property(scenario(scorer, maxDocs), (sc) => {
          const index = SparseIndex.create({ scorer });
          const ids = assignIds(sc.docs.length, sc.idSeed);
          let all: Doc[] = sc.docs.map((d, i) => ({ id: ids[i]!, ...d }));
          // add in two batches, the second with single adds
          const half = Math.floor(all.length / 2);
          index.addBatch(ids.slice(0, half), all.slice(0, half).map(toVec));
          for (const d of all.slice(half)) index.add(d.id, toVec(d));
          const live = new Set(ids);
          for (const x of sc.deletes) {
            const id = ids[x % ids.length]!;
            expect(index.delete(id)).toBe(live.delete(id));
          }
          if (sc.compact) {
            index.compact();
            all = all.filter((d) => live.has(d.id));
          }
          expect(index.size).toBe(live.size);
          const filter = sc.filterMod > 0 ? (id: number) => id % (sc.filterMod + 1) !== 0 : undefined;
          for (const q of sc.queries) {
            const qv = toVec(q);
            const pruned = index.search(qv, sc.k, { filter });
            const exact = index.searchExhaustive(qv, sc.k, { filter });
            expect(Array.from(pruned.ids)).toEqual(Array.from(exact.ids));
            expect(Array.from(pruned.scores)).toEqual(Array.from(exact.scores));
            // top-k is the prefix of the full ranking (no eviction there), so ties at the cut keep lower ids
            const full = index.searchExhaustive(qv, Math.max(1, index.size), { filter });
            const n = pruned.ids.length;
            expect(Array.from(pruned.ids)).toEqual(Array.from(full.ids.subarray(0, n)));
            expect(n).toBe(Math.min(sc.k, full.ids.length));
            // ranking order: score desc, id asc on ties
            for (let r = 1; r < pruned.ids.length; r++) {
              const a = pruned.scores[r - 1]!;
              const b = pruned.scores[r]!;
              expect(a > b || (a === b && pruned.ids[r - 1]! < pruned.ids[r]!)).toBe(true);
            }
            // score() gives the same numbers bit for bit
            expect(Array.from(index.score(qv, pruned.ids))).toEqual(Array.from(pruned.scores));
            if (all.length > 0) checkAgainstBrute(pruned, bruteForce(scorer, all, live, q, sc.k, filter), all, live, scorer, q);
          }
        }),
        { numRuns: maxDocs > 100 ? 60 : 150 },
      );
    });
  });
}

describe('SparseIndex save∘open', () => {
  it('is the identity on search results and stats', async () => {
    await fc.assert(
      fc.asyncProperty(scenario('bm25'), fc.constantFrom<'dot' | 'bm25'>('dot', 'bm25'), async (sc, scorer) => {
        const dir = mkdtempSync(join(tmpdir(), 'trident-sparse-prop-'));
        try {
          const index = SparseIndex.create({ scorer, k1: 1.5, b: 0.6 }); // not the defaults: they must persist
          const ids = assignIds(sc.docs.length, sc.idSeed);
          sc.docs.forEach((d, i) => {
            index.add(ids[i]!, toVec(d));
          });
          for (const x of sc.deletes) index.delete(ids[x % ids.length]!);
          expect(await index.saveFiles(dir)).toEqual(['sparse.bin']);
          const back = await SparseIndex.openFiles(dir);
          const { bytes: _b1, bytesPerPosting: _p1, ...got } = back.stats();
          const { bytes: _b2, bytesPerPosting: _p2, ...want } = index.stats();
          expect(got).toEqual(want);
          expect(back.size).toBe(index.size);
          expect(back.scorer).toBe(scorer);
          expect([back.k1, back.b]).toEqual([1.5, 0.6]);
          for (const q of sc.queries) {
            const a = index.search(toVec(q), sc.k);
            const b = back.search(toVec(q), sc.k);
            expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
            expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
          }
          for (const id of ids) expect(back.has(id)).toBe(index.has(id));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});
