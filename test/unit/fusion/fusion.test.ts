import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dbsfNormalize, fuse, minMax, rrfFromRankings, rrfFromScores, weightedSum } from '../../../src/fusion/index.js';
import { TridentError } from '../../../src/errors.js';

// FlagEmbedding README (M3-SPEC "Reference vector"): per-pair dense / sparse / colbert scores
// and the published fused values for weights [0.4, 0.2, 0.4].
const dense = [0.62598, 0.34741, 0.34985, 0.67822];
const sparse = [0.19556, 0.008797, 0.0, 0.1803];
const colbert = [0.77965, 0.46215, 0.45238, 0.78986];
const publishedAll = [0.60136, 0.32558, 0.32089, 0.62329];
const publishedSparseDense = [0.4825, 0.23454, 0.23324, 0.51225];

describe('weighted (M3) fusion', () => {
  it('reproduces FlagEmbedding README fused scores', () => {
    const all = weightedSum([dense, sparse, colbert], [0.4, 0.2, 0.4]);
    all.forEach((v, i) => {
      expect(v).toBeCloseTo(publishedAll[i]!, 4);
    });
    const sd = weightedSum([dense, sparse, null], [0.4, 0.2, 0.4]);
    sd.forEach((v, i) => {
      expect(v).toBeCloseTo(publishedSparseDense[i]!, 4);
    });
  });
  it('divides by the sum of the weights that apply', () => {
    expect(Array.from(weightedSum([[1], [1], [1]], [1, 0.3, 1]))[0]).toBeCloseTo(1, 12);
    expect(Array.from(weightedSum([[2], null, [0]], [1, 0.3, 1]))[0]).toBeCloseTo(1, 12);
  });
  it('rejects bad weights with a typed error', () => {
    expect(() => weightedSum([[1], [1], [1]], [0, 0, 0])).toThrow(TridentError);
    expect(() => weightedSum([[1], [1], [1]], [1, NaN, 1])).toThrow(/INVALID_ARGUMENT/);
    expect(() => weightedSum([[1], [1, 2], [1]], [1, 1, 1])).toThrow(/INVALID_ARGUMENT/);
  });
});

describe('RRF', () => {
  it('uses 1-based ranks with k = 60', () => {
    const m = rrfFromRankings([['a', 'b'], ['b']]);
    expect(m.get('a')).toBeCloseTo(1 / 61, 15);
    expect(m.get('b')).toBeCloseTo(1 / 62 + 1 / 61, 15);
  });
  it('ranks within score columns, ties by position, with per-list weights', () => {
    const s = rrfFromScores([[0.9, 0.1, 0.9], [0.2, 0.8, 0.5], null], [2, 1, 1]);
    // dense ranks: pos0=1, pos2=2 (tie → lower position first), pos1=3; sparse ranks: pos1=1, pos2=2, pos0=3
    expect(s[0]).toBeCloseTo(2 / 61 + 1 / 63, 15);
    expect(s[1]).toBeCloseTo(2 / 63 + 1 / 61, 15);
    expect(s[2]).toBeCloseTo(2 / 62 + 1 / 62, 15);
  });
  it('agrees with the ranking form on random inputs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 1, maxLength: 30 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const byScore = (col: number[]) => col.map((_, i) => i).sort((x, y) => col[y]! - col[x]! || x - y);
        const ref = rrfFromRankings([byScore(a), byScore(b)], [1, 1]);
        const got = rrfFromScores([a, b, null], [1, 1, 0]);
        for (let i = 0; i < pairs.length; i++) expect(got[i]).toBeCloseTo(ref.get(i)!, 12);
      }),
    );
  });
});

describe('normalisers', () => {
  it('min-max maps to [0,1] and guards empty and zero range', () => {
    expect(Array.from(minMax([2, 4, 3]))).toEqual([0, 1, 0.5]);
    expect(Array.from(minMax([]))).toEqual([]);
    expect(Array.from(minMax([3, 3]))).toEqual([1, 1]);
    expect(Array.from(minMax([0, 0]))).toEqual([0, 0]);
  });
  it('DBSF maps mean ± 3σ to [0,1] and clamps', () => {
    const out = dbsfNormalize([1, 2, 3]);
    const sigma = Math.sqrt(2 / 3);
    expect(out[0]).toBeCloseTo((1 - (2 - 3 * sigma)) / (6 * sigma), 12);
    expect(out[1]).toBeCloseTo(0.5, 12);
    const outlier = dbsfNormalize([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100]);
    expect(outlier[10]).toBe(1);
    expect(Array.from(dbsfNormalize([]))).toEqual([]);
    expect(Array.from(dbsfNormalize([5, 5, 5]))).toEqual([1, 1, 1]);
  });
  it('fuse() dispatches and rejects unknown kinds', () => {
    expect(fuse([[1, 3], [0, 1], null], { kind: 'minmax', weights: [1, 1, 0] })[1]).toBe(1);
    expect(() => fuse([[1]], { kind: 'nope' as never })).toThrow(/INVALID_ARGUMENT/);
  });
});
