// Dense stage on real data: HNSW (usearch) recall@10 against the exact oracle over vectors
// produced by a real encoder (the built-in static-en model by default) on the dev corpora,
// at f32 / f16 / i8, with the oracle's latency measured in the same run as the baseline.
// The synthetic 100k × 1024 run (dense.bench.ts) checks the 1024-d regime; this one checks
// that real embedding geometry (anisotropic, clustered by topic) does not hurt recall.
//
// Run: node --import tsx bench/dense-real.bench.ts
// Env: TRIDENT_DATA_DIR (default /work/shared/data), TRIDENT_BENCH_DENSE_REAL_SETS
//      (dev/scifact,dev/nfcorpus), TRIDENT_BENCH_DENSE_REAL_MODEL (builtin:static-en),
//      TRIDENT_BENCH_TIME_MS (tinybench time per task, default 1000).
// Writes bench/results/dense-real.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DenseIndex, type DenseDtype } from '../src/dense/index.js';
import { loadEncoder } from '../src/encode/index.js';
import { loadBeir } from '../src/eval/index.js';
import { backend } from '../src/kernels/index.js';
import { benchLatency } from './lib/latency.js';

const here = dirname(fileURLToPath(import.meta.url));
const DATA = process.env.TRIDENT_DATA_DIR ?? '/work/shared/data';
const SETS = (process.env.TRIDENT_BENCH_DENSE_REAL_SETS ?? 'dev/scifact,dev/nfcorpus').split(',');
const MODEL = process.env.TRIDENT_BENCH_DENSE_REAL_MODEL ?? 'builtin:static-en';
const TIME = Number(process.env.TRIDENT_BENCH_TIME_MS ?? 1000);
const K = 10;

function recallAt(got: Uint32Array, truth: Uint32Array): number {
  const t = new Set(truth);
  let hit = 0;
  for (const id of got.subarray(0, truth.length)) if (t.has(id)) hit++;
  return truth.length === 0 ? 1 : hit / truth.length;
}

async function p50(fn: () => void): Promise<number> {
  return (await benchLatency({ t: fn }, { time: TIME, warmupTime: 100, clock: 'wall' })).t!.p50;
}

async function main(): Promise<void> {
  const encoder = await loadEncoder(MODEL);
  const results: Record<string, unknown> = {};
  for (const set of SETS) {
    const dir = join(DATA, set);
    if (!existsSync(join(dir, 'corpus.jsonl'))) {
      results[set] = { skipped: `no data set at ${dir}` };
      console.log(`  ${set}: skipped (no data)`);
      continue;
    }
    const ds = await loadBeir(dir);
    const texts = [...ds.corpus.values()].map((d) => (d.title ? `${d.title} ${d.text}` : d.text));
    const queries = [...ds.queries.values()];
    const enc = async (xs: string[], role: 'query' | 'document') => {
      const out: Float32Array[] = [];
      for (let i = 0; i < xs.length; i += 256) for (const e of await encoder.encode(xs.slice(i, i + 256), { role })) out.push(e.dense!);
      return out;
    };
    const docs = await enc(texts, 'document');
    const qs = await enc(queries, 'query');
    const dim = docs[0]!.length;
    const ids = Uint32Array.from(docs.keys());
    const flat = new Float32Array(docs.length * dim);
    docs.forEach((v, i) => {
      flat.set(v, i * dim);
    });
    let truth: Uint32Array[] | null = null;
    const perDtype: Record<string, unknown> = {};
    for (const dtype of ['f32', 'f16', 'i8'] as DenseDtype[]) {
      const index = DenseIndex.create({ dimensions: dim, dtype });
      const t0 = performance.now();
      index.addBatch(ids, flat);
      const buildMs = performance.now() - t0;
      truth ??= qs.map((q) => index.searchExact(q, K).ids);
      const recall = qs.reduce((a, q, i) => a + recallAt(index.search(q, K, { exact: false }).ids, truth![i]!), 0) / qs.length;
      let n = 0;
      const hnsw = await p50(() => void index.search(qs[n++ % qs.length]!, K, { exact: false }));
      const exact = await p50(() => void index.searchExact(qs[n++ % qs.length]!, K));
      perDtype[dtype] = { recallAt10: recall, buildMs, latencyMs: { hnsw: { p50: hnsw }, exactOracle: { p50: exact } }, exactOverHnsw: exact / hnsw };
      console.log(`  ${set} ${dtype}: N=${docs.length} dim=${dim} recall@10 ${recall.toFixed(4)}, p50 HNSW ${hnsw.toFixed(3)} ms vs exact ${exact.toFixed(3)} ms (×${(exact / hnsw).toFixed(1)})`);
    }
    results[set] = { docs: docs.length, queries: qs.length, dim, byDtype: perDtype };
  }
  const out = { bench: 'dense-real', date: new Date().toISOString(), node: process.version, loadavg: loadavg(), backend: backend(), model: MODEL, truth: 'exact top-10 of the f32 index (DenseIndex.searchExact)', results };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'dense-real.json'), JSON.stringify(out, null, 2));
  console.log(`wrote ${join(here, 'results', 'dense-real.json')}`);
}

await main();
