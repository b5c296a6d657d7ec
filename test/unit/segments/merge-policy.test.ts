// Tiered merge policy: a pure function of segment sizes (Lucene TieredMergePolicy-style).
import { describe, expect, it } from 'vitest';
import { findMerges, type MergeCandidate } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';

const MB = 1024 * 1024;
const seg = (i: number, mb: number, deleted = 0, docs = 1000): MergeCandidate => ({ name: `seg-${String(i).padStart(6, '0')}`, bytes: mb * MB, docs, deleted });

describe('findMerges', () => {
  it('no merge while the segment count fits the budget', () => {
    expect(findMerges([])).toEqual([]);
    expect(findMerges(Array.from({ length: 9 }, (_, i) => seg(i, 10)))).toEqual([]);
    expect(findMerges(Array.from({ length: 10 }, (_, i) => seg(i, 1)))).toEqual([]);
  });

  it('many equal small segments: merges of at most maxMergeAtOnce, disjoint, leaving the count within budget', () => {
    const segs = Array.from({ length: 35 }, (_, i) => seg(i, 1));
    const merges = findMerges(segs);
    expect(merges.length).toBeGreaterThan(0);
    const all = merges.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const m of merges) expect(m.length).toBeLessThanOrEqual(10);
    expect(35 - merges.reduce((a, m) => a + m.length - 1, 0)).toBeLessThanOrEqual(10);
  });

  it('prefers merging similar sizes: the big segments are left alone when the small ones suffice', () => {
    const segs = [seg(1, 500), seg(2, 400), ...Array.from({ length: 12 }, (_, i) => seg(10 + i, 1))];
    const merges = findMerges(segs, { floorSegmentBytes: 0.5 * MB, segmentsPerTier: 3 });
    expect(merges.length).toBeGreaterThan(0);
    for (const m of merges) {
      expect(m).not.toContain('seg-000001');
      expect(m).not.toContain('seg-000002');
    }
  });

  it('respects maxMergedSegmentBytes and leaves segments over half of it alone', () => {
    const segs = [seg(1, 60), ...Array.from({ length: 14 }, (_, i) => seg(10 + i, 20))];
    const merges = findMerges(segs, { maxMergedSegmentBytes: 100 * MB, segmentsPerTier: 4 });
    for (const m of merges) {
      expect(m).not.toContain('seg-000001');
      expect(m.length * 20).toBeLessThanOrEqual(100);
    }
  });

  it('a segment with too many deletions is rewritten alone', () => {
    const merges = findMerges([seg(1, 10, 500), seg(2, 10, 100)]);
    expect(merges).toEqual([['seg-000001']]);
  });

  it('pure and deterministic (random inputs): input untouched, same answer twice, never a name twice', () => {
    const r = rng(17);
    for (let t = 0; t < 200; t++) {
      const segs = Array.from({ length: Math.floor(r() * 60) }, (_, i) => seg(i, Math.max(0.01, r() * r() * 300), Math.floor(r() * 400)));
      const copy = JSON.parse(JSON.stringify(segs));
      const opts = { segmentsPerTier: 2 + Math.floor(r() * 10) };
      const a = findMerges(segs, opts);
      expect(segs).toEqual(copy);
      expect(findMerges(copy, opts)).toEqual(a);
      const all = a.flat();
      expect(new Set(all).size).toBe(all.length);
      for (const m of a) expect(m.length).toBeGreaterThanOrEqual(1);
    }
  });
});
