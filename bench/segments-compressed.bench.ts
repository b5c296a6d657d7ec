// Compressed multi-vector segments (issue 17 × issue 16): residual 2-bit 1024-d token vectors
// in SegmentedStore, answered through the memory-mapped segments.
//
// Synthetic clustered ColBERT-like documents (a vocabulary of Gaussian "word" directions, Zipf
// word frequencies, a shared pool of noise rows, as bench/lib/synthetic.ts TokenVectors), each
// document generated from its own seed so any document's f32 vectors can be regenerated
// (20M × 1024-d f32 never fit in memory at once: the build generates one commit at a time).
// 1. Build: DOCS documents × TOKENS tokens, COMMIT documents per commit (no merges: one segment
//    per commit, each training its own codebook of CENTROIDS centroids). Reports build time,
//    generation time apart, commit (normalise + train + encode + write) time and token vectors
//    per second per core (commits run on one thread), bytes on disk per token.
// 2. Open, in a fresh child process: open time, RSS before / after open, exhaustive compressed
//    MaxSim top-200 per query, re-rank latency of 200 candidates (scoreMultiVector through the
//    mapping, tinybench CPU time) against the same 200 documents in an i8 segment built in the
//    same run (the baseline), RSS after the queries; the first stage (candidatesMultiVector:
//    per-segment PLAID lists) against the exhaustive top-10, with its latency. Quality: top-10 overlap with exact f32
//    MaxSim over the regenerated float vectors. Exact over every document when DOCS ≤ EXACT_ALL;
//    above that the exact top-10 is taken over the compressed top-200 (a document outside the
//    compressed top-200 is assumed not in the exact top-10; the small run checks both agree).
// 3. Merge quality (MERGE_DOCS documents in 4 commits): overlap with exact f32 MaxSim before
//    and after optimize() (the merge decodes the sources' codes and retrains one codebook).
//
// Run: node --expose-gc --import tsx bench/segments-compressed.bench.ts
// Env: TRIDENT_SEGC_DOCS (10000), TRIDENT_SEGC_TOKENS (200), TRIDENT_SEGC_DIM (1024),
//      TRIDENT_SEGC_COMMIT (2500), TRIDENT_SEGC_CENTROIDS (256), TRIDENT_SEGC_BITS (2),
//      TRIDENT_SEGC_QUERIES (10), TRIDENT_SEGC_EXACT_ALL (10000), TRIDENT_SEGC_MERGE_DOCS (2000),
//      TRIDENT_SEGC_DIR (OS temp dir), TRIDENT_BENCH_TIME_MS (1000).
// Writes bench/results/segments-compressed-<DOCS>.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernels } from '../src/kernels/index.js';
import type { MultiVector } from '../src/multivector/types.js';
import { SegmentedStore } from '../src/segments/index.js';
import type { MvChannelConfig } from '../src/segments/mv-segment.js';
import { benchLatency } from './lib/latency.js';
import { dirBytes, rssBytes } from './lib/memory.js';
import { envNumber, runMeta, writeResult } from './lib/results.js';
import { gaussianMatrix, rng, Zipf } from './lib/synthetic.js';

const DOCS = envNumber('TRIDENT_SEGC_DOCS', 10000);
const TOKENS = envNumber('TRIDENT_SEGC_TOKENS', 200);
const DIM = envNumber('TRIDENT_SEGC_DIM', 1024);
const COMMIT = envNumber('TRIDENT_SEGC_COMMIT', 2500);
const CENTROIDS = envNumber('TRIDENT_SEGC_CENTROIDS', 256);
const BITS = envNumber('TRIDENT_SEGC_BITS', 2) as 1 | 2 | 4;
const QUERIES = envNumber('TRIDENT_SEGC_QUERIES', 10);
const EXACT_ALL = envNumber('TRIDENT_SEGC_EXACT_ALL', 10000);
const MERGE_DOCS = envNumber('TRIDENT_SEGC_MERGE_DOCS', 2000);
const TIME = envNumber('TRIDENT_BENCH_TIME_MS', 1000);
const QTOKENS = 32;
const CANDIDATES = 200;
const WORDS = 4000;
const NOISE_ROWS = 1024;
const log = (s: string) => process.stderr.write(`${s}\n`);
const CFG: MvChannelConfig = { dim: DIM, dtype: 'residual', bits: BITS, centroids: CENTROIDS };

// ---- deterministic per-document generator ---------------------------------------------------
const base = rng(17);
const words = gaussianMatrix(WORDS, DIM, base);
const noise = gaussianMatrix(NOISE_ROWS, DIM, base);
for (let i = 0; i < noise.length; i++) noise[i]! *= 0.7;
const zipf = new Zipf(WORDS, 1.0);

/** Document `i`'s token vectors (the same in every process) and its words. */
function doc(i: number, tokens = TOKENS): { mv: MultiVector; words: Uint32Array } {
  const r = rng(1_000_003 + i * 7919);
  const data = new Float32Array(tokens * DIM);
  const ws = new Uint32Array(tokens);
  for (let t = 0; t < tokens; t++) {
    const w = zipf.sample(r);
    ws[t] = w;
    const n = Math.floor(r() * NOISE_ROWS) * DIM;
    const wo = w * DIM;
    const o = t * DIM;
    for (let j = 0; j < DIM; j++) data[o + j] = words[wo + j]! + noise[n + j]!;
  }
  return { mv: { data, dim: DIM, count: tokens }, words: ws };
}

/** Query `q`: 32 unit vectors, 70 % reusing words of a random document. */
function query(q: number, docs: number): MultiVector {
  const r = rng(55_555 + q * 31);
  const src = doc(Math.floor(r() * docs)).words;
  const data = new Float32Array(QTOKENS * DIM);
  for (let t = 0; t < QTOKENS; t++) {
    const w = r() < 0.7 ? src[Math.floor(r() * src.length)]! : zipf.sample(r);
    const n = Math.floor(r() * NOISE_ROWS) * DIM;
    let norm = 0;
    for (let j = 0; j < DIM; j++) {
      const v = words[w * DIM + j]! + noise[n + j]!;
      data[t * DIM + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < DIM; j++) data[t * DIM + j]! /= Math.sqrt(norm);
  }
  return { data, dim: DIM, count: QTOKENS };
}

/** Exact f32 MaxSim of documents `ids` for each query (vectors regenerated once, normalised). */
function exactScoresMany(qs: MultiVector[], ids: ArrayLike<number>): Float32Array[] {
  const out = qs.map(() => new Float32Array(ids.length));
  const one = new Float32Array(1);
  for (let i = 0; i < ids.length; i++) {
    const d = doc(ids[i]!).mv;
    for (let v = 0; v < d.count; v++) {
      let s = 0;
      for (let j = 0; j < DIM; j++) s += d.data[v * DIM + j]! ** 2;
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < DIM; j++) d.data[v * DIM + j]! *= inv;
    }
    qs.forEach((q, x) => {
      kernels.maxsimF32(q.data, q.count, DIM, d.data, Uint32Array.of(0), Uint32Array.of(d.count), one);
      out[x]![i] = one[0]!;
    });
  }
  return out;
}
const exactScores = (q: MultiVector, ids: ArrayLike<number>) => exactScoresMany([q], ids)[0]!;

function top(ids: ArrayLike<number>, scores: ArrayLike<number>, k: number): number[] {
  return Array.from(ids, (id, i) => ({ id, s: scores[i]! }))
    .sort((a, b) => b.s - a.s || a.id - b.id)
    .slice(0, k)
    .map((x) => x.id);
}
const overlap = (a: number[], b: number[]) => a.filter((x) => b.includes(x)).length / b.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---- child: open mapped, query -------------------------------------------------------------
async function child(dir: string): Promise<void> {
  globalThis.gc?.();
  const rss0 = rssBytes();
  const t0 = performance.now();
  const s = await SegmentedStore.open(dir);
  const openMs = performance.now() - t0;
  const rssOpen = rssBytes();
  const qs = Array.from({ length: QUERIES }, (_, q) => query(q, DOCS));
  const perQuery: { overlap: number; overlapAll?: number; searchMs: number; top10: number[] }[] = [];
  let cands: Uint32Array = new Uint32Array(0);
  const all = Uint32Array.from({ length: DOCS }, (_, i) => i);
  const truthAll = DOCS <= EXACT_ALL ? exactScoresMany(qs, all).map((sc) => top(all, sc, 10)) : null;
  for (const [x, q] of qs.entries()) {
    const ts = performance.now();
    const got = s.searchMultiVector(q, CANDIDATES);
    const searchMs = performance.now() - ts;
    if (cands.length === 0) cands = got.ids.slice();
    const mine = Array.from(got.ids.subarray(0, 10));
    const truthPool = top(got.ids, exactScores(q, got.ids), 10);
    const row: (typeof perQuery)[number] = { overlap: overlap(mine, truthPool), searchMs, top10: mine };
    if (truthAll !== null) row.overlapAll = overlap(mine, truthAll[x]!);
    perQuery.push(row);
    log(`  query: overlap ${row.overlap}${row.overlapAll !== undefined ? ` (exact over all ${row.overlapAll})` : ''}, exhaustive ${searchMs.toFixed(0)} ms`);
  }
  // the channel's own first stage (per-segment PLAID lists, ndocs 256 per segment): top-10
  // overlap with the exhaustive compressed top-10 above, latency beside it
  const fs: { overlap: number; ms: number }[] = [];
  for (const [x, q] of qs.entries()) {
    const ts = performance.now();
    const got = s.candidatesMultiVector(q, 10);
    const ms = performance.now() - ts;
    fs.push({ overlap: overlap(Array.from(got.ids), perQuery[x]!.top10), ms });
    log(`  query ${x}: first stage overlap with exhaustive top-10 ${fs[x]!.overlap}, ${ms.toFixed(0)} ms (exhaustive ${perQuery[x]!.searchMs.toFixed(0)} ms)`);
  }
  const rssQueries = rssBytes();
  // baseline: the same 200 candidates in an i8 segment, mapped, same run
  const bdir = mkdtempSync(join(tmpdir(), 'trident-segc-i8-'));
  const b = await SegmentedStore.create(bdir, { multivector: { dim: DIM, dtype: 'i8' } });
  for (const id of cands) b.add(id, { multivector: doc(id).mv });
  await b.commit();
  b.close();
  const bi = await SegmentedStore.open(bdir);
  const ids = Array.from(cands);
  const lat = await benchLatency({ residual: () => s.scoreMultiVector(qs[0]!, ids), i8: () => bi.scoreMultiVector(qs[0]!, ids) }, { time: TIME, iterations: 20 });
  bi.close();
  rmSync(bdir, { recursive: true, force: true });
  const stats = s.stats();
  s.close();
  process.stdout.write(
    JSON.stringify({
      openMs,
      rssBeforeOpen: rss0,
      rssAfterOpen: rssOpen,
      rssGrowthOpen: rssOpen - rss0,
      rssAfterQueries: rssQueries,
      segments: stats.segments.length,
      exhaustiveSearchMsMedian: median(perQuery.map((p) => p.searchMs)),
      overlapAt10: perQuery.reduce((a, p) => a + p.overlap, 0) / perQuery.length,
      overlapAt10ExactAll: DOCS <= EXACT_ALL ? perQuery.reduce((a, p) => a + p.overlapAll!, 0) / perQuery.length : null,
      firstStage: { msMedian: median(fs.map((f) => f.ms)), overlapAt10VsExhaustive: fs.reduce((a, f) => a + f.overlap, 0) / fs.length, ndocsPerSegment: 256 },
      rerank200: { residualP50Ms: lat.residual!.p50, i8P50Ms: lat.i8!.p50, ratio: lat.residual!.p50 / lat.i8!.p50 },
    }),
  );
}

// ---- parent ---------------------------------------------------------------------------------
async function buildStore(dir: string, n: number, per: number): Promise<{ genMs: number; commitMs: number; totalMs: number; commits: number }> {
  const s = await SegmentedStore.create(dir, { multivector: CFG });
  let genMs = 0;
  let commitMs = 0;
  let commits = 0;
  const t0 = performance.now();
  for (let a = 0; a < n; a += per) {
    const tg = performance.now();
    for (let i = a; i < Math.min(n, a + per); i++) s.add(i, { multivector: doc(i).mv });
    genMs += performance.now() - tg;
    const tc = performance.now();
    await s.commit({ merge: false });
    commitMs += performance.now() - tc;
    commits++;
    log(`  committed ${Math.min(n, a + per)} / ${n} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  s.close();
  return { genMs, commitMs, totalMs: performance.now() - t0, commits };
}

async function mergeQuality(root: string): Promise<object> {
  const dir = join(root, 'merge');
  await buildStore(dir, MERGE_DOCS, Math.ceil(MERGE_DOCS / 4));
  const s = await SegmentedStore.open(dir);
  const qs = Array.from({ length: QUERIES }, (_, q) => query(q, MERGE_DOCS));
  const all = Uint32Array.from({ length: MERGE_DOCS }, (_, i) => i);
  const truth = exactScoresMany(qs, all).map((sc) => top(all, sc, 10));
  const score = () => qs.reduce((a, q, i) => a + overlap(Array.from(s.searchMultiVector(q, 10).ids), truth[i]!), 0) / qs.length;
  const before = score();
  const segmentsBefore = s.segments.length;
  const t = performance.now();
  await s.optimize();
  const mergeMs = performance.now() - t;
  const after = score();
  s.close();
  log(`merge: top-10 overlap ${before.toFixed(3)} (${segmentsBefore} segments) → ${after.toFixed(3)} (1 merged segment), merge ${(mergeMs / 1000).toFixed(1)} s`);
  return { docs: MERGE_DOCS, segmentsBefore, overlapBefore: before, overlapAfter: after, mergeMs, mergeVectorsPerSec: (MERGE_DOCS * TOKENS) / (mergeMs / 1000) };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.TRIDENT_SEGC_DIR ?? tmpdir(), 'trident-segc-'));
  let keep = false;
  try {
    log(`build: ${DOCS} docs × ${TOKENS} tokens × ${DIM}-d residual ${BITS}-bit, ${COMMIT} per commit, ${CENTROIDS} centroids per segment`);
    const dir = join(root, 'store');
    const b = await buildStore(dir, DOCS, COMMIT);
    const bytes = dirBytes(dir);
    const vectors = DOCS * TOKENS;
    log(`build ${(b.totalMs / 1000).toFixed(0)} s (generation ${(b.genMs / 1000).toFixed(0)} s, commits ${(b.commitMs / 1000).toFixed(0)} s), ${(bytes / vectors).toFixed(1)} B per token on disk`);
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, 'child', dir], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    if (r.status !== 0) {
      keep = true; // rerun the open part alone: node --expose-gc --import tsx bench/segments-compressed.bench.ts child <dir> (same env)
      throw new Error(`open child failed; the built store is kept at ${dir}`);
    }
    const open = JSON.parse(r.stdout) as Record<string, unknown>;
    log(`open ${JSON.stringify(open)}`);
    const merge = MERGE_DOCS > 0 ? await mergeQuality(root) : null;
    const file = writeResult(`segments-compressed-${DOCS}`, {
      meta: runMeta('segments-compressed'),
      settings: { docs: DOCS, tokens: TOKENS, dim: DIM, bits: BITS, centroidsPerSegment: CENTROIDS, docsPerCommit: COMMIT, queries: QUERIES, queryTokens: QTOKENS },
      build: { ...b, vectors, commitVectorsPerSecPerCore: vectors / (b.commitMs / 1000), bytesOnDisk: bytes, bytesPerToken: bytes / vectors, f16BytesPerToken: 2 * DIM },
      open,
      merge,
    });
    log(`wrote ${file}`);
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!);
else await main();
