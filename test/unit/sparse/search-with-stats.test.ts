// SparseIndex.searchWithStats / score(…, stats): a part of a collection scored with the whole
// collection's statistics (a segmented channel's tail). Oracle: one index holding the whole
// collection, searched with a filter keeping only the part's documents; and a float64 brute
// force of the BM25 formula.
import { describe, it, expect } from 'vitest';
import { SparseIndex, type SparseVector } from '../../../src/sparse/index.js';
import { rng } from '../../helpers/rng.js';

function doc(r: () => number, vocab: number): SparseVector {
  const m = new Map<number, number>();
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * r() * vocab);
    m.set(t, (m.get(t) ?? 0) + (r() < 0.5 ? 1 : 1 + Math.floor(r() * 3)));
  }
  const ids = [...m.keys()].sort((a, b) => a - b);
  return { ids: Uint32Array.from(ids), weights: Float32Array.from(ids, (t) => m.get(t)!) };
}

/** The whole collection, and the part holding every doc with `inPart(id)`; both with the same deletions. */
function build(scorer: 'dot' | 'bm25', seed: number) {
  const r = rng(seed);
  const whole = SparseIndex.create({ scorer });
  const part = SparseIndex.create({ scorer });
  const vecs: SparseVector[] = [];
  const inPart = (id: number) => id % 3 === 1 || id > 150;
  for (let id = 0; id < 240; id++) {
    const v = doc(r, 40);
    vecs.push(v);
    whole.add(id, v);
    if (inPart(id)) part.add(id, v);
  }
  // tombstones in both (some inside the part, some outside)
  for (let id = 5; id < 240; id += 17) {
    whole.delete(id);
    if (inPart(id)) part.delete(id);
  }
  return { whole, part, vecs, inPart };
}

function globalStats(whole: SparseIndex, vecs: SparseVector[]) {
  let docs = 0;
  let len = 0;
  for (let id = 0; id < vecs.length; id++) {
    if (!whole.has(id)) continue;
    docs++;
    for (const w of vecs[id]!.weights) len += w;
  }
  return { docs, len, df: (t: number) => whole.docFreq(t) };
}

describe('SparseIndex.searchWithStats', () => {
  for (const scorer of ['bm25', 'dot'] as const) {
    it(`${scorer}: the part's top-k with the whole's statistics equals the whole index filtered to the part (ids, order, f32 scores bit for bit)`, () => {
      const { whole, part, vecs, inPart } = build(scorer, scorer === 'bm25' ? 7 : 8);
      const stats = globalStats(whole, vecs);
      const r = rng(99);
      for (let qi = 0; qi < 40; qi++) {
        const q = doc(r, 45); // some terms unknown to both
        for (const k of [1, 3, 10, 500]) {
          const want = whole.search(q, k, { filter: inPart });
          const got = part.searchWithStats(q, k, stats);
          expect(Array.from(got.ids), `q${qi} k${k}`).toEqual(Array.from(want.ids));
          expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
          expect(part.searchWithStats(q, k, stats, { exhaustive: true })).toEqual(got);
          // with a filter of its own
          const even = (id: number) => id % 2 === 0;
          expect(part.searchWithStats(q, k, stats, { filter: even })).toEqual(whole.search(q, k, { filter: (id) => inPart(id) && even(id) }));
        }
        const ids = Uint32Array.from({ length: 240 }, (_, i) => i).filter((id) => part.has(id));
        expect(Array.from(part.score(q, ids, stats))).toEqual(Array.from(whole.score(q, ids)));
      }
    });
  }

  it('bm25 scores match a float64 brute force of the formula over the whole collection', () => {
    const { whole, part, vecs } = build('bm25', 3);
    const stats = globalStats(whole, vecs);
    const { k1, b } = part;
    const avgdl = stats.len / stats.docs;
    const r = rng(5);
    for (let qi = 0; qi < 20; qi++) {
      const q = doc(r, 40);
      const got = part.searchWithStats(q, 1000, stats);
      expect(got.ids.length).toBeGreaterThan(0);
      for (let i = 0; i < got.ids.length; i++) {
        const v = vecs[got.ids[i]!]!;
        const dl = v.weights.reduce((a, w) => a + w, 0);
        let s = 0;
        for (let j = 0; j < q.ids.length; j++) {
          const p = v.ids.indexOf(q.ids[j]!);
          if (p < 0) continue;
          const df = stats.df(q.ids[j]!);
          const idf = Math.log(1 + (stats.docs - df + 0.5) / (df + 0.5));
          const tf = v.weights[p]!;
          s += (q.weights[j]! * idf * (k1 + 1) * tf) / (tf + k1 * (1 - b + (b * dl) / avgdl));
        }
        expect(got.scores[i]!).toBeCloseTo(s, 4);
      }
      // every part document sharing a term is found
      const sharing = vecs.map((v, id) => (part.has(id) && v.ids.some((t) => q.ids.includes(t)) ? id : -1)).filter((id) => id >= 0);
      expect(got.ids.length).toBe(sharing.length);
    }
  });
});
