// Search off the event loop (issue 16): a segmented store of synthetic documents (20-term
// sparse BM25, 24 × 64 i8 token vectors; bench/lib/segment-docs.ts = segments.bench.ts's
// generator), searched by 16 concurrent loops for a fixed time. One search = sparse BM25
// top-100 then an exact MaxSim re-rank of those 100 (8 query tokens).
// Phases, in the same run, repeated TRIDENT_POOL_BENCH_REPEATS times (medians reported):
// - main: SegmentedStore on the main thread (the baseline: each search blocks the loop);
// - pool1 / pool2: SearchPool with threads = 1 and 2;
// - idle: no searches (timers only): the event-loop delay the loaded machine alone causes.
// Per phase: event-loop delay p50 / p99 (perf_hooks.monitorEventLoopDelay, resolution 1 ms),
// QPS, main-thread + worker CPU (process.cpuUsage, all threads), searches per CPU-second (the
// pool's overhead, independent of how much CPU the shared machine grants) and the load average.
// Pool answers are checked identical to the main-thread store's on the first queries.
//
// Run: node --import tsx bench/search-pool.bench.ts
// Env: TRIDENT_POOL_BENCH_DOCS (default 100000), TRIDENT_POOL_BENCH_SEGMENT (documents per
//      commit, default 25000), TRIDENT_POOL_BENCH_SECONDS (per phase, default 5),
//      TRIDENT_POOL_BENCH_REPEATS (default 3), TRIDENT_POOL_BENCH_DIR (store cache, default
//      the OS temp dir; the store is reused when present). Writes bench/results/search-pool.json.
import { existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SearchPool, SegmentedStore } from '../src/segments/index.js';
import { DIM as SEG_DIM, segmentDoc } from './lib/segment-docs.js';
import { envNumber, runMeta, writeResult } from './lib/results.js';

const N = envNumber('TRIDENT_POOL_BENCH_DOCS', 100_000);
const PER = envNumber('TRIDENT_POOL_BENCH_SEGMENT', 25_000);
const SECONDS = envNumber('TRIDENT_POOL_BENCH_SECONDS', 5);
const REPEATS = envNumber('TRIDENT_POOL_BENCH_REPEATS', 3);
const CONCURRENCY = 16;
const dir = join(process.env.TRIDENT_POOL_BENCH_DIR ?? tmpdir(), `trident-pool-bench-${N}-${PER}`);

async function ensureStore(): Promise<void> {
  if (existsSync(join(dir, 'segments.json'))) return;
  const t0 = performance.now();
  const store = await SegmentedStore.create(dir, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 }, multivector: { dim: SEG_DIM, dtype: 'i8' } });
  for (let from = 0; from < N; from += PER) {
    for (let i = from; i < Math.min(N, from + PER); i++) store.add(2 * i, segmentDoc(i));
    await store.commit({ merge: false });
  }
  store.close();
  console.log(`built ${N} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${dir}`);
}

const queries = Array.from({ length: 256 }, (_, q) => {
  const d = segmentDoc(1_000_000_000 + q);
  const ids = d.sparse.ids.slice(0, 4);
  return { sparse: { ids, weights: new Float32Array(ids.length).fill(1) }, mv: { data: d.multivector.data.slice(0, 8 * SEG_DIM), dim: SEG_DIM, count: 8 } };
});

type Search = (q: (typeof queries)[number]) => Promise<{ ids: Uint32Array; scores: Float32Array }>;

/** No searches: the event-loop delay the shared machine alone causes (the noise floor). */
const idle: Search = async () => {
  await new Promise((r) => setTimeout(r, 50));
  return { ids: new Uint32Array(0), scores: new Float32Array(0) };
};

function onMain(store: SegmentedStore): Search {
  return async (q) => {
    await new Promise((r) => setImmediate(r)); // a request arriving: yield, then search synchronously
    const first = store.searchSparse(q.sparse, 100);
    return { ids: first.ids, scores: store.scoreMultiVector(q.mv, first.ids) };
  };
}

function onPool(pool: SearchPool): Search {
  return async (q) => {
    const first = await pool.searchSparse(q.sparse, 100);
    return { ids: first.ids, scores: await pool.scoreMultiVector(q.mv, first.ids) };
  };
}

async function phase(search: Search): Promise<{ qps: number; eldP50: number; eldP99: number; cpuPct: number; perCpuSecond: number; load1: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let done = 0;
  h.enable();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, c) => {
      for (let i = c; performance.now() < end; i += CONCURRENCY) {
        await search(queries[i % queries.length]!);
        done++;
      }
    }),
  );
  h.disable();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  return { qps: done / secs, eldP50: h.percentile(50) / 1e6, eldP99: h.percentile(99) / 1e6, cpuPct: (cpuSecs / secs) * 100, perCpuSecond: done / cpuSecs, load1: loadavg()[0]! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  await ensureStore();
  const store = await SegmentedStore.open(dir);
  const pool1 = await SearchPool.create(dir, { threads: 1, watch: false });
  const pool2 = await SearchPool.create(dir, { threads: 2, watch: false });
  const main = onMain(store);
  // same answers first (and warm the page cache / first-touch checks in every thread)
  for (const q of queries.slice(0, 32)) {
    const want = await main(q);
    for (const p of [pool1, pool2]) {
      const got = await onPool(p)(q);
      if (got.ids.join() !== want.ids.join() || got.scores.join() !== want.scores.join()) throw new Error('pool results differ from the main-thread store');
    }
  }
  console.log(
    `${N} docs, ${store.segments.length} segments; ${cpus().length} CPUs (${cpus()[0]?.model}); load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const runs: Record<string, Awaited<ReturnType<typeof phase>>[]> = { idle: [], main: [], pool1: [], pool2: [] };
  for (let r = 0; r < REPEATS; r++) {
    for (const [name, s] of [
      ['idle', idle],
      ['main', main],
      ['pool1', onPool(pool1)],
      ['pool2', onPool(pool2)],
    ] as const) {
      const x = await phase(s);
      runs[name]!.push(x);
      console.log(`repeat ${r + 1} ${name.padEnd(5)} QPS ${x.qps.toFixed(1).padStart(7)}  event-loop delay p50 ${x.eldP50.toFixed(2)} ms p99 ${x.eldP99.toFixed(2)} ms  CPU ${x.cpuPct.toFixed(0)} % (${x.perCpuSecond.toFixed(0)} searches per CPU-second)  load ${x.load1.toFixed(2)}`);
    }
  }
  const med = Object.fromEntries(Object.entries(runs).map(([k, xs]) => [k, { qps: median(xs.map((x) => x.qps)), eldP50: median(xs.map((x) => x.eldP50)), eldP99: median(xs.map((x) => x.eldP99)), cpuPct: median(xs.map((x) => x.cpuPct)), perCpuSecond: median(xs.map((x) => x.perCpuSecond)) }]));
  const ratios = { qps2over1: median(runs.pool2!.map((x, i) => x.qps / runs.pool1![i]!.qps)), eldP99MainOverPool2: median(runs.main!.map((x, i) => x.eldP99 / runs.pool2![i]!.eldP99)) };
  console.log('medians', JSON.stringify(med), 'ratios', JSON.stringify(ratios));
  const file = writeResult('search-pool', { meta: runMeta('search-pool'), docs: N, segments: store.segments.length, concurrency: CONCURRENCY, seconds: SECONDS, repeats: REPEATS, runs, medians: med, ratios });
  console.log(`wrote ${file}`);
  await pool1.close();
  await pool2.close();
  store.close();
}

await main();
