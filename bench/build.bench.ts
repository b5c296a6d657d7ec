// Build-path benchmark (issues 13 and 19): every figure beside its same-run baseline.
//  1. analyser scaling: time vs input size (4 KB … 1 MB) for base64, one long word, prose,
//     CJK and Thai, per analyser: the per-KB cost at the largest size over the smallest
//     ("linearity", ≈ 1 for linear work);
//  2. BM25 build on dev/scifact (analyse + vocabulary + SparseIndex): english analyser now vs
//     the per-document wink analyser it replaced (bench/lib/wink-per-doc.ts) vs `plain`
//     (one regex), with nDCG@10 of each;
//  3. dense build: raw usearch `Index.add` of the same vectors (the baseline) vs
//     DenseIndex.addBatch vs HybridIndex.add (dense store only, vectors from a table encoder);
//  4. dense search: DenseIndex.search vs HybridIndex.search(mode 'dense', pre-encoded query).
//
// Run: node --expose-gc --import tsx bench/build.bench.ts
// Env: TRIDENT_BENCH_BUILD_SIZES (default 4096,65536,1048576), TRIDENT_BENCH_BUILD_REPS (3),
//      TRIDENT_BENCH_BUILD_DENSE_N (20000), TRIDENT_BENCH_BUILD_DENSE_DIM (1024),
//      TRIDENT_BENCH_BUILD_DENSE_QUERIES (200), TRIDENT_BENCH_BUILD_PARTS (analysers,bm25,dense), TRIDENT_BENCH_TIME_MS (1000), TRIDENT_DATA_DIR.
// Writes bench/results/build.json.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import usearch from 'usearch';
import { createAnalyzer, TermVocabulary, termFrequencies, type AnalyzerKind } from '../src/analyze/index.js';
import { resetEnglishCaches } from '../src/analyze/english.js';
import { SparseIndex } from '../src/sparse/index.js';
import { DenseIndex } from '../src/dense/index.js';
import { HybridIndex } from '../src/hybrid/index.js';
import type { EncodedLike, HybridEncoder } from '../src/hybrid/types.js';
import { benchLatency, type Lat } from './lib/latency.js';
import { DATA_DIR, envList, envNumber, runMeta, writeResult } from './lib/results.js';
import { clusteredRows, gaussianMatrix, rng } from './lib/synthetic.js';
import { perDocEnglishTerms, resetPerDocCache } from './lib/wink-per-doc.js';

const SIZES = envList('TRIDENT_BENCH_BUILD_SIZES', ['4096', '65536', '1048576']).map(Number);
const REPS = envNumber('TRIDENT_BENCH_BUILD_REPS', 3);
const N = envNumber('TRIDENT_BENCH_BUILD_DENSE_N', 20000);
const DIM = envNumber('TRIDENT_BENCH_BUILD_DENSE_DIM', 1024);
const QUERIES = envNumber('TRIDENT_BENCH_BUILD_DENSE_QUERIES', 200);
const TIME = envNumber('TRIDENT_BENCH_TIME_MS', 1000);
const PARTS = envList('TRIDENT_BENCH_BUILD_PARTS', ['analysers', 'bm25', 'dense']);
const gc = (globalThis as { gc?: () => void }).gc;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Wall and process-CPU ms of one call. */
function timed<T>(fn: () => T): { wall: number; cpu: number; value: T } {
  gc?.();
  const c0 = cpuMs();
  const t0 = performance.now();
  const value = fn();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0, value };
}
async function timedAsync<T>(fn: () => Promise<T>): Promise<{ wall: number; cpu: number; value: T }> {
  gc?.();
  const c0 = cpuMs();
  const t0 = performance.now();
  const value = await fn();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0, value };
}

// ---------- 1. analyser scaling ----------
function shapes(): Record<string, (n: number) => string> {
  const u = rng(7);
  const b64 = (n: number) =>
    Buffer.from(Uint8Array.from({ length: Math.ceil((n * 3) / 4) + 3 }, () => Math.floor(u() * 256)))
      .toString('base64')
      .slice(0, n);
  const rep = (unit: string) => (n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  return {
    base64: b64,
    'long word': (n) => 'a'.repeat(n),
    prose: rep("The runners were running over the lazy dogs' fields, and Parkinson's disease (PD) affects 1.5% of people aged 60+. "),
    cjk: rep('東京タワーは日本の電波塔です。'),
    thai: rep('ภาษาไทยง่ายมากสำหรับคนไทย '),
  };
}

function analyserScaling() {
  const rows: { analyzer: string; shape: string; bytes: number; ms: number; msPerKB: number; terms: number }[] = [];
  const linearity: Record<string, number> = {};
  for (const kind of ['english', 'auto', 'plain', 'bigram'] as AnalyzerKind[]) {
    const a = createAnalyzer(kind);
    a.terms('warm up the analyser once');
    for (const [shape, make] of Object.entries(shapes())) {
      const perKB: number[] = [];
      for (const n of SIZES) {
        const text = make(n);
        resetEnglishCaches(); // every measurement starts cold (the kinds share the english run cache)
        const t = timed(() => a.terms(text));
        rows.push({ analyzer: kind, shape, bytes: n, ms: r2(t.cpu), msPerKB: r2(t.cpu / (n / 1024)), terms: t.value.length });
        perKB.push(t.cpu / (n / 1024));
      }
      linearity[`${kind}/${shape}`] = r2(perKB[perKB.length - 1]! / Math.max(perKB[0]!, 1e-3));
    }
  }
  return { rows, linearity };
}

// ---------- 2. BM25 build on scifact ----------
function loadScifact() {
  const dir = join(DATA_DIR, 'dev', 'scifact');
  if (!existsSync(join(dir, 'corpus.jsonl'))) return null;
  const read = (f: string) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, string>);
  const docs = read('corpus.jsonl').map((d) => ({ id: String(d._id), text: `${d.title ?? ''} ${d.text ?? ''}` }));
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(dir, 'qrels', 'test.tsv'), 'utf8')
    .split('\n')
    .slice(1)) {
    const [q, d, s] = line.split('\t');
    if (!q || !d) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, Number(s));
  }
  const queries = read('queries.jsonl')
    .filter((q) => qrels.has(String(q._id)))
    .map((q) => ({ id: String(q._id), text: String(q.text) }));
  return { docs, queries, qrels };
}

function ndcg10(ranked: string[], rel: Map<string, number>): number {
  let dcg = 0;
  ranked.slice(0, 10).forEach((d, i) => {
    dcg += (rel.get(d) ?? 0) / Math.log2(i + 2);
  });
  const ideal = [...rel.values()].sort((a, b) => b - a).slice(0, 10);
  let idcg = 0;
  ideal.forEach((g, i) => {
    idcg += g / Math.log2(i + 2);
  });
  return idcg > 0 ? dcg / idcg : 0;
}

function bm25Build() {
  const data = loadScifact();
  if (!data) return { skipped: `no dev/scifact under ${DATA_DIR}` };
  const english = createAnalyzer('english');
  const plain = createAnalyzer('plain');
  const variants: Record<string, { terms: (t: string) => string[]; reset: () => void }> = {
    'english (per-document wink, before)': { terms: perDocEnglishTerms, reset: resetPerDocCache },
    'english (runs memoised, now)': { terms: (t) => english.terms(t), reset: resetEnglishCaches },
    'plain (one regex)': { terms: (t) => plain.terms(t), reset: () => {} },
  };
  const out: Record<string, { buildMs: number; buildCpuMs: number; analyseMs: number; ndcg10: number; runs: number[] }> = {};
  // alternate the variants so that load changes hit each alike
  const runs: Record<string, { wall: number[]; cpu: number[]; analyse: number[] }> = {};
  let last: Record<string, { index: SparseIndex; vocab: TermVocabulary }> = {};
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, v] of Object.entries(variants)) {
      v.reset();
      const t = timed(() => {
        const a0 = cpuMs();
        const vecs = data.docs.map((d) => v.terms(d.text));
        const analyse = cpuMs() - a0;
        const vocab = new TermVocabulary();
        const index = SparseIndex.create({ scorer: 'bm25', k1: 0.9, b: 0.4 });
        index.addBatch(
          data.docs.map((_, i) => i),
          vecs.map((terms) => termFrequencies(terms, vocab, true)),
        );
        return { index, vocab, analyse };
      });
      runs[name] ??= { wall: [], cpu: [], analyse: [] };
      runs[name].wall.push(t.wall);
      runs[name]!.cpu.push(t.cpu);
      runs[name]!.analyse.push(t.value.analyse);
      last[name] = t.value;
    }
  }
  for (const [name, v] of Object.entries(variants)) {
    const { index, vocab } = last[name]!;
    let sum = 0;
    for (const q of data.queries) {
      const hits = index.search(termFrequencies(v.terms(q.text), vocab, false), 10);
      sum += ndcg10(
        Array.from(hits.ids, (i) => data.docs[i]!.id),
        data.qrels.get(q.id)!,
      );
    }
    const r = runs[name]!;
    out[name] = { buildMs: r2(median(r.wall)), buildCpuMs: r2(median(r.cpu)), analyseMs: r2(median(r.analyse)), ndcg10: Math.round((sum / data.queries.length) * 10000) / 10000, runs: r.wall.map(r2) };
  }
  last = {};
  const before = out['english (per-document wink, before)']!.buildCpuMs;
  const now = out['english (runs memoised, now)']!.buildCpuMs;
  return { docs: data.docs.length, queries: data.queries.length, variants: out, speedupCpu: r2(before / now) };
}

// ---------- 3 + 4. dense build and search ----------
class TableEncoder implements HybridEncoder {
  readonly info = { id: 'table', dim: DIM, maxLength: 8192, heads: { dense: true, sparse: false, multivector: false } };
  constructor(private rows: Float32Array) {}
  async encode(texts: string[]): Promise<EncodedLike[]> {
    return texts.map((t) => {
      const i = /^\d+$/.test(t) ? Number(t) : 0; // the index probes the encoder with other text
      return { dense: this.rows.subarray(i * DIM, (i + 1) * DIM) };
    });
  }
}

async function dense() {
  const u = rng(11);
  const centres = gaussianMatrix(100, DIM, u);
  const rows = clusteredRows(centres, 100, DIM, N, 1.0, u);
  // normalise once so that every path inserts the same unit vectors
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += rows[i * DIM + j]! ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < DIM; j++) rows[i * DIM + j]! *= inv;
  }
  const queries = clusteredRows(centres, 100, DIM, QUERIES, 1.0, u);
  const settings = { dtype: 'f16' as const, connectivity: 16, expansionAdd: 128, expansionSearch: 128 };
  const ids = Uint32Array.from({ length: N }, (_, i) => i);

  const raw = timed(() => {
    const index = new usearch.Index({ dimensions: DIM, metric: usearch.MetricKind.IP, quantization: 'f16' as never, connectivity: 16, expansion_add: 128, expansion_search: 128, multi: false });
    index.add(
      BigUint64Array.from(ids, (i) => BigInt(i)),
      rows,
      0,
    );
    return index;
  });
  const denseBuild = timed(() => {
    const index = DenseIndex.create({ dimensions: DIM, ...settings });
    index.addBatch(ids, rows);
    return index;
  });
  const enc = new TableEncoder(rows);
  const docs = Array.from({ length: N }, (_, i) => ({ id: i, text: String(i) }));
  const hybridBuild = await timedAsync(async () => {
    const index = await HybridIndex.create({ encoder: enc, dense: { dimensions: DIM, ...settings }, sparse: false, multivector: false });
    for (let i = 0; i < N; i += 1000) await index.add(docs.slice(i, i + 1000));
    return index;
  });
  const build = {
    rawUsearch: { wallMs: r2(raw.wall), cpuMs: r2(raw.cpu) },
    denseIndex: { wallMs: r2(denseBuild.wall), cpuMs: r2(denseBuild.cpu), ratioWall: r2(denseBuild.wall / raw.wall) },
    hybridIndex: { wallMs: r2(hybridBuild.wall), cpuMs: r2(hybridBuild.cpu), ratioWall: r2(hybridBuild.wall / raw.wall) },
  };
  raw.value; // keep the raw index alive until here

  const di = denseBuild.value;
  const hi = hybridBuild.value;
  const qs = Array.from({ length: QUERIES }, (_, i) => queries.subarray(i * DIM, (i + 1) * DIM));
  const encoded = qs.map((q) => ({ dense: q }));
  let a = 0;
  let b = 0;
  let c = 0;
  const lat: Record<string, Lat> = await benchLatency(
    {
      'raw usearch search': () => void raw.value.search(qs[a++ % QUERIES]!, 10, 1),
      'DenseIndex.search': () => void di.search(qs[b++ % QUERIES]!, 10),
      "HybridIndex.search mode 'dense'": async () => void (await hi.search('', { mode: 'dense', k: 10, encoded: encoded[c++ % QUERIES]! })),
    },
    { time: TIME, iterations: QUERIES, warmupIterations: 50 },
  );
  // same answers? (ids of the top 10)
  let same = 0;
  for (let i = 0; i < QUERIES; i++) {
    const x = Array.from(di.search(qs[i]!, 10).ids).join();
    const y = (await hi.search('', { mode: 'dense', k: 10, encoded: encoded[i]! })).map((h) => h.id).join();
    if (x === y) same++;
  }
  const d = lat['DenseIndex.search']!;
  const h = lat["HybridIndex.search mode 'dense'"]!;
  await hi.close();
  di.close();
  return { n: N, dim: DIM, settings, build, search: { latency: lat, ratioP50: r2(h.p50 / d.p50), ratioP99: r2(h.p99 / d.p99), sameTop10: `${same}/${QUERIES}` } };
}

const meta = { ...runMeta('build'), cpu: cpus()[0]?.model ?? 'unknown' };
const analysers = PARTS.includes('analysers') ? analyserScaling() : null;
if (analysers) console.log('analyser linearity (per-KB cost at the largest size / smallest):', analysers.linearity);
const bm25 = PARTS.includes('bm25') ? bm25Build() : null;
if (bm25) console.log('BM25 build on scifact:', JSON.stringify(bm25, null, 1));
const denseResult = PARTS.includes('dense') ? await dense() : null;
if (denseResult) console.log('dense:', JSON.stringify(denseResult, null, 1));
const file = writeResult('build', { meta, analysers, bm25, dense: denseResult });
console.log(`wrote ${file}`);
