// Dense segment merge time (issue 16): a dense-only SegmentedStore of N uniform-random vectors
// committed as 10 equal segments, then
// - optimize(): one graph rebuilt from every live vector (no source holds half the documents);
// - +1 % committed as an 11th segment, then optimize() again: the big segment's graph is
//   reused and only the 1 % inserted;
// baseline in the same run: DenseIndex.addBatch of the same N vectors (the default storage's
// build, every core). Wall clock, one run each (builds are minutes; no tinybench loop).
//
// Run: node --import tsx bench/segments-index-dense-merge.bench.ts
// Env: TRIDENT_DMERGE_DOCS (default 50000), TRIDENT_DMERGE_DIM (384), TRIDENT_DMERGE_DTYPE (f16).
// Writes bench/results/segments-index-dense-merge.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DenseIndex } from '../src/dense/index.js';
import { SegmentedStore } from '../src/segments/index.js';
import { envNumber, runMeta, writeResult } from './lib/results.js';

const N = envNumber('TRIDENT_DMERGE_DOCS', 50_000);
const DIM = envNumber('TRIDENT_DMERGE_DIM', 384);
const DTYPE = (process.env.TRIDENT_DMERGE_DTYPE ?? 'f16') as 'f32' | 'f16';

function vector(i: number): Float32Array {
  let s = (i * 2654435761 + 99) >>> 0;
  return Float32Array.from({ length: DIM }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296) * 2 - 1;
  });
}

const root = mkdtempSync(join(tmpdir(), 'trident-dmerge-'));
try {
  const t0 = performance.now();
  const base = DenseIndex.create({ dimensions: DIM, dtype: DTYPE });
  const all = new Float32Array(N * DIM);
  for (let i = 0; i < N; i++) all.set(vector(i), i * DIM);
  base.addBatch(
    Uint32Array.from({ length: N }, (_, i) => i),
    all,
  );
  const baselineBuildMs = performance.now() - t0;
  base.close();

  const store = await SegmentedStore.create(join(root, 's'), { dense: { dim: DIM, dtype: DTYPE, connectivity: 16, expansionAdd: 128, expansionSearch: 128 } });
  const per = Math.ceil(N / 10);
  let commitsMs = 0;
  for (let from = 0; from < N; from += per) {
    for (let i = from; i < Math.min(N, from + per); i++) store.add(i, { dense: vector(i) });
    const t = performance.now();
    await store.commit({ merge: false });
    commitsMs += performance.now() - t;
  }
  let t = performance.now();
  await store.optimize();
  const rebuildMs = performance.now() - t;
  const extra = Math.ceil(N / 100);
  for (let i = N; i < N + extra; i++) store.add(i, { dense: vector(i) });
  await store.commit({ merge: false });
  t = performance.now();
  await store.optimize();
  const reuseMs = performance.now() - t;
  store.close();
  const out = { docs: N, dim: DIM, dtype: DTYPE, baselineBuildMs, tenCommitsMs: commitsMs, rebuildMergeMs: rebuildMs, rebuildVsBuild: rebuildMs / baselineBuildMs, reuseMergeMs: reuseMs, reuseVsRebuild: reuseMs / rebuildMs };
  console.log(JSON.stringify(out));
  console.log(`written to ${writeResult('segments-index-dense-merge', { ...runMeta('segments-index-dense-merge'), ...out })}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
