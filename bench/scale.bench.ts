// Scale benchmark: how search latency and memory grow with the collection size N, per store,
// on synthetic collections built directly into the stores (no encoder):
//   - DenseIndex, 1024-d, f16 and i8 graphs (clustered Gaussian vectors): HNSW search vs the
//     exact brute-force oracle (the same-run baseline), recall@10 of HNSW against it;
//   - SparseIndex (M3 lexical dot), Zipf postings (100k-term vocabulary, exponent 1.07,
//     50–250 draws per document): MaxScore vs the exhaustive scorer, pruned = exhaustive check;
//   - MultiVectorStore i8, 100–300 token vectors per document (ColBERT-like: Zipf "words" +
//     noise), dims 128 (the built-in model's) and 1024 (BGE-M3's): re-ranking 200 candidates
//     (what a hybrid search does) vs the exhaustive MaxSim scan over the collection.
// Each store grows through the sizes in turn (measured at each checkpoint), so the sweep costs
// one build of the largest size. A configuration whose estimated peak memory exceeds the
// budget (TRIDENT_BENCH_SCALE_MEM_SHARE of MemAvailable, default 60 %) is skipped at that size
// and the reason recorded; so is an exhaustive baseline that would take too long.
//
// Run: nice node --expose-gc --import tsx bench/scale.bench.ts
// Env: TRIDENT_BENCH_SCALE=full (sizes 10k,100k,1M; default 10k,100k),
//      TRIDENT_BENCH_SCALE_SIZES (explicit list, e.g. 2000,20000), TRIDENT_BENCH_SCALE_STORES
//      (dense,sparse,multivector), TRIDENT_BENCH_SCALE_DENSE_DTYPES (f16,i8),
//      TRIDENT_BENCH_SCALE_MV_DIMS (128,1024), TRIDENT_BENCH_SCALE_QUERIES (100),
//      TRIDENT_BENCH_SCALE_MEM_SHARE (0.6), TRIDENT_BENCH_SCALE_CLOCK (cpu|wall, default cpu).
// Writes bench/results/scale.json.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DenseIndex, MultiVectorStore, SparseIndex } from '../src/index.js';
import { DENSE_GRAPH_FILE } from '../src/dense/index.js';
import { availableBytes, checkBudget, densePeakBytes, dirBytes, gb, mvPeakBytes, rssBytes } from './lib/memory.js';
import { envList, envNumber, runMeta, writeResult } from './lib/results.js';
import { cpuNowMs, qps, speedup, summarize, type Summary } from './lib/stats.js';
import { TokenVectors, Zipf, clusteredRows, gaussianMatrix, rng, zipfSparse } from './lib/synthetic.js';
import type { SummaryBlock } from './lib/summary.js';

const FULL = process.env.TRIDENT_BENCH_SCALE === 'full';
const SIZES = envList('TRIDENT_BENCH_SCALE_SIZES', FULL ? ['10000', '100000', '1000000'] : ['10000', '100000'])
  .map(Number)
  .sort((a, b) => a - b);
const STORES = envList('TRIDENT_BENCH_SCALE_STORES', ['dense', 'sparse', 'multivector']);
const DENSE_DTYPES = envList('TRIDENT_BENCH_SCALE_DENSE_DTYPES', ['f16', 'i8']) as Array<'f16' | 'i8'>;
const MV_DIMS = envList('TRIDENT_BENCH_SCALE_MV_DIMS', ['128', '1024']).map(Number);
const NQ = envNumber('TRIDENT_BENCH_SCALE_QUERIES', 100);
const SHARE = envNumber('TRIDENT_BENCH_SCALE_MEM_SHARE', 0.6);
const CLOCK = process.env.TRIDENT_BENCH_SCALE_CLOCK === 'wall' ? 'wall' : 'cpu';
const DIM = 1024;
const K = 10;
const MV_MIN = 100;
const MV_MAX = 300;
const MV_QTOKENS = 32;
const MV_CANDIDATES = 200;
/** Skip an exhaustive baseline estimated above this many ms per query. */
const EXH_MAX_MS = 5000;
const now = CLOCK === 'cpu' ? cpuNowMs : () => performance.now();
const gc = (globalThis as { gc?: () => void }).gc;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Point {
  store: string;
  config: string;
  n: number;
  latencyMs: Summary;
  baseline: { name: string; queries: number; latencyMs: Summary; speedup: number } | { name: string; skipped: string };
  quality?: { name: string; value: number };
  bytesPerDoc: number;
  bytesPerDocDisk?: number;
  note?: string;
  rssBytes: number;
  buildPerSec: number;
}
interface Skip {
  store: string;
  config: string;
  n: number;
  reason: string;
}

const points: Point[] = [];
const skips: Skip[] = [];

function settledRss(): number {
  gc?.();
  gc?.();
  return rssBytes();
}

/** Times `fn(i)` for i = 0 … count−1 (after `warm` untimed calls), one sample per call. */
function timeEach(count: number, warm: number, fn: (i: number) => void): Summary {
  for (let i = 0; i < warm; i++) fn(i % count);
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = now();
    fn(i);
    ms.push(now() - t);
  }
  return summarize(ms);
}

/** Sizes that fit the memory budget; the others are recorded as skipped with the reason. */
function sizesWithin(store: string, config: string, need: (n: number) => number): number[] {
  const ok: number[] = [];
  for (const n of SIZES) {
    const v = checkBudget(need(n), availableBytes() + settledRss(), SHARE);
    if (v.fits) ok.push(n);
    else {
      skips.push({ store, config, n, reason: v.reason! });
      log(`${store} ${config} N=${n}: skipped — ${v.reason}`);
    }
  }
  return ok;
}

function unit(v: Float32Array, d: number): Float32Array {
  for (let i = 0; i < v.length; i += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += v[i + j]! * v[i + j]!;
    const inv = 1 / Math.sqrt(s || 1);
    for (let j = 0; j < d; j++) v[i + j]! *= inv;
  }
  return v;
}

async function dense(dtype: 'f16' | 'i8'): Promise<void> {
  const config = `${dtype} ${DIM}-d`;
  const rowDtype = 'f16';
  const sizes = sizesWithin('dense', config, (n) => densePeakBytes(n, DIM, dtype, rowDtype));
  if (sizes.length === 0) return;
  const r = rng(11);
  const centres = gaussianMatrix(100, DIM, r);
  const queries = unit(clusteredRows(centres, 100, DIM, NQ, 1.0, rng(12)), DIM);
  const q = (i: number) => queries.subarray(i * DIM, (i + 1) * DIM);
  const index = DenseIndex.create({ dimensions: DIM, dtype });
  const gen = rng(13);
  let built = 0;
  let buildMs = 0;
  let graphPerVector: number | undefined;
  const work = mkdtempSync(join(tmpdir(), 'trident-scale-'));
  try {
    for (const n of sizes) {
      while (built < n) {
        const m = Math.min(5000, n - built);
        const rows = clusteredRows(centres, 100, DIM, m, 1.0, gen);
        const ids = new Uint32Array(m).map((_, i) => built + i);
        const t = performance.now();
        index.addBatch(ids, rows);
        buildMs += performance.now() - t;
        built += m;
      }
      const lat = timeEach(NQ, 10, (i) => index.search(q(i), K, { exact: false }));
      // enough queries for a recall estimate (≥ 20), more while the exact scan is cheap
      const exactQueries = Math.min(NQ, Math.max(20, Math.floor(2e9 / (n * DIM))));
      const exact = timeEach(exactQueries, 1, (i) => index.searchExact(q(i), K));
      let hit = 0;
      for (let i = 0; i < exactQueries; i++) {
        const truth = new Set(index.searchExact(q(i), K).ids);
        for (const id of index.search(q(i), K, { exact: false }).ids) if (truth.has(id)) hit++;
      }
      const dir = join(work, `d${n}`);
      mkdirSync(dir, { recursive: true });
      let disk: number | undefined;
      let graphBytes: number;
      let note: string | undefined;
      try {
        await index.saveFiles(dir);
        disk = dirBytes(dir);
        graphBytes = dirBytes(join(dir, DENSE_GRAPH_FILE));
        graphPerVector = graphBytes / n;
      } catch (e) {
        // e.g. a graph file over 2 GiB: estimate the graph from the last size that saved
        graphBytes = n * (graphPerVector ?? DIM * (dtype === 'i8' ? 1 : 2) + 2 * 16 * 4 + 64);
        note = `saveFiles failed (${(e as Error).message.split('\n')[0]}); graph bytes estimated from ${graphPerVector ? 'the previous size' : 'the usearch layout'}`;
        log(`dense ${config} N=${n}: ${note}`);
      }
      rmSync(dir, { recursive: true, force: true });
      const rss = settledRss();
      const p: Point = {
        store: 'dense',
        config,
        n,
        latencyMs: lat,
        baseline: { name: 'exact oracle', queries: exactQueries, latencyMs: exact, speedup: speedup(lat.p50, exact.p50) },
        quality: { name: 'recall@10', value: hit / (exactQueries * K) },
        // our rows (ids, rows, scales) + usearch's graph, whose in-memory size is its file's
        bytesPerDoc: (index.rowBytes + graphBytes) / n,
        ...(disk !== undefined ? { bytesPerDocDisk: disk / n } : {}),
        ...(note ? { note } : {}),
        rssBytes: rss,
        buildPerSec: qps(built, buildMs),
      };
      points.push(p);
      log(`dense ${config} N=${n}: HNSW p50 ${lat.p50.toFixed(3)} ms p99 ${lat.p99.toFixed(3)} ms | exact p50 ${exact.p50.toFixed(2)} ms (×${speedup(lat.p50, exact.p50).toFixed(1)}) | recall@10 ${p.quality!.value.toFixed(3)} | ${p.bytesPerDoc.toFixed(0)} B/doc | build ${p.buildPerSec.toFixed(0)} vec/s`);
    }
  } finally {
    index.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function sparse(): void {
  const config = 'dot, Zipf 100k terms';
  const zipf = new Zipf(100_000, 1.07);
  const r = rng(21);
  const queries = Array.from({ length: NQ }, () => zipfSparse(zipf, 4 + Math.floor(r() * 13), r));
  const rss0 = settledRss();
  const index = SparseIndex.create({ scorer: 'dot' });
  const gen = rng(22);
  let built = 0;
  let buildMs = 0;
  for (const n of SIZES) {
    while (built < n) {
      const m = Math.min(10_000, n - built);
      const vecs = Array.from({ length: m }, () => zipfSparse(zipf, 50 + Math.floor(gen() * 201), gen));
      const ids = new Uint32Array(m).map((_, i) => built + i);
      const t = performance.now();
      index.addBatch(ids, vecs);
      buildMs += performance.now() - t;
      built += m;
    }
    index.compact(); // trims growth slack, as save() does, so bytes/doc compare across N
    const lat = timeEach(NQ, 10, (i) => index.search(queries[i]!, K));
    const exh = timeEach(NQ, 3, (i) => index.searchExhaustive(queries[i]!, K));
    let same = 0;
    for (let i = 0; i < Math.min(NQ, 50); i++) {
      const a = index.search(queries[i]!, K);
      const b = index.searchExhaustive(queries[i]!, K);
      if (a.ids.join() === b.ids.join()) same++;
    }
    const st = index.stats();
    const rss = settledRss();
    points.push({
      store: 'sparse',
      config,
      n,
      latencyMs: lat,
      baseline: { name: 'exhaustive', queries: NQ, latencyMs: exh, speedup: speedup(lat.p50, exh.p50) },
      quality: { name: 'pruned = exhaustive', value: same / Math.min(NQ, 50) },
      bytesPerDoc: st.bytes / n,
      rssBytes: rss,
      buildPerSec: qps(built, buildMs),
    });
    log(`sparse N=${n}: MaxScore p50 ${lat.p50.toFixed(3)} ms p99 ${lat.p99.toFixed(3)} ms | exhaustive p50 ${exh.p50.toFixed(3)} ms (×${speedup(lat.p50, exh.p50).toFixed(1)}) | ${(st.bytes / n).toFixed(0)} B/doc | ${st.postings} postings | rss ${gb(rss - rss0)}`);
  }
}

function multivector(dim: number): void {
  const config = `i8 ${dim}-d, ${MV_MIN}–${MV_MAX} vectors/doc`;
  const meanTokens = (MV_MIN + MV_MAX) / 2;
  const sizes = sizesWithin('multivector', config, (n) => mvPeakBytes(n, meanTokens, dim, 'i8'));
  if (sizes.length === 0) return;
  const tv = new TokenVectors(dim, 4000, 31 + dim);
  const r = rng(32);
  const rss0 = settledRss();
  const store = MultiVectorStore.create({ dim, dtype: 'i8' });
  const queryWords: Uint32Array[] = [];
  let built = 0;
  let buildMs = 0;
  for (const n of sizes) {
    while (built < n) {
      const doc = tv.document(MV_MIN + Math.floor(r() * (MV_MAX - MV_MIN + 1)));
      if (queryWords.length < NQ && built % 97 === 0) queryWords.push(doc.words);
      const t = performance.now();
      store.add(built, doc);
      buildMs += performance.now() - t;
      built++;
    }
    const queries = Array.from({ length: NQ }, (_, i) => tv.query(MV_QTOKENS, queryWords[i % queryWords.length]!));
    const cands = Array.from({ length: NQ }, () => {
      const s = new Set<number>();
      while (s.size < Math.min(MV_CANDIDATES, n)) s.add(Math.floor(r() * n));
      return Uint32Array.from(s).sort();
    });
    const lat = timeEach(NQ, 5, (i) => store.score(queries[i]!, cands[i]!));
    // exhaustive scan cost grows with N: estimate from the re-rank cost and skip when too slow
    const estMs = (lat.p50 * n) / Math.min(MV_CANDIDATES, n);
    let baseline: Point['baseline'];
    if (estMs > EXH_MAX_MS) {
      baseline = { name: 'exhaustive MaxSim', skipped: `estimated ${(estMs / 1000).toFixed(0)} s per query (> ${EXH_MAX_MS / 1000} s)` };
    } else {
      const nq = Math.max(2, Math.min(10, Math.floor(20_000 / Math.max(estMs, 1))));
      const exh = timeEach(nq, 0, (i) => store.searchExhaustive(queries[i]!, K));
      baseline = { name: 'exhaustive MaxSim', queries: nq, latencyMs: exh, speedup: speedup(lat.p50, exh.p50) };
    }
    const st = store.stats();
    const rss = settledRss();
    points.push({ store: 'multivector', config, n, latencyMs: lat, baseline, bytesPerDoc: st.bytesPerDoc, rssBytes: rss, buildPerSec: qps(built, buildMs) });
    log(`multivector ${config} N=${n}: rerank ${MV_CANDIDATES} p50 ${lat.p50.toFixed(3)} ms p99 ${lat.p99.toFixed(3)} ms | ${'skipped' in baseline ? `exhaustive skipped (${baseline.skipped})` : `exhaustive p50 ${baseline.latencyMs.p50.toFixed(1)} ms`} | ${st.bytesPerDoc.toFixed(0)} B/doc | rss +${gb(rss - rss0)}`);
  }
}

function summaryBlock(errors: Array<{ store: string; message: string }>): SummaryBlock {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  return {
    notes: [`sizes ${SIZES.join(', ')}; ${NQ} queries; clock ${CLOCK}; memory budget ${Math.round(SHARE * 100)} % of available RAM`],
    rows: points.map((p) => ({
      task: `${p.store} ${p.config} @ ${p.n.toLocaleString('en')}`,
      p50Ms: p.latencyMs.p50,
      p99Ms: p.latencyMs.p99,
      baseline: 'skipped' in p.baseline ? `${p.baseline.name}: skipped (${p.baseline.skipped})` : `${p.baseline.name} (${f(p.baseline.latencyMs.p50, 2)} ms)`,
      ...('skipped' in p.baseline ? {} : { speedup: p.baseline.speedup }),
      ...(p.quality ? { quality: `${p.quality.name} ${f(p.quality.value)}` } : {}),
    })),
    tables: [
      {
        title: 'Memory and build vs N',
        columns: ['store', 'N', 'bytes/doc (in memory)', 'bytes/doc (on disk)', 'process RSS', 'build (docs/s)'],
        rows: points.map((p) => [`${p.store} ${p.config}`, p.n, f(p.bytesPerDoc, 0), p.bytesPerDocDisk !== undefined ? f(p.bytesPerDocDisk, 0) : '–', gb(p.rssBytes), f(p.buildPerSec, 0)]),
      },
      ...(skips.length ? [{ title: 'Skipped', columns: ['store', 'N', 'reason'], rows: skips.map((s) => [`${s.store} ${s.config}`, s.n, s.reason]) }] : []),
      ...(points.some((p) => p.note) ? [{ title: 'Notes', columns: ['store', 'N', 'note'], rows: points.filter((p) => p.note).map((p) => [`${p.store} ${p.config}`, p.n, p.note!]) }] : []),
      ...(errors.length ? [{ title: 'Failed', columns: ['store', 'error'], rows: errors.map((e) => [e.store, e.message.split('\n')[0]!]) }] : []),
    ],
  };
}

async function main(): Promise<void> {
  const meta = runMeta('scale');
  log(`scale: sizes ${SIZES.join(', ')}, stores ${STORES.join(', ')}, backend ${meta.backend.kind}/${meta.backend.isa}, available RAM ${gb(availableBytes())}`);
  const started = performance.now();
  const errors: Array<{ store: string; message: string }> = [];
  // one failing store does not lose the others; results are rewritten after each store
  const step = async (store: string, fn: () => void | Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      const message = (e as Error).stack ?? String(e);
      errors.push({ store, message });
      log(`scale: ${store} failed — ${message}`);
    }
    save(meta, started, errors);
  };
  if (STORES.includes('sparse')) await step('sparse', sparse);
  if (STORES.includes('multivector')) for (const d of MV_DIMS) await step(`multivector ${d}-d`, () => multivector(d));
  if (STORES.includes('dense')) for (const dt of DENSE_DTYPES) await step(`dense ${dt}`, () => dense(dt));
  log(`scale: wrote ${save(meta, started, errors)}`);
  if (errors.length) process.exitCode = 1;
}

function save(meta: ReturnType<typeof runMeta>, started: number, errors: Array<{ store: string; message: string }>): string {
  return writeResult('scale', {
    ...meta,
    clock: CLOCK,
    config: { sizes: SIZES, stores: STORES, denseDim: DIM, denseDtypes: DENSE_DTYPES, mvDims: MV_DIMS, mvTokens: [MV_MIN, MV_MAX], mvQueryTokens: MV_QTOKENS, mvCandidates: MV_CANDIDATES, queries: NQ, k: K, memShare: SHARE },
    elapsedSec: (performance.now() - started) / 1000,
    points,
    skips,
    errors,
    summary: summaryBlock(errors),
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
