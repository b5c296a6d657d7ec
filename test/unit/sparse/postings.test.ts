// Internal posting store: arena growth/relocation keeps every list intact, and the BM25 skyline
// bound equals the maximum contribution over the list for any average length.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PostingStore, SKYLINE_MIN } from '../../../src/sparse/postings.js';
import { contribution, upperBound, type ScoreContext } from '../../../src/sparse/scoring.js';

describe('PostingStore', () => {
  it('keeps interleaved lists intact through relocations, repacks and lazy sorting', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 9 })), { maxLength: 600 }), (ops) => {
        const docLen = new Float32Array(501).fill(1);
        const store = new PostingStore(true, 4, 2);
        const want = new Map<number, [number, number][]>();
        for (const [term, doc, w] of ops) {
          store.push(term, doc, w, docLen);
          if (!want.has(term)) want.set(term, []);
          want.get(term)!.push([doc, w]);
        }
        expect(store.postings).toBe(ops.length);
        for (const [term, list] of want) {
          const slot = store.slotOf.get(term)!;
          store.ensureSorted(slot);
          const a = store.start[slot]!;
          const got = Array.from({ length: store.len[slot]! }, (_, i) => [store.docs[a + i]!, store.weights[a + i]!]);
          const sorted = [...list].sort((x, y) => x[0] - y[0]);
          expect(got.map((g) => g[0])).toEqual(sorted.map((g) => g[0]));
          // weights travel with their doc (multiset per doc id)
          expect(got.map((g) => `${g[0]}:${g[1]}`).sort()).toEqual(sorted.map((g) => `${g[0]}:${g[1]}`).sort());
          expect(store.maxW[slot]).toBe(Math.max(...list.map((x) => x[1])));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('BM25 skyline bound equals the list maximum for any average length', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 400 })), { minLength: SKYLINE_MIN, maxLength: 300 }), fc.double({ min: 1, max: 500, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (postings, avgdl, b) => {
        const docLen = new Float32Array(postings.length);
        postings.forEach(([, dl], d) => {
          docLen[d] = dl;
        });
        const store = new PostingStore(true);
        postings.forEach(([tf], d) => {
          store.push(7, d, tf, docLen);
        });
        const slot = store.slotOf.get(7)!;
        expect(store.skyline(slot, docLen)).not.toBeNull();
        const k1 = 0.9;
        const ctx: ScoreContext = { bm25: true, lenConst: k1 * (1 - b), lenSlope: (k1 * b) / avgdl, docLen, state: new Uint8Array(postings.length).fill(1) };
        let max = 0;
        postings.forEach(([tf], d) => {
          max = Math.max(max, contribution(ctx, 2.5, tf, d));
        });
        const ub = upperBound(ctx, 2.5, store, slot);
        expect(ub).toBeLessThanOrEqual(max);
        expect(ub).toBeGreaterThanOrEqual(max * (1 - 1e-12));
        // the skyline is a strict staircase: ascending length, ascending tf
        const { T, D } = store.skyline(slot, docLen)!;
        for (let i = 1; i < T.length; i++) {
          expect(D[i]!).toBeGreaterThan(D[i - 1]!);
          expect(T[i]!).toBeGreaterThan(T[i - 1]!);
        }
      }),
      { numRuns: 300 },
    );
  });
});
