// HybridIndex searches off the event loop (issue 16, `searchThreads`): a `storage: 'segments'`
// HybridIndex of synthetic documents fed by the caller's vectors — sparse (20 terms, the
// generator of bench/lib/segment-docs.ts), multi-vector (24 × 64 i8, same generator) and dense
// (128-d f16, from the same seed) — saved as segments of TRIDENT_HPOOL_BENCH_SEGMENT documents.
// One search = `index.search({ vectors }, { k: 10 })` with the index's default pipeline: sparse
// and dense first stages (200 candidates each), exact scores of the union in all three
// channels (MaxSim with 8 query tokens), weighted fusion. Queries are vectors, so no encoder
// runs: what is measured is the store work the threads take off the event loop.
// 16 concurrent loops search for a fixed time per phase; phases in the same run, repeated
// (medians reported):
// - main: the index opened without searchThreads (the baseline: each search blocks the loop);
// - pool1 / pool2: opened with searchThreads 1 and 2 at nice 0 (same directory, read-only opens;
//   searchThreadsNice's default is 10 where 2 threads occupy every core, as pool2nice);
// - pool2nice: searchThreads 2 with searchThreadsNice TRIDENT_HPOOL_BENCH_NICE (default 10);
// - idle: no searches (timers only): the event-loop delay the loaded machine alone causes.
// Per phase: event-loop delay p50 / p99 (perf_hooks.monitorEventLoopDelay, resolution 1 ms: the
// finest the API samples; every stall of ≥ 1 ms is seen), QPS, the process's CPU over all
// threads (process.cpuUsage), the main thread's busy time per search
// (performance.eventLoopUtilization, wall time) and CPU time per search (/proc), searches per CPU-second (the threads' overhead, independent of
// how much CPU the shared machine grants), and the load average. Answers with threads are
// checked identical (ids, scores) to the main thread's on the first queries before timing.
//
// Run: node --import tsx bench/hybrid-pool.bench.ts
// Env: TRIDENT_HPOOL_BENCH_DOCS (default 100000), TRIDENT_HPOOL_BENCH_SEGMENT (documents per
//      save, default 25000), TRIDENT_HPOOL_BENCH_SECONDS (per phase, default 5),
//      TRIDENT_HPOOL_BENCH_REPEATS (default 3), TRIDENT_HPOOL_BENCH_NICE (default 10),
//      TRIDENT_HPOOL_BENCH_DIR (index cache, default
//      the OS temp dir; reused when present). Writes bench/results/hybrid-pool.json.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HybridIndex } from '../src/index.js';
import { DIM as MV_DIM, segmentDoc } from './lib/segment-docs.js';
import { envNumber, runMeta, writeResult } from './lib/results.js';

const N = envNumber('TRIDENT_HPOOL_BENCH_DOCS', 100_000);
const PER = envNumber('TRIDENT_HPOOL_BENCH_SEGMENT', 25_000);
const SECONDS = envNumber('TRIDENT_HPOOL_BENCH_SECONDS', 5);
const REPEATS = envNumber('TRIDENT_HPOOL_BENCH_REPEATS', 3);
const CONCURRENCY = 16;
const DENSE_DIM = 128;
const NICE = envNumber('TRIDENT_HPOOL_BENCH_NICE', 10);
const dir = join(process.env.TRIDENT_HPOOL_BENCH_DIR ?? tmpdir(), `trident-hpool-bench-${N}-${PER}`);

const channels = [
  { name: 'sparse', kind: 'sparse' as const, source: 'vectors' as const },
  { name: 'dense', kind: 'dense' as const, source: 'vectors' as const, dimensions: DENSE_DIM, dtype: 'f16' as const },
  { name: 'multivector', kind: 'multivector' as const, source: 'vectors' as const, dimensions: MV_DIM, dtype: 'i8' as const },
];

/** A deterministic dense vector for seed `i`. */
function denseVec(i: number): Float32Array {
  let s = (i * 2246822519 + 7) >>> 0;
  const v = new Float32Array(DENSE_DIM);
  for (let k = 0; k < DENSE_DIM; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[k] = s / 4294967296 - 0.5;
  }
  return v;
}

async function ensureIndex(): Promise<void> {
  if (existsSync(join(dir, 'manifest.json'))) return;
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const index = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels });
  for (let from = 0; from < N; from += PER) {
    for (let b = from; b < Math.min(N, from + PER); b += 5000) {
      const batch = [];
      for (let i = b; i < Math.min(N, from + PER, b + 5000); i++) {
        const d = segmentDoc(i);
        batch.push({ id: i, vectors: { sparse: d.sparse, dense: denseVec(i), multivector: d.multivector } });
      }
      await index.add(batch);
    }
    await index.save();
  }
  await index.close();
  console.log(`built ${N} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${dir}`);
}

const queries = Array.from({ length: 256 }, (_, q) => {
  const d = segmentDoc(1_000_000_000 + q);
  const ids = d.sparse.ids.slice(0, 4);
  return { sparse: { ids, weights: new Float32Array(ids.length).fill(1) }, dense: denseVec(1_000_000_000 + q), multivector: { data: d.multivector.data.slice(0, 8 * MV_DIM), dim: MV_DIM, count: 8 } };
});

type Search = (q: (typeof queries)[number]) => Promise<Array<{ id: unknown; score: number }>>;

/** No searches: the event-loop delay the shared machine alone causes (the noise floor). */
const idle: Search = async () => {
  await new Promise((r) => setTimeout(r, 50));
  return [];
};

/** A request arriving (yield to the event loop, as a server's socket read would), then the search. */
const on =
  (index: HybridIndex): Search =>
  async (q) => {
    await new Promise((r) => setImmediate(r));
    return index.search({ vectors: q }, { k: 10 });
  };

interface Phase {
  qps: number;
  eldP50: number;
  eldP99: number;
  eldMax: number;
  /** main-thread busy ms per search (performance.eventLoopUtilization: wall time, includes waiting for a core) */
  mainMsPerSearch: number;
  /** main-thread CPU ms per search (/proc, 10 ms ticks) */
  mainCpuMsPerSearch: number;
  cpuPct: number;
  perCpuSecond: number;
  load1: number;
}

async function phase(search: Search): Promise<Phase> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const main0 = mainThreadCpu();
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
  const elu = performance.eventLoopUtilization(elu0);
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  return { qps: done / secs, eldP50: h.percentile(50) / 1e6, eldP99: h.percentile(99) / 1e6, eldMax: h.max / 1e6, mainMsPerSearch: elu.active / done, mainCpuMsPerSearch: ((mainThreadCpu() - main0) * 1000) / done, cpuPct: (cpuSecs / secs) * 100, perCpuSecond: done / cpuSecs, load1: loadavg()[0]! };
}

/** CPU seconds of the main thread alone (Linux: /proc/self/task/<pid>/stat utime + stime; NaN elsewhere). */
function mainThreadCpu(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  await ensureIndex();
  const plain = await HybridIndex.open(dir, { readOnly: true });
  // explicit nice 0: the default is 10 when the threads can occupy every core (pool2nice shows that)
  const one = await HybridIndex.open(dir, { readOnly: true, searchThreads: 1, searchThreadsNice: 0 });
  const two = await HybridIndex.open(dir, { readOnly: true, searchThreads: 2, searchThreadsNice: 0 });
  const twoNice = await HybridIndex.open(dir, { readOnly: true, searchThreads: 2, searchThreadsNice: NICE });
  const segments = (plain.stats().channels.sparse as unknown as { segments: number }).segments;
  // same answers first (and warm the page cache and first-touch checks in every thread)
  for (const q of queries.slice(0, 32)) {
    const want = JSON.stringify((await on(plain)(q)).map((h) => [h.id, h.score]));
    for (const ix of [one, two, twoNice]) {
      const got = JSON.stringify((await on(ix)(q)).map((h) => [h.id, h.score]));
      if (got !== want) throw new Error(`answers with searchThreads differ from the main thread's: ${got} vs ${want}`);
    }
  }
  for (const ix of [one, two, twoNice]) await Promise.all(queries.slice(0, 64).map((q) => on(ix)(q))); // every worker warm
  const cpu = cpus()[0]?.model ?? '?';
  console.log(
    `${N} docs, ${segments} segments per channel; ${cpus().length} CPUs (${cpu}); load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const runs: Record<string, Phase[]> = { idle: [], main: [], pool1: [], pool2: [], pool2nice: [] };
  for (let r = 0; r < REPEATS; r++) {
    for (const [name, s] of [
      ['idle', idle],
      ['main', on(plain)],
      ['pool1', on(one)],
      ['pool2', on(two)],
      ['pool2nice', on(twoNice)],
    ] as const) {
      const x = await phase(s);
      runs[name]!.push(x);
      console.log(
        `repeat ${r + 1} ${name.padEnd(9)} QPS ${x.qps.toFixed(1).padStart(7)}  event-loop delay p50 ${x.eldP50.toFixed(2)} ms p99 ${x.eldP99.toFixed(2)} ms max ${x.eldMax.toFixed(1)} ms  main thread ${x.mainMsPerSearch.toFixed(2)} ms/search (CPU ${x.mainCpuMsPerSearch.toFixed(2)} ms)  CPU ${x.cpuPct.toFixed(0)} % (${x.perCpuSecond.toFixed(0)} searches per CPU-second)  load ${x.load1.toFixed(2)}`,
      );
    }
  }
  const keys = ['qps', 'eldP50', 'eldP99', 'eldMax', 'mainMsPerSearch', 'mainCpuMsPerSearch', 'cpuPct', 'perCpuSecond', 'load1'] as const;
  const med = Object.fromEntries(Object.entries(runs).map(([k, xs]) => [k, Object.fromEntries(keys.map((f) => [f, median(xs.map((x) => x[f]))]))]));
  const per = (a: string, b: string, f: (x: Phase) => number) => median(runs[a]!.map((x, i) => f(x) / f(runs[b]![i]!)));
  const ratios = {
    qps2over1: per('pool2', 'pool1', (x) => x.qps),
    qps1overMain: per('pool1', 'main', (x) => x.qps),
    qps2overMain: per('pool2', 'main', (x) => x.qps),
    eldP99MainOverPool2: per('main', 'pool2', (x) => x.eldP99),
    qps2niceOver1: per('pool2nice', 'pool1', (x) => x.qps),
    eldP99Pool2OverPool2nice: per('pool2', 'pool2nice', (x) => x.eldP99),
    cpu2over1: per('pool2', 'pool1', (x) => x.cpuPct),
    perCpuSecondPool2OverMain: per('pool2', 'main', (x) => x.perCpuSecond),
    /**
     * QPS(2 threads) / QPS(1 thread) that the CPU time per search allows on two free cores:
     * with c = CPU ms per search (all threads) and m = its main-thread part, 1 thread does at
     * most 1000 / (c − m) searches a second (the worker is the bottleneck; the main thread has
     * the other core) and 2 threads min(2000 / c, 1000 / m). Independent of the load.
     */
    cpuBound2over1: median(
      runs.pool2!.map((x) => {
        const c = 1000 / x.perCpuSecond;
        const m = x.mainCpuMsPerSearch;
        return Math.min(2000 / c, 1000 / m) / (1000 / (c - m));
      }),
    ),
  };
  console.log('medians', JSON.stringify(med));
  console.log('ratios (median of per-repeat ratios)', JSON.stringify(ratios));
  const f2 = (x: number) => Number(x.toFixed(2));
  const summary = {
    notes: [
      `${N} documents, ${segments} segments per channel, ${CONCURRENCY} concurrent searches, ${SECONDS} s × ${REPEATS} per phase (medians); ${cpus().length} × ${cpu}. QPS 2 / 1 threads ×${f2(ratios.qps2over1)} measured, ×${f2(ratios.cpuBound2over1)} allowed by the CPU time per search on two free cores; event-loop p99 main / 2 threads ×${f2(ratios.eldP99MainOverPool2)}.`,
    ],
    rows: [],
    tables: [
      {
        title: 'per phase (medians)',
        columns: ['phase', 'QPS', 'event-loop p50 (ms)', 'event-loop p99 (ms)', 'main-thread ms / search', 'main-thread CPU ms / search', 'CPU %', 'searches / CPU-s', 'load'],
        rows: Object.entries(med).map(([k, m]) => [k, f2(m.qps!), f2(m.eldP50!), f2(m.eldP99!), f2(m.mainMsPerSearch!), f2(m.mainCpuMsPerSearch!), f2(m.cpuPct!), f2(m.perCpuSecond!), f2(m.load1!)]),
      },
    ],
  };
  const file = writeResult('hybrid-pool', { ...runMeta('hybrid-pool'), cpu, docs: N, segments, concurrency: CONCURRENCY, seconds: SECONDS, repeats: REPEATS, eldResolutionMs: 1, runs, medians: med, ratios, summary });
  console.log(`wrote ${file}`);
  await one.close();
  await two.close();
  await twoNice.close();
  await plain.close();
}

await main();
