// Dense stage benchmark: HNSW (usearch) recall@10 and latency at f32 / f16 / i8 against the
// exact brute-force oracle measured in the same run (the baseline), plus build time, memory,
// an ef sweep and filtered search.
//
// Data: N × DIM clustered synthetic vectors (CLUSTERS Gaussian centres, each vector = centre +
// SPREAD × N(0, I)), L2-normalised by the index; queries drawn from the same distribution
// (not in the collection). Ground truth = exact top-10 over the f32 rows.
//
// Run: node --expose-gc --import tsx bench/dense.bench.ts
// Env: TRIDENT_BENCH_DENSE_N (default 20000; 100000 is the goal run), TRIDENT_BENCH_DENSE_DIM
//      (1024), TRIDENT_BENCH_DENSE_QUERIES (200), TRIDENT_BENCH_DENSE_CLUSTERS (100),
//      TRIDENT_BENCH_DENSE_SPREAD (1.0), TRIDENT_BENCH_DENSE_DTYPES (f32,f16,i8),
//      TRIDENT_BENCH_TIME_MS (tinybench time per task, default 1000),
//      TRIDENT_BENCH_DENSE_CLOCK=cpu|wall (default cpu: process CPU time, robust on a shared machine).
// Writes bench/results/dense.json (dense-<N>.json when N is not the default).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DenseIndex, type DenseDtype } from '../src/dense/index.js';
import { backend } from '../src/kernels/index.js';
import { benchLatency, type Lat } from './lib/latency.js';
import { rng } from './lib/synthetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const N = env('TRIDENT_BENCH_DENSE_N', 20000);
const DIM = env('TRIDENT_BENCH_DENSE_DIM', 1024);
const NQ = env('TRIDENT_BENCH_DENSE_QUERIES', 200);
const CLUSTERS = env('TRIDENT_BENCH_DENSE_CLUSTERS', 100);
const SPREAD = env('TRIDENT_BENCH_DENSE_SPREAD', 1.0);
const TIME = env('TRIDENT_BENCH_TIME_MS', 1000);
const DTYPES = (process.env.TRIDENT_BENCH_DENSE_DTYPES ?? 'f32,f16,i8').split(',') as DenseDtype[];
const K = 10;
const gc = (globalThis as { gc?: () => void }).gc;
// 'cpu' (default): process user+system CPU time, so a busy shared machine does not inflate
// single-threaded timings; 'wall': performance.now().
const CLOCK = process.env.TRIDENT_BENCH_DENSE_CLOCK === 'wall' ? 'wall' : 'cpu';
function gaussian(r: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = r() || 1e-12;
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
}

const g = gaussian(rng(42));
const centres = new Float32Array(CLUSTERS * DIM).map(() => g());
function sample(n: number): Float32Array {
  const out = new Float32Array(n * DIM);
  const r = rng(n * 7919 + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * CLUSTERS) * DIM;
    for (let k = 0; k < DIM; k++) out[i * DIM + k] = centres[c + k]! + SPREAD * g();
  }
  return out;
}

async function latency(tasks: Record<string, () => void>): Promise<Record<string, Lat>> {
  return benchLatency(tasks, { time: TIME, iterations: 20, warmupIterations: 10, clock: CLOCK });
}

const cycler = (n: number) => {
  let i = 0;
  return () => i++ % n;
};

function recallAt(got: Uint32Array, truth: Uint32Array): number {
  const t = new Set(truth);
  let hit = 0;
  for (const id of got.subarray(0, truth.length)) if (t.has(id)) hit++;
  return truth.length === 0 ? 1 : hit / truth.length;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const data = sample(N);
  const queries = sample(NQ + 1).subarray(DIM); // different stream position from the data
  const q = (i: number) => queries.subarray(i * DIM, (i + 1) * DIM);
  const ids = Uint32Array.from({ length: N }, (_, i) => i);
  console.log(`dense bench: N=${N} dim=${DIM} queries=${NQ} clusters=${CLUSTERS} spread=${SPREAD} backend=${JSON.stringify(backend())} (data ${(performance.now() - t0).toFixed(0)} ms)`);

  // Ground truth: exact top-10 over f32 rows (no graph needed, but DenseIndex builds one; use the f32 index's oracle).
  let truth: Uint32Array[] | null = null;
  let truthFilter10: Uint32Array[] = [];
  let truthFilter05: Uint32Array[] = [];
  const filter10 = (id: number) => id % 10 === 3;
  const filter05 = (id: number) => id % 200 === 17;
  const results: Record<string, unknown> = {};
  const order: DenseDtype[] = DTYPES.includes('f32') ? ['f32', ...DTYPES.filter((d) => d !== 'f32')] : DTYPES;
  for (const dtype of order) {
    gc?.();
    const index = DenseIndex.create({ dimensions: DIM, dtype });
    const tb = performance.now();
    index.addBatch(ids, data);
    const buildMs = performance.now() - tb;
    console.log(`  ${dtype}: built in ${(buildMs / 1000).toFixed(1)} s`);
    if (truth === null) {
      // The f32 oracle (or the first dtype's, if f32 was not asked for) defines ground truth.
      truth = Array.from({ length: NQ }, (_, i) => index.searchExact(q(i), K).ids);
      truthFilter10 = Array.from({ length: NQ }, (_, i) => index.searchExact(q(i), K, { filter: filter10 }).ids);
      truthFilter05 = Array.from({ length: NQ }, (_, i) => index.searchExact(q(i), K, { filter: filter05 }).ids);
    }
    const own = Array.from({ length: NQ }, (_, i) => index.searchExact(q(i), K).ids);
    const sweep: Record<string, { recall: number; recallVsOwnOracle: number }> = {};
    for (const ef of [0, 128, 256]) {
      const opts = ef ? { ef, exact: false } : { exact: false };
      const rs = Array.from({ length: NQ }, (_, i) => index.search(q(i), K, opts).ids);
      sweep[ef ? `ef${ef}` : 'default'] = { recall: mean(rs.map((r, i) => recallAt(r, truth![i]!))), recallVsOwnOracle: mean(rs.map((r, i) => recallAt(r, own[i]!))) };
    }
    const f10 = mean(Array.from({ length: NQ }, (_, i) => recallAt(index.search(q(i), K, { filter: filter10, exact: false }).ids, truthFilter10[i]!)));
    const f05 = mean(Array.from({ length: NQ }, (_, i) => recallAt(index.search(q(i), K, { filter: filter05, exact: false }).ids, truthFilter05[i]!)));
    const next = cycler(NQ);
    const lat = await latency({
      hnsw: () => void index.search(q(next()), K, { exact: false }),
      hnswEf128: () => void index.search(q(next()), K, { ef: 128, exact: false }),
      hnswEf256: () => void index.search(q(next()), K, { ef: 256, exact: false }),
      filtered10pct: () => void index.search(q(next()), K, { filter: filter10, exact: false }),
      filtered0_5pct: () => void index.search(q(next()), K, { filter: filter05, exact: false }),
      exactOracle: () => void index.searchExact(q(next()), K),
    });
    const dir = mkdtempSync(join(tmpdir(), 'trident-dense-bench-'));
    await index.saveFiles(dir);
    const graphBytes = statSync(join(dir, 'dense.usearch')).size;
    const rowsFileBytes = statSync(join(dir, 'dense.rows')).size;
    rmSync(dir, { recursive: true, force: true });
    const r = {
      settings: index.settings,
      buildMs,
      buildVectorsPerSec: N / (buildMs / 1000),
      recallAt10: sweep,
      filteredRecallAt10: { pass10pct: f10, pass0_5pct: f05 },
      latencyMs: lat,
      qpsOneCore: 1000 / lat.hnsw!.p50,
      exactOverHnswRatio: lat.exactOracle!.p50 / lat.hnsw!.p50,
      memory: { rowBytes: index.rowBytes, rowBytesPerVector: index.rowBytes / N, graphFileBytes: graphBytes, rowsFileBytes, graphBytesPerVector: graphBytes / N },
    };
    results[dtype] = r;
    console.log(
      `  ${dtype}: recall@10 ${sweep.default!.recall.toFixed(4)} (ef128 ${sweep.ef128!.recall.toFixed(4)}, ef256 ${sweep.ef256!.recall.toFixed(4)}), ` +
        `p50 ${lat.hnsw!.p50.toFixed(3)} ms (${r.qpsOneCore.toFixed(0)} QPS), exact ${lat.exactOracle!.p50.toFixed(2)} ms (×${r.exactOverHnswRatio.toFixed(1)}), ` +
        `filtered 10%: recall ${f10.toFixed(3)} p50 ${lat.filtered10pct!.p50.toFixed(2)} ms, 0.5%: recall ${f05.toFixed(3)} p50 ${lat.filtered0_5pct!.p50.toFixed(2)} ms, ` +
        `graph ${(graphBytes / 1e6).toFixed(1)} MB + rows ${(index.rowBytes / 1e6).toFixed(1)} MB`,
    );
  }
  const out = {
    bench: 'dense',
    date: new Date().toISOString(),
    node: process.version,
    loadavg: loadavg(),
    clock: CLOCK,
    backend: backend(),
    config: { N, DIM, NQ, CLUSTERS, SPREAD, K, timeMs: TIME, generator: 'centre + SPREAD*N(0,I), centres N(0,I); queries same distribution, not in collection' },
    truth: 'exact top-10 over f32 rows (DenseIndex.searchExact of the f32 index)',
    results,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', N === 20000 ? 'dense.json' : `dense-${N}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2));
  console.log(`wrote ${file}`);
}

await main();
