// Sparse stage benchmark: query latency of MaxScore vs the exhaustive scorer (same run baseline),
// on dev/scifact (BM25 + english analyser) and a synthetic Zipf corpus (BM25 and M3-style dot),
// plus wink-bm25-text-search on the identical scifact term bags (latency, heap, nDCG@10).
//
// Run: node --expose-gc --import tsx bench/sparse.bench.ts
// Env: TRIDENT_BENCH_SCALE=full (1M Zipf docs; default 100k), TRIDENT_DATA_DIR (default /work/shared/data),
//      TRIDENT_BENCH_TIME_MS (tinybench time per task, default 1000),
//      TRIDENT_BENCH_SPARSE_CLOCK=cpu|wall (default cpu: process CPU time, robust on a shared machine).
// Writes bench/results/sparse.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { SparseIndex, type SparseVector } from '../src/sparse/index.js';
import { createAnalyzer, TermVocabulary, termFrequencies } from '../src/analyze/index.js';
import { benchLatency, type Lat } from './lib/latency.js';
import { rng as mulberry32 } from './lib/synthetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const DATA = process.env.TRIDENT_DATA_DIR ?? '/work/shared/data';
const FULL = process.env.TRIDENT_BENCH_SCALE === 'full';
const TIME = Number(process.env.TRIDENT_BENCH_TIME_MS ?? 1000);
const CLOCK = process.env.TRIDENT_BENCH_SPARSE_CLOCK === 'wall' ? 'wall' : 'cpu';
const gc = (globalThis as { gc?: () => void }).gc;

function mem(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function latency(tasks: Record<string, () => void>, iterations: number): Promise<Record<string, Lat>> {
  return benchLatency(tasks, { time: TIME, iterations, warmupIterations: Math.min(iterations, 50), clock: CLOCK });
}

const cycle = <T>(xs: T[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

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

function countMismatches(index: SparseIndex, queries: SparseVector[], k: number): number {
  let bad = 0;
  for (const q of queries) {
    const a = index.search(q, k);
    const b = index.searchExhaustive(q, k);
    if (a.ids.join() !== b.ids.join() || a.scores.join() !== b.scores.join()) bad++;
  }
  return bad;
}

async function scifact() {
  const dir = join(DATA, 'dev', 'scifact');
  if (!existsSync(join(dir, 'corpus.jsonl'))) return { skipped: `no data at ${dir}` };
  const read = (f: string) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
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
  const analyzer = createAnalyzer('english');
  let t0 = performance.now();
  const docTerms = docs.map((d) => analyzer.terms(d.text));
  const analyseMs = performance.now() - t0;
  const queryTerms = queries.map((q) => analyzer.terms(q.text));

  const m0 = mem();
  t0 = performance.now();
  const vocab = new TermVocabulary();
  const index = SparseIndex.create({ scorer: 'bm25', k1: 0.9, b: 0.4 });
  index.addBatch(
    docs.map((_, i) => i),
    docTerms.map((t) => termFrequencies(t, vocab, true)),
  );
  const buildMs = performance.now() - t0;
  const tridentBytes = mem() - m0;

  // wink-bm25-text-search over the same term bags (documents and queries pre-analysed, joined by spaces)
  const winkBM25 = require('wink-bm25-text-search') as () => {
    defineConfig(c: unknown): void;
    definePrepTasks(t: ((s: string) => string[])[]): void;
    addDoc(d: unknown, id: number): void;
    consolidate(): void;
    search(t: string, k: number): [string, number][];
  };
  const m1 = mem();
  t0 = performance.now();
  const wink = winkBM25();
  wink.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 0.9, b: 0.4, k: 1 } });
  wink.definePrepTasks([(s: string) => s.split(' ').filter(Boolean)]);
  docTerms.forEach((t, i) => {
    wink.addDoc({ body: t.join(' ') }, i);
  });
  wink.consolidate();
  const winkBuildMs = performance.now() - t0;
  const winkBytes = mem() - m1;

  const qvecs = queryTerms.map((t) => termFrequencies(t, vocab, false));
  const qstrings = queryTerms.map((t) => t.join(' '));
  let nd = 0;
  let ndWink = 0;
  queries.forEach((q, i) => {
    nd += ndcg10(
      Array.from(index.search(qvecs[i]!, 10).ids, (d) => docs[d]!.id),
      qrels.get(q.id)!,
    );
    ndWink += ndcg10(
      wink.search(qstrings[i]!, 10).map(([d]) => docs[Number(d)]!.id),
      qrels.get(q.id)!,
    );
  });
  const nextVec = cycle(qvecs);
  const nextTerms = cycle(queryTerms);
  const nextStr = cycle(qstrings);
  const nextText = cycle(queries.map((q) => q.text));
  const lat = await latency(
    {
      'trident maxscore': () => void index.search(nextVec(), 10),
      'trident exhaustive': () => void index.searchExhaustive(nextVec(), 10),
      'trident tf+maxscore': () => void index.search(termFrequencies(nextTerms(), vocab, false), 10),
      'wink-bm25 search': () => void wink.search(nextStr(), 10),
      'trident analyse+search': () => void index.search(termFrequencies(analyzer.terms(nextText()), vocab, false), 10),
    },
    queries.length * 2,
  );
  return {
    docs: docs.length,
    queries: queries.length,
    analyseMs,
    buildMs,
    winkBuildMs,
    ndcg10: nd / queries.length,
    winkNdcg10: ndWink / queries.length,
    mismatches: countMismatches(index, qvecs, 10),
    stats: index.stats(),
    memory: { tridentBytes, winkBytes, ratioWinkOverTrident: winkBytes / tridentBytes, gcExposed: gc !== undefined },
    latencyMs: lat,
    ratios: {
      exhaustiveOverPrunedP50: lat['trident exhaustive']!.p50 / lat['trident maxscore']!.p50,
      winkOverTridentP50: lat['wink-bm25 search']!.p50 / lat['trident tf+maxscore']!.p50,
      winkOverTridentP99: lat['wink-bm25 search']!.p99 / lat['trident tf+maxscore']!.p99,
    },
  };
}

async function zipf(scorer: 'bm25' | 'dot') {
  const N = FULL ? 1_000_000 : 100_000;
  const V = 50_000;
  const S = 1.07;
  const rnd = mulberry32(scorer === 'bm25' ? 42 : 7);
  const cdf = new Float64Array(V);
  let acc = 0;
  for (let r = 0; r < V; r++) cdf[r] = acc += 1 / (r + 1) ** S;
  for (let r = 0; r < V; r++) cdf[r]! /= acc;
  const draw = () => {
    const u = rnd();
    let lo = 0;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const vec = (len: number): SparseVector => {
    const tf = new Map<number, number>();
    for (let i = 0; i < len; i++) {
      const t = draw();
      tf.set(t, (tf.get(t) ?? 0) + 1);
    }
    const ids = Uint32Array.from(tf.keys()).sort();
    const weights = new Float32Array(ids.length);
    // bm25: term frequencies; dot: M3-like lexical weights in (0, 0.35], larger for rarer terms
    // (the model learns low weights for frequent tokens), with per-occurrence noise
    for (let i = 0; i < ids.length; i++) {
      weights[i] = scorer === 'bm25' ? tf.get(ids[i]!)! : 0.35 * (0.1 + 0.9 * rnd()) * (0.15 + 0.85 * (Math.log(ids[i]! + 1) / Math.log(V)));
    }
    return { ids, weights };
  };
  const index = SparseIndex.create({ scorer });
  let t0 = performance.now();
  const BATCH = 10_000;
  for (let start = 0; start < N; start += BATCH) {
    const ids: number[] = [];
    const vecs: SparseVector[] = [];
    for (let d = start; d < Math.min(N, start + BATCH); d++) {
      ids.push(d);
      vecs.push(vec(20 + Math.floor(rnd() * 100)));
    }
    index.addBatch(ids, vecs);
  }
  const buildMs = performance.now() - t0;
  index.compact(); // trims spare capacity so bytes/posting is the steady-state figure
  const queries = Array.from({ length: 200 }, () => vec(4 + Math.floor(rnd() * 9)));
  const next = cycle(queries);
  const lat = await latency(
    {
      maxscore: () => void index.search(next(), 10),
      exhaustive: () => void index.searchExhaustive(next(), 10),
    },
    queries.length,
  );
  t0 = performance.now();
  const mismatches = countMismatches(index, queries.slice(0, 50), 10);
  return {
    scorer,
    docs: N,
    vocabulary: V,
    zipfExponent: S,
    buildMs,
    stats: index.stats(),
    mismatchesOf50: mismatches,
    latencyMs: lat,
    ratios: { exhaustiveOverPrunedP50: lat.exhaustive!.p50 / lat.maxscore!.p50, exhaustiveOverPrunedP99: lat.exhaustive!.p99 / lat.maxscore!.p99 },
  };
}

const results = {
  bench: 'sparse',
  date: new Date().toISOString(),
  node: process.version,
  backend: { kind: 'js', isa: 'none' },
  clock: CLOCK,
  loadAverage: (await import('node:os')).loadavg(),
  scale: FULL ? 'full' : 'default',
  scifact: await scifact(),
  zipfBm25: await zipf('bm25'),
  zipfDot: await zipf('dot'),
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'sparse.json'), JSON.stringify(results, null, 2));
console.log(JSON.stringify(results, null, 2));
