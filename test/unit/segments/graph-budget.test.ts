// The dense channel's graph budget (merge-policy.ts maxGraphSegments) in a SegmentedStore:
// commits of segments big enough to be searched through their HNSW graph (docs × dim above
// 2^21) are merged so that at most the budget of graphs stays live; exact searches equal a
// brute-force oracle (f64 dots over the normalised vectors, ties by lower id) before and after
// every merge, graph searches keep returning exact scores and high recall, and segments small
// enough to be scanned exactly are left to the tiers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentedStore } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';
import { expectReopens } from './reopen.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-graph-budget-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const DIM = 1024; // 2^21 / 1024 = 2048: segments of more documents are searched through their graph
const GRAPH = 2048;

function oracle(live: Map<number, Float32Array>, q: Float32Array, k: number): number[] {
  const rows: Array<[number, number]> = [];
  for (const [id, v] of live) {
    let n = 0;
    let d = 0;
    for (let i = 0; i < DIM; i++) {
      n += v[i]! * v[i]!;
      d += v[i]! * q[i]!;
    }
    rows.push([id, d / Math.sqrt(n)]);
  }
  rows.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return rows.slice(0, k).map(([id]) => id);
}

/** Live documents per segment, from the commit point (segments.json). */
const segmentDocs = (dir: string): number[] => (JSON.parse(fs.readFileSync(path.join(dir, 'segments.json'), 'utf8')) as { segments: Array<{ docs: number; deleted: number }> }).segments.map((s) => s.docs);

describe('dense graph budget', () => {
  it('commits of graph-sized segments: at most maxGraphSegments graphs live, exact answers as the oracle throughout', async () => {
    const dir = path.join(tmp, 'a');
    const store = await SegmentedStore.create(dir, { dense: { dim: DIM, dtype: 'f32', connectivity: 12, expansionAdd: 48, expansionSearch: 64 } });
    const r = rng(41);
    // clustered: 20 centres, so a graph search has structure to find
    const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
    const vec = () => {
      const c = centres[Math.floor(r() * 20)]!;
      return Float32Array.from(c, (x) => x + (r() - 0.5) * 0.6);
    };
    const live = new Map<number, Float32Array>();
    const qs = Array.from({ length: 8 }, vec);
    const check = () => {
      let found = 0;
      for (const q of qs) {
        const want = oracle(live, q, 10);
        const got = store.searchDense(q, 10, { exact: true });
        expect(Array.from(got.ids)).toEqual(want);
        const g = store.searchDense(q, 10, { exact: false });
        expect(Array.from(store.scoreDense(q, g.ids))).toEqual(Array.from(g.scores));
        const truth = new Set(want);
        found += Array.from(g.ids).filter((id) => truth.has(id)).length;
      }
      expect(found / (10 * qs.length)).toBeGreaterThanOrEqual(0.9);
    };
    let id = 0;
    const sizes = [2100, 2200, 2100, 2300, 2100, 600, 2100];
    for (let c = 0; c < sizes.length; c++) {
      for (let i = 0; i < sizes[c]!; i++) {
        const v = vec();
        store.add(id, { dense: v });
        live.set(id, v);
        id += 1 + (i % 3); // gaps in the ids
      }
      const res = await store.commit();
      const docs = segmentDocs(dir);
      expect(docs.filter((d) => d > GRAPH).length).toBeLessThanOrEqual(4);
      // by hand: the 5th graph-sized commit merges the two smallest (2100 + 2100), the small one (600) stays
      if (c === 4) expect(res.merges.map((m) => m.length)).toEqual([2]);
      if (c === 5) expect(res.merges).toEqual([]);
      expect(docs.reduce((a, b) => a + b, 0)).toBe(live.size);
      check();
    }
    expect(segmentDocs(dir).sort((a, b) => a - b)).toEqual([600, 2200, 2300, 4200, 4200]);
    // a tighter budget at run time: the next commit merges down to one graph (the small one too is left alone)
    store.mergePolicy = { maxGraphSegments: 1 };
    for (const gone of [3, 4, 6]) if (store.delete(gone)) live.delete(gone);
    await store.commit();
    expect(segmentDocs(dir).filter((d) => d > GRAPH)).toHaveLength(1);
    check();
    store.close();
    await expectReopens(dir, live.size);
  }, 120_000);
});
