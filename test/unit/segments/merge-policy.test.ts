// Tiered merge policy: a pure function of segment sizes (Lucene TieredMergePolicy-style).
import { describe, expect, it } from 'vitest';
import { checkMergeOptions, findMerges, type MergeCandidate } from '../../../src/segments/index.js';
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

  describe('graph budget (dense channels: graphAbove given)', () => {
    const GRAPH = 5461; // 2^21 / 384: bigger segments are searched through their graph
    const docSeg = (i: number, docs: number, deleted = 0): MergeCandidate => ({ name: `seg-${String(i).padStart(6, '0')}`, bytes: docs * 1000, docs, deleted });

    /** The segments left after `merges` (by the oracle's own bookkeeping): live documents of each. */
    function after(segs: MergeCandidate[], merges: string[][]): Array<{ names: string[]; docs: number; merged: boolean }> {
      const seen = new Set(merges.flat());
      const out = segs.filter((s) => !seen.has(s.name)).map((s) => ({ names: [s.name], docs: s.docs, merged: false }));
      for (const m of merges) out.push({ names: m, docs: m.reduce((a, n) => a + segs.find((s) => s.name === n)!.docs - segs.find((s) => s.name === n)!.deleted, 0), merged: true });
      return out;
    }

    it('ten graph segments and a small one, budget 4: the smallest merged pairwise, the small one left alone', () => {
      const segs = [...Array.from({ length: 10 }, (_, i) => docSeg(i, 10_000)), docSeg(10, 1000)];
      const merges = findMerges(segs, {}, GRAPH);
      // by hand: pairs (0,1) (2,3) (4,5) (6,7) (8,9) leave five of 20k; the two smallest by name then join
      const sorted = merges.map((m) => [...m].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
      expect(sorted).toEqual([
        ['seg-000000', 'seg-000001', 'seg-000002', 'seg-000003'],
        ['seg-000004', 'seg-000005'],
        ['seg-000006', 'seg-000007'],
        ['seg-000008', 'seg-000009'],
      ]);
      // without graphAbove (channels without graphs) the tiers alone decide: 11 segments fit
      expect(findMerges(segs)).toEqual([]);
      // the budget is a setting
      expect(findMerges(segs, { maxGraphSegments: 10 }, GRAPH)).toEqual([]);
      expect(after(segs, findMerges(segs, { maxGraphSegments: 1 }, GRAPH)).filter((o) => o.docs > GRAPH)).toHaveLength(1);
    });

    it('saves one at a time: at most one pair merged per save, never more graphs than the budget', () => {
      let segs: MergeCandidate[] = [];
      let next = 0;
      let inserted = 0;
      for (let save = 0; save < 12; save++) {
        segs.push(docSeg(next++, 10_000));
        const merges = findMerges(segs, {}, GRAPH);
        if (save < 4) expect(merges).toEqual([]);
        else {
          expect(merges).toHaveLength(1);
          expect(merges[0]).toHaveLength(2);
        }
        for (const m of merges) {
          const src = segs.filter((s) => m.includes(s.name));
          inserted += Math.min(...src.map((s) => s.docs)); // the bigger graph is reused
          segs = segs.filter((s) => !m.includes(s.name));
          segs.push(
            docSeg(
              next++,
              src.reduce((a, s) => a + s.docs, 0),
            ),
          );
        }
        expect(segs.filter((s) => s.docs > GRAPH).length).toBeLessThanOrEqual(4);
        expect(segs.reduce((a, s) => a + s.docs, 0)).toBe((save + 1) * 10_000);
      }
      // 12 saves: the 8 merges after the 4th each insert the smaller side: 10k × 8
      expect(inserted).toBe(80_000);
    });

    it('random inputs: tiered merges kept whole, small segments untouched by the budget, the budget met unless maxMergedSegmentBytes stops it', () => {
      const r = rng(29);
      for (let t = 0; t < 300; t++) {
        const segs = Array.from({ length: Math.floor(r() * 25) }, (_, i) => {
          const docs = 1 + Math.floor(r() * r() * 40_000);
          return docSeg(i, docs, r() < 0.3 ? Math.floor(r() * docs * 0.5) : 0);
        });
        const budget = 1 + Math.floor(r() * 6);
        const maxBytes = r() < 0.3 ? 30_000_000 : undefined;
        const opts = { maxGraphSegments: budget, segmentsPerTier: 2 + Math.floor(r() * 9), ...(maxBytes ? { maxMergedSegmentBytes: maxBytes } : {}) };
        const tiered = findMerges(segs, opts);
        const merges = findMerges(segs, opts, GRAPH);
        const all = merges.flat();
        expect(new Set(all).size).toBe(all.length);
        // every merge of the tiers (not a singleton) lies inside one merge of the budgeted answer
        for (const m of tiered.filter((g) => g.length > 1)) expect(merges.some((g) => m.every((n) => g.includes(n)))).toBe(true);
        // a name merged only by the budget is a graph segment (or a tiered merge's source)
        const tieredNames = new Set(tiered.flat());
        for (const g of merges.filter((x) => x.length > 1)) {
          for (const n of g) if (!tieredNames.has(n)) expect(segs.find((s) => s.name === n)!.docs).toBeGreaterThan(GRAPH);
        }
        const graphs = after(
          segs,
          merges.filter((x) => x.length > 1),
        ).filter((o) => (o.merged ? o.docs : segs.find((s) => s.name === o.names[0])!.docs) > GRAPH);
        if (graphs.length > budget) {
          // stopped by the byte limit: the two smallest graph segments do not fit together
          expect(maxBytes).toBeDefined();
          const bytes = graphs
            .map((o) =>
              o.names.reduce((a, n) => {
                const s = segs.find((x) => x.name === n)!;
                return a + s.bytes * (1 - s.deleted / s.docs);
              }, 0),
            )
            .sort((a, b) => a - b);
          expect(bytes[0]! + bytes[1]!).toBeGreaterThan(maxBytes!);
        }
      }
    });

    it('maxGraphSegments is checked: an integer of at least 1', () => {
      expect(checkMergeOptions({ maxGraphSegments: 2 }, 'mergePolicy')).toEqual({ maxGraphSegments: 2 });
      for (const bad of [0, 1.5, -1, Number.NaN, '4']) expect(() => checkMergeOptions({ maxGraphSegments: bad }, 'mergePolicy')).toThrow(/maxGraphSegments/);
    });
  });
});
