// Segment storage benchmark (issue 16): a synthetic collection (20-term sparse BM25 vectors,
// 24 × 64 i8 token vectors per document) stored as segments, then
// - save: the first save (all segments) and a save after adding 1 % more documents (bytes
//   written and time, against the first save in the same run);
// - open: time and RSS growth of a fresh process opening the store memory-mapped, against the
//   same segments read into the heap (mode 'read'), and against today's formats
//   (SparseIndex.openFiles + MultiVectorStore.openFiles, heap) — each in its own child
//   process, median of TRIDENT_SEG_BENCH_OPENS runs;
// - queries after open: p50 of a sparse top-10 search and of a 100-candidate MaxSim re-rank,
//   and RSS after them; results are checked identical across the three.
//
// Run: node --import tsx bench/segments.bench.ts
// Env: TRIDENT_SEG_BENCH_DOCS (default 300000), TRIDENT_SEG_BENCH_SEGMENT (documents per
//      commit while building, default 30000), TRIDENT_SEG_BENCH_OPENS (default 3),
//      TRIDENT_SEG_BENCH_DIR (default the OS temp dir).
// Wall clock for save / open (I/O); writes bench/results/segments.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MultiVectorStore } from '../src/multivector/store.js';
import { SegmentedStore } from '../src/segments/index.js';
import { SparseIndex } from '../src/sparse/sparse-index.js';
import { dirBytes, rssBytes } from './lib/memory.js';
import { DIM, segmentDoc, segmentQueries } from './lib/segment-docs.js';
import { envNumber, runMeta, writeResult, cpuModel } from './lib/results.js';

/** Deterministic document `i` (same bytes in every process). */
const doc = segmentDoc;
const queries = (n: number) => segmentQueries(n, DOCS_FOR_QUERIES);
let DOCS_FOR_QUERIES = 1;

/** RSS split (Linux /proc/self/status): anonymous (heap) and file-backed (mapped files: page cache, reclaimable). */
function rssSplit(): { rss: number; anon: number; file: number } {
  try {
    const st = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => 1024 * Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? NaN);
    return { rss: rssBytes(), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { rss: rssBytes(), anon: NaN, file: NaN };
  }
}
const diff = (a: ReturnType<typeof rssSplit>, b: ReturnType<typeof rssSplit>) => ({ rss: b.rss - a.rss, anon: b.anon - a.anon, file: b.file - a.file });

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function child(mode: string, dir: string, docs: number): Promise<void> {
  DOCS_FOR_QUERIES = docs;
  if (mode === 'mapped') (await import('../src/kernels/index.js')).nativeMmap(); // the addon's own pages are not the store's
  const rss0 = rssSplit();
  const t0 = performance.now();
  let search: (q: ReturnType<typeof queries>[number]) => { ids: number[]; scores: number[]; mv: number[] };
  if (mode === 'legacy') {
    const sp = await SparseIndex.openFiles(join(dir, 'legacy'));
    const mv = await MultiVectorStore.openFiles(join(dir, 'legacy'));
    search = (q) => {
      const a = sp.search(q.sparse, 10);
      return { ids: Array.from(a.ids), scores: Array.from(a.scores), mv: Array.from(mv.score(q.mv, q.cand)) };
    };
  } else {
    const s = await SegmentedStore.open(join(dir, 'seg'), { mode: mode === 'mapped' ? 'mmap' : 'read' });
    search = (q) => {
      const a = s.searchSparse(q.sparse, 10);
      return { ids: Array.from(a.ids), scores: Array.from(a.scores), mv: Array.from(s.scoreMultiVector(q.mv, q.cand)) };
    };
  }
  const openMs = performance.now() - t0;
  const rssOpen = rssSplit();
  const qs = queries(50);
  const times: number[] = [];
  const answers: unknown[] = [];
  for (const q of qs) {
    const t = performance.now();
    answers.push(search(q));
    times.push(performance.now() - t);
  }
  const warm: number[] = [];
  for (const q of qs) {
    const t = performance.now();
    search(q);
    warm.push(performance.now() - t);
  }
  process.stdout.write(`${JSON.stringify({ openMs, rssGrowthOpen: diff(rss0, rssOpen), rssGrowthQueries: diff(rss0, rssSplit()), firstPassP50Ms: median(times), warmP50Ms: median(warm), answers: JSON.stringify(answers) })}\n`);
}

async function main(): Promise<void> {
  const N = envNumber('TRIDENT_SEG_BENCH_DOCS', 300_000);
  const PER = envNumber('TRIDENT_SEG_BENCH_SEGMENT', 30_000);
  const OPENS = envNumber('TRIDENT_SEG_BENCH_OPENS', 3);
  const root = mkdtempSync(join(process.env.TRIDENT_SEG_BENCH_DIR ?? tmpdir(), 'trident-seg-bench-'));
  const cfg = { sparse: { scorer: 'bm25' as const, k1: 0.9, b: 0.4 }, multivector: { dim: DIM, dtype: 'i8' as const } };
  // ids are even numbers 0, 2, 4, …; the +1 % uses the next ones
  const store = await SegmentedStore.create(join(root, 'seg'), cfg);
  let firstSaveMs = 0;
  let firstBytes = 0;
  for (let from = 0; from < N; from += PER) {
    for (let i = from; i < Math.min(N, from + PER); i++) store.add(2 * i, doc(i));
    const t = performance.now();
    const r = await store.commit({ merge: false });
    firstSaveMs += performance.now() - t;
    firstBytes += r.bytesWritten;
    process.stderr.write(`\rbuilt ${Math.min(N, from + PER)} / ${N}`);
  }
  process.stderr.write('\n');
  const extra = Math.ceil(N / 100);
  for (let i = N; i < N + extra; i++) store.add(2 * i, doc(i));
  const t1 = performance.now();
  const second = await store.commit({ merge: false });
  const secondSaveMs = performance.now() - t1;
  const indexBytes = dirBytes(join(root, 'seg'));
  store.close();
  // today's formats, same documents, for the heap-loaded baseline
  const legacyDir = join(root, 'legacy');
  mkdirSync(legacyDir);
  {
    const sp = SparseIndex.create(cfg.sparse);
    const mv = MultiVectorStore.create({ dim: DIM, dtype: 'i8' });
    for (let i = 0; i < N + extra; i++) {
      const d = doc(i);
      sp.add(2 * i, d.sparse);
      mv.add(2 * i, d.multivector);
    }
    const t = performance.now();
    await sp.saveFiles(legacyDir);
    await mv.saveFiles(legacyDir);
    process.stderr.write(`legacy save ${(performance.now() - t).toFixed(0)} ms\n`);
  }
  const legacyBytes = dirBytes(legacyDir);
  const self = fileURLToPath(import.meta.url);
  const runs: Record<string, ReturnType<typeof JSON.parse>[]> = { mapped: [], heap: [], legacy: [] };
  for (let o = 0; o < OPENS; o++) {
    for (const mode of ['mapped', 'heap', 'legacy']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, 'child', mode, root, String(N + extra)], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
      runs[mode]!.push(JSON.parse(r.stdout.trim()));
    }
  }
  const same = runs.mapped![0].answers === runs.heap![0].answers && runs.mapped![0].answers === runs.legacy![0].answers;
  const summary = Object.fromEntries(
    Object.entries(runs).map(([mode, rs]) => [
      mode,
      {
        openMs: median(rs.map((r) => r.openMs)),
        rssGrowthOpenMB: median(rs.map((r) => r.rssGrowthOpen.rss)) / 2 ** 20,
        anonGrowthOpenMB: median(rs.map((r) => r.rssGrowthOpen.anon)) / 2 ** 20,
        rssGrowthAfterQueriesMB: median(rs.map((r) => r.rssGrowthQueries.rss)) / 2 ** 20,
        anonGrowthAfterQueriesMB: median(rs.map((r) => r.rssGrowthQueries.anon)) / 2 ** 20,
        fileGrowthAfterQueriesMB: median(rs.map((r) => r.rssGrowthQueries.file)) / 2 ** 20,
        firstPassQueryP50Ms: median(rs.map((r) => r.firstPassP50Ms)),
        warmQueryP50Ms: median(rs.map((r) => r.warmP50Ms)),
      },
    ]),
  );
  const cpu = cpuModel();
  const result = {
    meta: runMeta('segments'),
    cpu,
    docs: N + extra,
    segmentsBeforeExtra: Math.ceil(N / PER),
    indexBytes,
    legacyBytes,
    save: { firstSaveMs, firstBytes, secondSaveMs, secondBytes: second.bytesWritten, bytesRatio: second.bytesWritten / indexBytes, timeRatio: secondSaveMs / firstSaveMs },
    open: summary,
    ratios: {
      mappedOpenVsFirstSave: summary.mapped!.openMs / firstSaveMs,
      mappedRssOpenVsIndexBytes: (summary.mapped!.rssGrowthOpenMB * 2 ** 20) / indexBytes,
      mappedOpenVsHeapOpen: summary.mapped!.openMs / summary.heap!.openMs,
      mappedOpenVsLegacyOpen: summary.mapped!.openMs / summary.legacy!.openMs,
    },
    identicalResults: same,
  };
  console.log(`CPU: ${cpu}; ${N + extra} documents, index ${(indexBytes / 2 ** 20).toFixed(1)} MB (today's format ${(legacyBytes / 2 ** 20).toFixed(1)} MB)`);
  console.log(`save: first ${firstSaveMs.toFixed(0)} ms / ${(firstBytes / 2 ** 20).toFixed(1)} MB; +1 %: ${secondSaveMs.toFixed(0)} ms / ${(second.bytesWritten / 2 ** 20).toFixed(1)} MB (${(100 * result.save.bytesRatio).toFixed(2)} % of the bytes, ${(100 * result.save.timeRatio).toFixed(2)} % of the time)`);
  console.log('| store | open ms | RSS growth at open MB (anon) | RSS growth after 100 queries MB (anon + file-backed) | first-pass query p50 ms | warm query p50 ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [mode, s] of Object.entries(summary)) {
    console.log(
      `| ${mode} | ${s.openMs.toFixed(1)} | ${s.rssGrowthOpenMB.toFixed(1)} (${s.anonGrowthOpenMB.toFixed(1)}) | ${s.rssGrowthAfterQueriesMB.toFixed(1)} (${s.anonGrowthAfterQueriesMB.toFixed(1)} + ${s.fileGrowthAfterQueriesMB.toFixed(1)}) | ${s.firstPassQueryP50Ms.toFixed(2)} | ${s.warmQueryP50Ms.toFixed(2)} |`,
    );
  }
  console.log(`identical results across mapped / heap / today's stores: ${same}`);
  console.log(`wrote ${writeResult('segments', result)}`);
  rmSync(root, { recursive: true, force: true });
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else await main();
