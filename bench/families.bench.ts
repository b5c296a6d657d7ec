// Families benchmark: encode cost of the tiny family fixtures (test/fixtures/families), same
// hidden width (32) and depth (2), so the ratios isolate what each family adds:
//   baseline  = tiny BERT, mean pooling (sentence-transformers / E5 / GTE path)
//   decoder   = tiny Mistral (RMSNorm, rotary, GQA, causal), left padding, EOS, last token
//   splade    = tiny BertForMaskedLM (vocab-sized logits, max-pooled)
//   colbert   = tiny BERT + 1_Dense projection, per-token vectors
// Real-model cost is not measurable here (weights not downloadable); the README gives the
// FLOP estimate 2 · params · tokens (e.g. 7.1B-param E5-Mistral: ≈ 7.3 TFLOP per 512-token
// passage vs ≈ 34 GFLOP for multilingual-e5-small, ≈ 200×).
//
// Timing: wall clock, rounds interleave the tasks (one untimed warm-up round), medians.
// Part 2, BM42 IDF at search time (SparseIndex query modifier 'idf', Qdrant's `modifier: idf`)
// on a synthetic BM42-like collection (hashed term ids, Zipf term draws, log(1+w)^0.5 weights,
// 4-term unit-weight queries, k = 10): per-query median µs of the plain dot product (baseline),
// the same IDF ranking done by the caller (idfWeightedQuery over docFreq, then a dot search:
// the like-for-like baseline of the built-in modifier), idf, its exhaustive oracle, idf with
// 10% tombstones (live df counted once per term after a delete, then cached), and idf with one
// delete before every query (the cache is rebuilt each time: worst case); exactness: pruned
// top-10 ids == exhaustive oracle ids. IDF down-weights frequent terms, so MaxScore prunes
// their long lists sooner: idf can be faster than the unweighted dot product.
// Part 3, late vs ordinary chunking with the tiny jina-v2-style encoder (mean pooling): one
// document of TRIDENT_BENCH_FAMILIES_SENTENCES sentences, chunked per sentence; median ms.
//
// Run: nice node --import tsx bench/families.bench.ts
// Env: TRIDENT_BENCH_FAMILIES_ROUNDS (15), TRIDENT_BENCH_FAMILIES_DOCS (16), TRIDENT_BENCH_FAMILIES_THREADS (1),
//      TRIDENT_BENCH_FAMILIES_IDF_DOCS (20000), TRIDENT_BENCH_FAMILIES_IDF_QUERIES (300),
//      TRIDENT_BENCH_FAMILIES_SENTENCES (8)
// Writes bench/results/families.json.
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { idfWeightedQuery, loadEncoder, type Encoder } from '../src/encode/index.js';
import { SparseIndex } from '../src/sparse/index.js';
import { prepareDocuments } from '../src/hybrid/chunking.js';
import { rng } from './lib/synthetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '..', 'test', 'fixtures', 'families');
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const ROUNDS = env('TRIDENT_BENCH_FAMILIES_ROUNDS', 15);
const DOCS = env('TRIDENT_BENCH_FAMILIES_DOCS', 16);
const THREADS = env('TRIDENT_BENCH_FAMILIES_THREADS', 1);

const base = 'BM25 is a bag-of-words retrieval function that ranks documents based on the query terms appearing in each document';
const docs = Array.from({ length: DOCS }, (_, i) => `${base} ${'and the cat '.repeat(i % 5)}${i}`);

async function main(): Promise<void> {
  const encs: Record<string, Encoder> = {
    baseline: await loadEncoder(join(FIX, 'tiny-bert-st'), { threads: THREADS }),
    decoder: await loadEncoder(join(FIX, 'tiny-mistral'), { preset: 'e5-mistral', threads: THREADS }),
    splade: await loadEncoder(join(FIX, 'tiny-splade'), { preset: 'splade', threads: THREADS }),
    colbert: await loadEncoder(join(FIX, 'tiny-colbert'), { threads: THREADS }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(encs).map((k) => [k, []]));
  const names = Object.keys(encs);
  for (let r = -1; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const bench = new Bench({ iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 });
      bench.add(name, async () => {
        await encs[name]!.encode(docs, { role: 'document', maxLength: 64 });
      });
      await bench.run();
      const t = bench.tasks[0]!.result as { latency?: { mean?: number }; mean?: number } | undefined;
      const ms = t?.latency?.mean ?? t?.mean ?? NaN;
      if (r >= 0) times[name]!.push(ms);
    }
  }
  const median = (a: number[]): number => {
    const s = [...a].sort((x, y) => x - y);
    return s[Math.floor(s.length / 2)]!;
  };
  const base0 = median(times.baseline!);
  const rows = names.map((n) => ({ task: n, medianMs: median(times[n]!), perDocMs: median(times[n]!) / DOCS, ratioToBaseline: median(times[n]!) / base0 }));
  console.log('| task | median ms / batch of', DOCS, '| ms / doc | × baseline |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.task} | ${r.medianMs.toFixed(2)} | ${r.perDocMs.toFixed(3)} | ${r.ratioToBaseline.toFixed(2)} |`);
  const bm42Idf = benchIdf();
  const lateChunking = await benchLate(encs.baseline!);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'families.json'), JSON.stringify({ rounds: ROUNDS, docs: DOCS, threads: THREADS, loadavg: loadavg(), rows, bm42Idf, lateChunking }, null, 2));
  for (const e of Object.values(encs)) await e.close();
}

const medianOf = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
};

/** BM42 IDF: dot (baseline) vs idf vs idf with tombstones vs idf with a delete before each query. */
function benchIdf() {
  const N = env('TRIDENT_BENCH_FAMILIES_IDF_DOCS', 20000);
  const Q = env('TRIDENT_BENCH_FAMILIES_IDF_QUERIES', 300);
  const V = 50000;
  const rnd = rng(7);
  const termIds = Array.from({ length: V }, (_, i) => Math.imul(i + 1, 2654435761) >>> 1); // hashed-looking ids
  const zipf = (): number => Math.min(V - 1, Math.floor(Math.exp(rnd() * Math.log(V)) - 1)); // ≈ 1/rank
  const vec = (terms: number, unit: boolean) => {
    const ids = new Set<number>();
    while (ids.size < terms) ids.add(termIds[zipf()]!);
    const sorted = [...ids].sort((a, b) => a - b);
    return { ids: Uint32Array.from(sorted), weights: Float32Array.from(sorted, () => (unit ? 1 : Math.sqrt(Math.log1p(0.05 + rnd())))) };
  };
  const docs = Array.from({ length: N }, () => vec(24, false));
  const queries = Array.from({ length: Q }, () => vec(4, true));
  const build = (idf: boolean) => {
    const ix = SparseIndex.create({ scorer: 'dot' });
    ix.addBatch(
      Array.from({ length: N }, (_, i) => i),
      docs,
    );
    if (idf) ix.setQueryModifier('idf');
    return ix;
  };
  const time = (ix: SparseIndex, before?: (q: number) => void, run?: (q: number) => void): number[] => {
    const out: number[] = [];
    for (let q = 0; q < Q; q++) {
      before?.(q);
      const t0 = process.hrtime.bigint();
      if (run) run(q);
      else ix.search(queries[q]!, 10);
      out.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    return out;
  };
  const dot = build(false);
  const idf = build(true);
  const tomb = build(true);
  for (let d = 0; d < N; d += 10) tomb.delete(d);
  const churn = build(true);
  let exact = 0;
  for (let q = 0; q < Math.min(Q, 50); q++) {
    const a = idf.search(queries[q]!, 10).ids;
    const b = idf.searchExhaustive(queries[q]!, 10).ids;
    if (a.length === b.length && a.every((x, i) => x === b[i])) exact++;
  }
  const results: Record<string, number[]> = { dot: [], 'dot, caller pre-weights (idfWeightedQuery + docFreq)': [], idf: [], 'idf, exhaustive oracle': [], 'idf, 10% tombstones': [], 'idf, delete before each query': [] };
  for (let r = 0; r < 3; r++) {
    results.dot!.push(...time(dot));
    results['dot, caller pre-weights (idfWeightedQuery + docFreq)']!.push(
      ...time(dot, undefined, (q) => {
        dot.search(
          idfWeightedQuery(queries[q]!, (t) => dot.docFreq(t), dot.size),
          10,
        );
      }),
    );
    results['idf, exhaustive oracle']!.push(
      ...time(idf, undefined, (q) => {
        idf.searchExhaustive(queries[q]!, 10);
      }),
    );
    results.idf!.push(...time(idf));
    results['idf, 10% tombstones']!.push(...time(tomb));
    let next = N - 1;
    results['idf, delete before each query']!.push(
      ...time(churn, () => {
        churn.delete(next--);
      }),
    );
  }
  const base = medianOf(results.dot!);
  const rows = Object.entries(results).map(([task, us]) => ({ task: `sparse ${task}`, medianUs: medianOf(us), ratioToBaseline: medianOf(us) / base }));
  console.log(`\nBM42 IDF at search time: ${N} docs × 24 terms, ${Q} queries × 4 terms, k = 10; pruned == exhaustive on ${exact}/${Math.min(Q, 50)} queries`);
  console.log('| task | median µs / query | × dot |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.task} | ${r.medianUs.toFixed(1)} | ${r.ratioToBaseline.toFixed(2)} |`);
  return { docs: N, queries: Q, termsPerDoc: 24, termsPerQuery: 4, exactTop10: `${exact}/${Math.min(Q, 50)}`, rows };
}

/** Late chunking (one pass, pooled per chunk) vs ordinary chunking (one pass per chunk). */
async function benchLate(enc: Encoder) {
  const S = env('TRIDENT_BENCH_FAMILIES_SENTENCES', 8);
  const pool = ['BM25 ranks documents by term frequency.', 'The cat and the dog played.', 'The runners were running quickly.', 'What is BM25?'];
  const text = Array.from({ length: S }, (_, i) => pool[i % pool.length]).join(' ');
  const kinds = ['late', 'ordinary'] as const;
  const times: Record<string, number[]> = { late: [], ordinary: [] };
  for (let r = -1; r < ROUNDS; r++) {
    for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) {
      const t0 = performance.now();
      await prepareDocuments(enc, [{ id: 'd', text }], { chunking: { kind, by: 'sentence', size: 1 }, batchSize: 32, needSparse: false, onProgress: undefined });
      if (r >= 0) times[kind]!.push(performance.now() - t0);
    }
  }
  const base = medianOf(times.ordinary!);
  const rows = kinds.map((k) => ({ task: `${k} chunking`, medianMs: medianOf(times[k]!), ratioToBaseline: medianOf(times[k]!) / base }));
  console.log(`\nLate vs ordinary chunking (tiny jina-v2-style BERT, ${S} sentences, one chunk per sentence)`);
  console.log('| task | median ms / document | × ordinary |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.task} | ${r.medianMs.toFixed(2)} | ${r.ratioToBaseline.toFixed(2)} |`);
  return { sentences: S, rows };
}

await main();
