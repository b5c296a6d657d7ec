// topPositions / unionIds (src/hybrid/topk.ts) against obvious oracles: a full sort by
// (score desc, tie key asc) and a Set; many ties, negative zero, every k from 0 to past n.
import { describe, expect, it } from 'vitest';
import { topPositions, unionIds } from '../../../src/hybrid/topk.js';
import { rng } from '../../helpers/rng.js';

function oracle(scores: ArrayLike<number>, k: number, key: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => (scores[a]! > scores[b]! ? -1 : scores[a]! < scores[b]! ? 1 : key[a]! - key[b]!));
  return idx.slice(0, Math.max(0, k));
}

describe('hybrid topk helpers', () => {
  it('topPositions equals a full sort for every k (the one-pass selection for small k included)', () => {
    const r = rng(3);
    for (let t = 0; t < 40; t++) {
      const n = 1 + Math.floor(r() * 300);
      const scores = Float64Array.from({ length: n }, () => (r() < 0.3 ? -0 : Math.round(r() * 20) / 4 - 1));
      const key = Uint32Array.from({ length: n }, () => Math.floor(r() * 1e6));
      for (const k of [0, 1, 2, 5, 10, Math.floor(n / 9), Math.floor(n / 2), n, n + 3]) expect(topPositions(scores, k, key), `n ${n} k ${k}`).toEqual(oracle(scores, k, key));
    }
  });

  it('unionIds is the sorted set union', () => {
    const r = rng(4);
    for (let t = 0; t < 30; t++) {
      const lists = Array.from({ length: 1 + Math.floor(r() * 3) }, () => Uint32Array.from({ length: Math.floor(r() * 50) }, () => Math.floor(r() * 80)));
      const want = [...new Set(lists.flatMap((l) => [...l]))].sort((a, b) => a - b);
      expect([...unionIds(...lists)]).toEqual(want);
    }
    expect(unionIds().length).toBe(0);
  });
});
