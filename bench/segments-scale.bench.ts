// Segment storage at scale (issue 16): for each collection size (default 100k and 1M synthetic
// documents: 20-term sparse BM25 vectors, 24 × 64 i8 token vectors, bench/lib/segment-docs.ts),
// built as 10 segments through SegmentedStore, then
// - save: the first save (all commits) and a save after adding 1 % (bytes and time);
// - open + queries in fresh child processes, memory-mapped:
//   warm  — open time, RSS after open, RSS after 1,000 queries (sparse top-10 + MaxSim re-rank of
//           100 candidates each), p50 / p99 of a second pass over them (page cache warm);
//   cold  — the page cache dropped first (/proc/sys/vm/drop_caches), p50 / p99 of the first
//           100 queries;
//   capped — the same, in a memory cgroup whose limit is well below the index's size (v1
//           memory.limit_in_bytes or v2 memory.max): the index is served from disk through the
//           mapping; answers must equal the warm child's, and the kernel's OOM counter stays 0.
// Skipped parts (no permission to drop caches or make cgroups) say why in the JSON.
// Charts: bench/charts/segments-latency-vs-n.svg, bench/charts/segments-rss-vs-n.svg.
//
// Run: node --import tsx bench/segments-scale.bench.ts
// Env: TRIDENT_SEG_SCALE_DOCS (comma list, default 100000,1000000), TRIDENT_SEG_SCALE_QUERIES
//      (1000), TRIDENT_SEG_SCALE_CAP (fractions of the index's bytes for the capped children,
//      default 0.25,0.45; at least 200 MB, for Node itself),
//      TRIDENT_SEG_BENCH_DIR (default the OS temp dir), TRIDENT_SEG_SCALE_PREVIOUS (a result file
//      of an earlier run on the same machine, e.g. the 5M run alone: its sizes join this run's
//      table and charts, each run keeping its own date and load in the JSON).
import { createHash } from 'node:crypto';
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SegmentedStore } from '../src/segments/index.js';
import { plotScaling, type ScalingRow } from '../src/plot/index.js';
import { DIM, segmentDoc, segmentQueries } from './lib/segment-docs.js';
import { dirBytes, rssBytes } from './lib/memory.js';
import { BENCH_DIR, envList, envNumber, runMeta, writeResult, cpuModel } from './lib/results.js';

const QUERIES = envNumber('TRIDENT_SEG_SCALE_QUERIES', 1000);
const CAPS = envList('TRIDENT_SEG_SCALE_CAP', ['0.25', '0.45']).map(Number);
const log = (s: string) => process.stderr.write(`${s}\n`);
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))]!;

interface ChildResult {
  openMs: number;
  rssOpenMB: number;
  rssQueriesMB: number;
  p50Ms: number;
  p99Ms: number;
  /** sha256 of the answers of the first `checked` queries. */
  hash: string;
  checked: number;
}

/** Child: open the store mapped, run the queries (`passes` times), report. */
async function child(dir: string, docs: number, queries: number, passes: number): Promise<void> {
  const rss0 = rssBytes();
  const t0 = performance.now();
  const s = await SegmentedStore.open(dir, { mode: 'mmap' });
  const openMs = performance.now() - t0;
  const rssOpen = rssBytes();
  const qs = segmentQueries(queries, docs);
  let times: number[] = [];
  const h = createHash('sha256');
  const checked = Math.min(100, queries);
  for (let pass = 0; pass < passes; pass++) {
    times = [];
    qs.forEach((q, i) => {
      const t = performance.now();
      const a = s.searchSparse(q.sparse, 10);
      const mv = s.scoreMultiVector(q.mv, q.cand);
      times.push(performance.now() - t);
      if (pass === 0 && i < checked) h.update(JSON.stringify([Array.from(a.ids), Array.from(a.scores), Array.from(mv)]));
    });
  }
  const out: ChildResult = { openMs, rssOpenMB: (rssOpen - rss0) / 2 ** 20, rssQueriesMB: (rssBytes() - rss0) / 2 ** 20, p50Ms: pct(times, 0.5), p99Ms: pct(times, 0.99), hash: h.digest('hex'), checked };
  s.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function dropCaches(): string | null {
  try {
    execSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return null;
  } catch (e) {
    return `cannot drop the page cache (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/** A memory cgroup limited to `bytes` (v2 if mounted at /sys/fs/cgroup, else v1), or why not. */
function memoryCgroup(bytes: number): { procs: string; oom: () => number; peak: () => number; remove: () => void } | { skipped: string } {
  const name = `trident-bench-${process.pid}`;
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').includes('memory');
  const dir = v2 ? join('/sys/fs/cgroup', name) : join('/sys/fs/cgroup/memory', name);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(bytes));
  } catch (e) {
    return { skipped: `no memory cgroup (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); needs root and a cgroup filesystem` };
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    procs: join(dir, 'cgroup.procs'),
    oom: () => (v2 ? Number(/oom_kill (\d+)/.exec(read('memory.events'))?.[1] ?? 0) : Number(/oom_kill (\d+)/.exec(read('memory.oom_control'))?.[1] ?? 0)),
    peak: () => Number(v2 ? (existsSync(join(dir, 'memory.peak')) ? read('memory.peak') : 'NaN') : read('memory.max_usage_in_bytes')),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        /* a straggler process; the kernel removes it later */
      }
    },
  };
}

function runChild(args: string[], procs?: string): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const cmd = [process.execPath, '--import', 'tsx', self, 'child', ...args].map((a) => `'${a}'`).join(' ');
  // the shell joins the cgroup first, then becomes the child (so node's whole life is capped)
  const r = spawnSync('sh', ['-c', `${procs ? `echo $$ > '${procs}' && ` : ''}exec ${cmd}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim()) as ChildResult;
}

async function one(n: number, root: string) {
  const dir = join(root, `seg-${n}`);
  const cfg = { sparse: { scorer: 'bm25' as const, k1: 0.9, b: 0.4 }, multivector: { dim: DIM, dtype: 'i8' as const } };
  const store = await SegmentedStore.create(dir, cfg);
  const per = Math.ceil(n / 10);
  let firstSaveMs = 0;
  let firstBytes = 0;
  const b0 = performance.now();
  for (let from = 0; from < n; from += per) {
    for (let i = from; i < Math.min(n, from + per); i++) store.add(2 * i, segmentDoc(i));
    const t = performance.now();
    const r = await store.commit({ merge: false });
    firstSaveMs += performance.now() - t;
    firstBytes += r.bytesWritten;
    process.stderr.write(`\r${n}: built ${Math.min(n, from + per)}`);
  }
  const buildMs = performance.now() - b0;
  process.stderr.write('\n');
  const extra = Math.ceil(n / 100);
  for (let i = n; i < n + extra; i++) store.add(2 * i, segmentDoc(i));
  const t1 = performance.now();
  const second = await store.commit({ merge: false });
  const secondSaveMs = performance.now() - t1;
  store.close();
  const docs = n + extra;
  const indexBytes = dirBytes(dir);
  log(`${n}: index ${(indexBytes / 2 ** 20).toFixed(0)} MB; first save ${firstSaveMs.toFixed(0)} ms, +1 % ${secondSaveMs.toFixed(0)} ms / ${(second.bytesWritten / 2 ** 20).toFixed(1)} MB`);
  const warm = runChild([dir, String(docs), String(QUERIES), '2']);
  log(`${n}: warm open ${warm.openMs.toFixed(0)} ms, p50 ${warm.p50Ms.toFixed(2)} ms`);
  const noDrop = dropCaches();
  const cold = noDrop === null ? runChild([dir, String(docs), String(Math.min(QUERIES, 100)), '1']) : null;
  const capped: Array<(ChildResult & { fraction: number; limitMB: number; peakMB: number; oomKills: number; identical: boolean }) | { fraction: number; skipped: string }> = [];
  for (const fraction of CAPS) {
    const limit = Math.max(Math.floor(fraction * indexBytes), 200 * 2 ** 20);
    if (limit >= 0.5 * indexBytes) {
      capped.push({ fraction, skipped: `the index (${(indexBytes / 2 ** 20).toFixed(0)} MB) is too small to cap well below its size (limit floor 200 MB for Node itself)` });
      continue;
    }
    const cg = memoryCgroup(limit);
    if ('skipped' in cg) {
      capped.push({ fraction, ...cg });
      continue;
    }
    try {
      dropCaches();
      const r = runChild([dir, String(docs), String(Math.min(QUERIES, 100)), '1'], cg.procs);
      capped.push({ ...r, fraction, limitMB: limit / 2 ** 20, peakMB: cg.peak() / 2 ** 20, oomKills: cg.oom(), identical: r.hash === warm.hash });
      log(`${n}: capped at ${(limit / 2 ** 20).toFixed(0)} MB: p50 ${r.p50Ms.toFixed(2)} ms`);
    } finally {
      cg.remove();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    docs,
    segments: 11,
    indexBytes,
    buildMs,
    save: { firstSaveMs, firstBytes, secondSaveMs, secondBytes: second.bytesWritten, bytesRatio: second.bytesWritten / indexBytes, timeRatio: secondSaveMs / firstSaveMs },
    warm,
    cold: cold ?? { skipped: noDrop },
    coldIdentical: cold ? cold.hash === warm.hash : null,
    capped,
    ratios: { openVsFirstSave: warm.openMs / firstSaveMs, rssOpenVsIndexBytes: (warm.rssOpenMB * 2 ** 20) / indexBytes },
  };
}

async function main(): Promise<void> {
  const meta = runMeta('segments-scale');
  const sizes = envList('TRIDENT_SEG_SCALE_DOCS', ['100000', '1000000']).map(Number);
  const root = mkdtempSync(join(process.env.TRIDENT_SEG_BENCH_DIR ?? tmpdir(), 'trident-seg-scale-'));
  const cpu = cpuModel();
  const runs: Run[] = [];
  try {
    for (const n of sizes) runs.push(await one(n, root));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const prevFile = process.env.TRIDENT_SEG_SCALE_PREVIOUS;
  const previous = prevFile ? (JSON.parse(readFileSync(prevFile, 'utf8')) as { date: string; loadavg: number[]; cpu: string; runs: typeof runs }) : null;
  if (previous && previous.cpu !== cpu) throw new Error(`${prevFile} was measured on ${previous.cpu}, this run on ${cpu}: not combined`);
  if (previous) runs.push(...previous.runs.filter((r) => !runs.some((x) => x.docs === r.docs)));
  runs.sort((a, b) => a.docs - b.docs);
  const file = writeResult('segments-scale', { ...meta, cpu, queries: QUERIES, capFractions: CAPS, runs, previous: previous && { file: prevFile, date: previous.date, loadavg: previous.loadavg, sizes: previous.runs.map((r) => r.docs) } });
  console.log(`CPU: ${cpu}; load ${meta.loadavg.map((x: number) => x.toFixed(1)).join(' ')}`);
  console.log('| documents | index MB | first save s | +1 % save: bytes / time vs first | open ms | RSS after open MB | RSS after queries MB | warm p50 / p99 ms | cold p50 / p99 ms | capped (limit MB): p50 / p99 ms, answers |');
  console.log('|---:|---:|---:|---|---:|---:|---:|---|---|---|');
  for (const r of runs) {
    const cold = 'p50Ms' in r.cold ? `${r.cold.p50Ms.toFixed(2)} / ${r.cold.p99Ms.toFixed(2)}` : 'skipped';
    const cap = r.capped.map((c) => ('p50Ms' in c ? `(${c.limitMB.toFixed(0)}) ${c.p50Ms.toFixed(2)} / ${c.p99Ms.toFixed(2)}, ${c.identical ? 'identical' : 'DIFFERENT'}, OOM kills ${c.oomKills}` : 'skipped')).join('; ');
    console.log(
      `| ${r.docs} | ${(r.indexBytes / 2 ** 20).toFixed(0)} | ${(r.save.firstSaveMs / 1000).toFixed(1)} | ${(100 * r.save.bytesRatio).toFixed(2)} % / ${(100 * r.save.timeRatio).toFixed(2)} % | ${r.warm.openMs.toFixed(0)} | ${r.warm.rssOpenMB.toFixed(1)} | ${r.warm.rssQueriesMB.toFixed(0)} | ${r.warm.p50Ms.toFixed(2)} / ${r.warm.p99Ms.toFixed(2)} | ${cold} | ${cap} |`,
    );
  }
  await drawCharts(runs, cpu);
  console.log(`wrote ${file}`);
}

type Run = Awaited<ReturnType<typeof one>>;

/** The two charts (latency and RSS vs documents) from a run's results. */
async function drawCharts(runs: Run[], cpu: string): Promise<void> {
  const lat: ScalingRow[] = [];
  const rss: ScalingRow[] = [];
  for (const r of runs) {
    lat.push({ mode: 'warm p50', size: r.docs, latencyMs: r.warm.p50Ms }, { mode: 'warm p99', size: r.docs, latencyMs: r.warm.p99Ms });
    if ('p50Ms' in r.cold) lat.push({ mode: 'cold p50', size: r.docs, latencyMs: r.cold.p50Ms });
    for (const c of r.capped) if ('p50Ms' in c) lat.push({ mode: `capped ${c.fraction} p50`, size: r.docs, latencyMs: c.p50Ms });
    rss.push({ mode: 'index bytes', size: r.docs, latencyMs: r.indexBytes / 2 ** 20 }, { mode: 'RSS after open', size: r.docs, latencyMs: Math.max(0.1, r.warm.rssOpenMB) }, { mode: `RSS after ${QUERIES} queries`, size: r.docs, latencyMs: Math.max(0.1, r.warm.rssQueriesMB) });
  }
  try {
    writeFileSync(join(BENCH_DIR, 'charts', 'segments-latency-vs-n.svg'), await plotScaling(lat, { title: `Segments, memory-mapped: query latency vs documents (${cpu})`, latencyLabel: 'sparse top-10 + 100-candidate MaxSim per query (ms)', logLatency: true }));
    writeFileSync(join(BENCH_DIR, 'charts', 'segments-rss-vs-n.svg'), await plotScaling(rss, { title: 'Segments, memory-mapped: RSS vs documents', latencyLabel: 'MB (log)', logLatency: true }));
  } catch (e) {
    log(`no chart (${(e as Error).message.split('\n')[0]})`);
  }
}

// `charts <result.json>` redraws the charts from a result file
if (process.argv[2] === 'charts') {
  const r = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as { runs: Run[]; cpu: string };
  await drawCharts(r.runs, r.cpu);
} else if (process.argv[2] === 'child') await child(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
else await main();
