// Build throughput on 1 and 2 cores (issue 16, "Build on every core"): uniform-random 384-d
// documents added to
// - trident: `HybridIndex.create({ storage: 'segments' })` with one dense channel fed with your own
//   vectors (f16, the defaults: connectivity 16, expansionAdd 128), `add()` in batches, `save()`
//   every TRIDENT_BCORES_SAVE documents (one segment each; the default 4 stay under the tiered
//   policy's merge threshold) and at the end: docs/s over the whole build, saves included;
// - raw usearch (the baseline, same process kind, same vectors, same HNSW settings: f16,
//   connectivity 16, expansion_add 128, inner product as trident's graph uses):
//   `index.add(keys, batch, os.availableParallelism())` with its own multi-threaded insertion,
//   then `save()` to a file.
//   Its vectors are L2-normalised before the clock starts (its best case); trident normalises
//   inside `add()`, on the clock.
// Each build runs in a fresh child process; "1 core" = the child pinned to one CPU (`taskset -c
// $TRIDENT_BCORES_CPU`, default 0),
// "2 cores" = not pinned, both libraries' insertion threads = every core. Runs alternate
// (usearch, trident, usearch, trident …) so a shared machine's load hits both alike; medians of
// TRIDENT_BCORES_REPEATS. Vector generation is outside the timed part. Wall clock and process
// CPU time (all threads).
//
// Run: node --import tsx bench/build-cores.bench.ts
// Env: TRIDENT_BCORES_DOCS (default 1000000), TRIDENT_BCORES_DIM (384), TRIDENT_BCORES_BATCH
//      (documents per add, 10000), TRIDENT_BCORES_SAVE (documents per save, 250000),
//      TRIDENT_BCORES_REPEATS (1), TRIDENT_BCORES_CORES (comma list, '1,2'),
//      TRIDENT_BCORES_CPU (the CPU a 1-core child is pinned to, default 0),
//      TRIDENT_BCORES_DIR (default the OS temp dir), TRIDENT_BCORES_NAME (result name, default
//      build-cores).
// Writes bench/results/build-cores.json (or the name given).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../src/index.js';
import { dirBytes } from './lib/memory.js';
import { cpuModel, envList, envNumber, runMeta, writeResult } from './lib/results.js';

const N = envNumber('TRIDENT_BCORES_DOCS', 1_000_000);
const DIM = envNumber('TRIDENT_BCORES_DIM', 384);
const BATCH = envNumber('TRIDENT_BCORES_BATCH', 10_000);
const SAVE_EVERY = envNumber('TRIDENT_BCORES_SAVE', 250_000);
const REPEATS = envNumber('TRIDENT_BCORES_REPEATS', 1);
const CORES = envList('TRIDENT_BCORES_CORES', ['1', '2']).map(Number);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface BuildResult {
  engine: 'trident' | 'usearch';
  docs: number;
  wallMs: number;
  cpuMs: number;
  saveMs: number;
  bytes: number;
  docsPerSec: number;
  peakRssMB: number;
}

/** Uniform random in [-1, 1), deterministic per row (the same vectors in every child). */
function vectors(n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  let s = 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function buildTrident(dir: string, all: Float32Array): Promise<Omit<BuildResult, 'engine' | 'docs' | 'docsPerSec' | 'peakRssMB'>> {
  const ix = await HybridIndex.create({ path: dir, storage: 'segments', wal: false, channels: [{ name: 'dense', kind: 'dense', source: 'vectors', dimensions: DIM, dtype: 'f16' }] });
  const t0 = performance.now();
  const c0 = cpuNow();
  let saveMs = 0;
  for (let from = 0; from < N; from += BATCH) {
    const to = Math.min(N, from + BATCH);
    const docs = [];
    for (let i = from; i < to; i++) docs.push({ id: i, vectors: { dense: all.subarray(i * DIM, (i + 1) * DIM) } });
    await ix.add(docs);
    if (to % SAVE_EVERY === 0 || to === N) {
      const t = performance.now();
      await ix.save();
      saveMs += performance.now() - t;
    }
  }
  const wallMs = performance.now() - t0;
  const cpuMs = cpuNow() - c0;
  await ix.close();
  return { wallMs, cpuMs, saveMs, bytes: dirBytes(dir) };
}

async function buildUsearch(dir: string, all: Float32Array): Promise<Omit<BuildResult, 'engine' | 'docs' | 'docsPerSec' | 'peakRssMB'>> {
  const { Index, MetricKind, ScalarKind } = await import('usearch');
  const index = new Index({ dimensions: DIM, metric: MetricKind.IP, quantization: ScalarKind.F16, connectivity: 16, expansion_add: 128, expansion_search: 128, multi: false });
  const t0 = performance.now();
  const c0 = cpuNow();
  for (let from = 0; from < N; from += BATCH) {
    const to = Math.min(N, from + BATCH);
    const keys = new BigUint64Array(to - from);
    for (let i = from; i < to; i++) keys[i - from] = BigInt(i);
    // the cores this process may use (usearch's own 0 counts hardware threads, ignoring the affinity)
    index.add(keys, all.subarray(from * DIM, to * DIM), availableParallelism());
  }
  const t = performance.now();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.usearch');
  index.save(file);
  const saveMs = performance.now() - t;
  const wallMs = performance.now() - t0;
  const cpuMs = cpuNow() - c0;
  return { wallMs, cpuMs, saveMs, bytes: dirBytes(dir) };
}

/** Each row scaled to unit length in place. */
function normalise(all: Float32Array): Float32Array {
  for (let o = 0; o < all.length; o += DIM) {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += all[o + j]! * all[o + j]!;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < DIM; j++) all[o + j] = all[o + j]! * inv;
  }
  return all;
}

async function child(engine: 'trident' | 'usearch', dir: string): Promise<void> {
  const all = engine === 'usearch' ? normalise(vectors(N, DIM)) : vectors(N, DIM);
  const r = engine === 'trident' ? await buildTrident(dir, all) : await buildUsearch(dir, all);
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const out: BuildResult = { engine, docs: N, ...r, docsPerSec: N / (r.wallMs / 1000), peakRssMB };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(engine: string, cores: number, dir: string): BuildResult {
  const self = fileURLToPath(import.meta.url);
  const args = [...(cores === 1 ? ['-c', String(envNumber('TRIDENT_BCORES_CPU', 0)), process.execPath] : []), '--import', 'tsx', self, 'child', engine, dir];
  const r = spawnSync(cores === 1 ? 'taskset' : process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: process.env });
  if (r.status !== 0) throw new Error(`${engine} child failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BuildResult;
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const meta = runMeta('build-cores');
  const cpu = cpuModel();
  const root = mkdtempSync(join(process.env.TRIDENT_BCORES_DIR ?? tmpdir(), 'trident-bcores-'));
  const runs: Array<BuildResult & { cores: number; repeat: number; load: number }> = [];
  try {
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const cores of CORES) {
        for (const engine of ['usearch', 'trident'] as const) {
          const dir = join(root, `${engine}-${cores}-${rep}`);
          const r = runChild(engine, cores, dir);
          rmSync(dir, { recursive: true, force: true });
          const load = (await import('node:os')).loadavg()[0]!;
          runs.push({ ...r, cores, repeat: rep, load });
          log(`${engine} ${cores} core(s): ${r.docsPerSec.toFixed(0)} docs/s (wall ${(r.wallMs / 1000).toFixed(1)} s, CPU ${(r.cpuMs / 1000).toFixed(1)} s, save ${(r.saveMs / 1000).toFixed(1)} s, ${(r.bytes / 2 ** 20).toFixed(0)} MB, peak RSS ${r.peakRssMB.toFixed(0)} MB, load ${load.toFixed(1)})`);
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const summary = CORES.map((cores) => {
    const of = (e: string) => runs.filter((r) => r.cores === cores && r.engine === e);
    const t = of('trident');
    const u = of('usearch');
    const ratios = t.map((r, i) => r.docsPerSec / u[i]!.docsPerSec);
    return {
      cores,
      tridentDocsPerSec: median(t.map((r) => r.docsPerSec)),
      usearchDocsPerSec: median(u.map((r) => r.docsPerSec)),
      tridentOverUsearch: median(ratios),
      tridentCpuPerDocUs: median(t.map((r) => (1000 * r.cpuMs) / r.docs)),
      usearchCpuPerDocUs: median(u.map((r) => (1000 * r.cpuMs) / r.docs)),
    };
  });
  const one = summary.find((s) => s.cores === 1);
  const two = summary.find((s) => s.cores === 2);
  const scaling = one && two ? { trident2over1: two.tridentDocsPerSec / one.tridentDocsPerSec, usearch2over1: two.usearchDocsPerSec / one.usearchDocsPerSec } : null;
  const file = writeResult(process.env.TRIDENT_BCORES_NAME ?? 'build-cores', { ...meta, cpu, docs: N, dim: DIM, batch: BATCH, saveEvery: SAVE_EVERY, runs, summary, scaling });
  console.log(`CPU: ${cpu}; ${N} × ${DIM} f16, batches of ${BATCH}, trident saves every ${SAVE_EVERY}`);
  console.log('| cores | trident docs/s | raw usearch docs/s | trident ÷ usearch | CPU µs/doc trident / usearch |');
  console.log('|---:|---:|---:|---:|---|');
  for (const s of summary) console.log(`| ${s.cores} | ${s.tridentDocsPerSec.toFixed(0)} | ${s.usearchDocsPerSec.toFixed(0)} | ${s.tridentOverUsearch.toFixed(2)} | ${s.tridentCpuPerDocUs.toFixed(0)} / ${s.usearchCpuPerDocUs.toFixed(0)} |`);
  if (scaling) console.log(`2 cores ÷ 1 core: trident ×${scaling.trident2over1.toFixed(2)}, usearch ×${scaling.usearch2over1.toFixed(2)}`);
  console.log(`wrote ${file}`);
}

if (process.argv[2] === 'child') await child(process.argv[3] as 'trident' | 'usearch', process.argv[4]!);
else await main();
