// Dense search over many segment graphs (issue 16), in one process, on one set of files:
// - one graph: a DenseIndex holding every vector (the default storage's usearch graph, rescored);
// - walk: SegmentedStore.searchDense over SEGS segments: one native call walks every segment's
//   graph into a shared top-k (src/dense/hnsw-walk.ts), each at its share of expansionSearch;
// - usearch per segment: the same store searched with a filter that passes every id, which takes
//   the other path of dense-search.ts (usearch's view of each segment, oversampled, rescored):
//   the algorithm every unfiltered search took before the walk.
// Clustered vectors (100 Gaussian centres + N(0, 1) noise, as bench/segments-index.bench.ts's
// 'clustered'); recall@10 against the exact top-10. p50 / p99 over ROUNDS passes of the queries,
// the three methods interleaved per pass; ratios against one graph in the same pass set.
//
// Run: node --import tsx bench/dense-walk.bench.ts
// Env: TRIDENT_WALK_DOCS (default 55000), TRIDENT_WALK_SEGS (default 11), TRIDENT_WALK_DIM
//      (default 384), TRIDENT_WALK_QUERIES (default 300), TRIDENT_WALK_ROUNDS (default 3).
// Writes bench/results/dense-walk.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DenseIndex } from '../src/dense/dense-index.js';
import { SegmentedStore } from '../src/segments/index.js';
import { envNumber, runMeta, writeResult } from './lib/results.js';
import { gaussian, gaussianMatrix, rng } from './lib/synthetic.js';

const N = envNumber('TRIDENT_WALK_DOCS', 55_000);
const SEGS = envNumber('TRIDENT_WALK_SEGS', 11);
const DIM = envNumber('TRIDENT_WALK_DIM', 384);
const NQ = envNumber('TRIDENT_WALK_QUERIES', 300);
const ROUNDS = envNumber('TRIDENT_WALK_ROUNDS', 3);
const K = 10;
const SETTINGS = { connectivity: 16, expansionAdd: 128, expansionSearch: 128 };

const centres = gaussianMatrix(100, DIM, rng(11));
const r = rng(5);
const g = gaussian(r);
const around = (): Float32Array => {
  const c = Math.floor(r() * 100) * DIM;
  return Float32Array.from({ length: DIM }, (_, j) => centres[c + j]! + g());
};
const rows = new Float32Array(N * DIM);
for (let i = 0; i < N; i++) rows.set(around(), i * DIM);
const queries = Array.from({ length: NQ }, around);

const dir = mkdtempSync(join(tmpdir(), 'trident-dense-walk-'));
try {
  let t = performance.now();
  const one = DenseIndex.create({ dimensions: DIM, dtype: 'f16', ...SETTINGS });
  one.addBatch(
    Uint32Array.from({ length: N }, (_, i) => i),
    rows,
  );
  const oneMs = performance.now() - t;
  t = performance.now();
  const store = await SegmentedStore.create(join(dir, 'segs'), { dense: { dim: DIM, dtype: 'f16', ...SETTINGS } });
  const per = Math.ceil(N / SEGS);
  for (let s = 0; s < SEGS; s++) {
    for (let i = s * per; i < Math.min(N, (s + 1) * per); i++) store.add(i, { dense: rows.subarray(i * DIM, (i + 1) * DIM) });
    await store.commit({ merge: false });
  }
  const segMs = performance.now() - t;
  console.log(`built: one graph ${(oneMs / 1000).toFixed(1)} s, ${store.segments.length} segments ${(segMs / 1000).toFixed(1)} s`);
  const truth = queries.map((q) => new Set(one.search(q, K, { exact: true }).ids));
  const all = () => true;
  const methods: Record<string, (q: Float32Array) => { ids: Uint32Array }> = {
    oneGraph: (q) => one.search(q, K, { exact: false }),
    walk: (q) => store.searchDense(q, K, { exact: false }),
    usearchPerSegment: (q) => store.searchDense(q, K, { exact: false, filter: all }),
  };
  const times: Record<string, number[]> = {};
  const found: Record<string, number> = {};
  for (const m of Object.keys(methods)) {
    times[m] = [];
    found[m] = 0;
    for (const q of queries.slice(0, 30)) methods[m]!(q); // warm-up (first touch of each segment)
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < NQ; i++) {
      for (const [m, f] of Object.entries(methods)) {
        const t0 = performance.now();
        const res = f(queries[i]!);
        times[m]!.push(performance.now() - t0);
        if (round === 0) found[m]! += Array.from(res.ids).filter((id) => truth[i]!.has(id)).length;
      }
    }
  }
  const pct = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!;
  const out: Record<string, unknown> = {};
  for (const m of Object.keys(methods)) {
    const p50 = pct(times[m]!, 0.5);
    out[m] = { p50Ms: p50, p99Ms: pct(times[m]!, 0.99), recall: found[m]! / (NQ * K), p50VsOneGraph: p50 / pct(times.oneGraph!, 0.5) };
    console.log(`${m.padEnd(18)} p50 ${p50.toFixed(3)} ms  p99 ${pct(times[m]!, 0.99).toFixed(3)} ms  recall@10 ${(found[m]! / (NQ * K)).toFixed(4)}  p50 ÷ one graph ${(p50 / pct(times.oneGraph!, 0.5)).toFixed(2)}`);
  }
  console.log(`written to ${writeResult('dense-walk', { ...runMeta('dense-walk'), docs: N, segments: store.segments.length, dim: DIM, queries: NQ, rounds: ROUNDS, ...SETTINGS, results: out })}`);
  store.close();
  one.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
