// Dense search over many segments splits the graph breadth (each segment's graph walked at its
// share of the live rows of expansionSearch, at least 3k, all in one native call; dense-search.ts,
// src/dense/hnsw-walk.ts), also with 2 % of every segment deleted: its recall@10
// against the exact answer must not fall below one graph holding the same rows at the same
// settings (the default storage's DenseIndex), within the run-to-run noise of multi-threaded
// graph builds (0.005). Clustered vectors (uniform-random ones are a
// pathological case for HNSW), documents spread over the segments as they arrive; the oracle is
// a brute-force f64 scan of the normalised rows. Scores returned by the segments are exact.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenseIndex } from '../../../src/dense/dense-index.js';
import { SegmentedStore } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-dense-recall-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const N = 20_000;
const DIM = 48;
const SEGMENTS = 10;
const CLUSTERS = 50;
const K = 10;

/** Gaussian centres plus 1.5 × Gaussian noise per row. */
function clustered(count: number, centres: Float32Array, r: () => number): Float32Array {
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const out = new Float32Array(count * DIM);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(r() * CLUSTERS) * DIM;
    for (let j = 0; j < DIM; j++) out[i * DIM + j] = centres[c + j]! + 1.5 * g();
  }
  return out;
}

function exactTop(rows: Float32Array, q: Float32Array, gone: ReadonlySet<number> = new Set()): number[] {
  const norm = (v: Float32Array, o: number) => {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += v[o + j]! * v[o + j]!;
    return Math.sqrt(s);
  };
  const scored: Array<[number, number]> = [];
  for (let i = 0; i < N; i++) {
    if (gone.has(i)) continue;
    const n = norm(rows, i * DIM);
    let s = 0;
    for (let j = 0; j < DIM; j++) s += (rows[i * DIM + j]! / n) * q[j]!;
    scored.push([i, s]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return scored.slice(0, K).map((x) => x[0]);
}

describe('dense search over segments, breadth split across them', () => {
  it('recall@10 vs exact is at least one graph of the same rows at the same expansionSearch (clustered)', async () => {
    const r = rng(11);
    const centres = Float32Array.from({ length: CLUSTERS * DIM }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
    const rows = clustered(N, centres, r);
    const settings = { connectivity: 16, expansionAdd: 128, expansionSearch: 128 };
    const one = DenseIndex.create({ dimensions: DIM, dtype: 'f32', ...settings });
    one.addBatch(
      Uint32Array.from({ length: N }, (_, i) => i),
      rows,
    );
    const store = await SegmentedStore.create(path.join(tmp, 'segs'), { dense: { dim: DIM, dtype: 'f32', ...settings } });
    const per = N / SEGMENTS;
    for (let s = 0; s < SEGMENTS; s++) {
      for (let i = s * per; i < (s + 1) * per; i++) store.add(i, { dense: rows.subarray(i * DIM, (i + 1) * DIM) });
      await store.commit({ merge: false });
    }
    expect(store.segments.length).toBe(SEGMENTS);
    const queries = clustered(200, centres, rng(12));
    /** recall@10 of one graph and of the segments against the exact answer without `gone`; every segment hit scored exactly, none deleted */
    const recalls = (gone: ReadonlySet<number>) => {
      let oneFound = 0;
      let segFound = 0;
      for (let i = 0; i < 200; i++) {
        const q = queries.slice(i * DIM, (i + 1) * DIM);
        const qn = Math.hypot(...q);
        const truth = new Set(
          exactTop(
            rows,
            q.map((x) => x / qn),
            gone,
          ),
        );
        const a = one.search(q, K, { exact: false });
        const b = store.searchDense(q, K, { exact: false });
        expect(b.ids.length).toBe(K);
        for (const id of b.ids) expect(gone.has(id), `deleted ${id} returned`).toBe(false);
        oneFound += Array.from(a.ids).filter((id) => truth.has(id)).length;
        segFound += Array.from(b.ids).filter((id) => truth.has(id)).length;
        // exact scores of what the graphs found
        expect(Array.from(store.scoreDense(q, b.ids))).toEqual(Array.from(b.scores));
      }
      return { oneRecall: oneFound / (200 * K), segRecall: segFound / (200 * K) };
    };
    const { oneRecall, segRecall } = recalls(new Set());
    expect(oneRecall).toBeLessThan(1); // the graphs are approximate here: the comparison means something
    // usearch inserts with every core (os.availableParallelism()), so both graphs differ from run
    // to run: a CI run measured 0.992 against 0.9925. Allowed: 10 of the 2,000 hits (0.005); a
    // breadth too narrow loses far more
    expect(segRecall).toBeGreaterThanOrEqual(oneRecall - 0.005);

    // 2 % of every segment deleted (below the 1/32 share up to which the graphs are walked with
    // the deleted nodes masked): never a deleted id, exact scores, recall as one graph without them
    const gone = new Set<number>();
    for (let i = 0; i < N; i += 50) {
      gone.add(i);
      expect(store.delete(i)).toBe(true);
      expect(one.remove(i)).toBe(true);
    }
    const after = recalls(gone);
    expect(after.segRecall).toBeGreaterThanOrEqual(after.oneRecall - 0.005);
    store.close();
    one.close();
  });
});
