// Multi-vector first stages on real token vectors: PLAID-style centroid interaction
// (MultiVectorStore.candidates) against MUVERA (MuveraIndex), same store, same queries, same run.
//
// Data: dev scifact and nfcorpus with the built-in model (builtin:static-en, 128-d token vectors),
// every document encoded once into a residual 2-bit store (the PLAID stage needs its centroids;
// MUVERA encodes the stored, decompressed vectors). Reference: the exhaustive MaxSim scan.
// Per stage setting and ndocs (documents given the full MaxSim, as a share of the collection):
// recall@100 of the exhaustive top-10, nDCG@10 of the stage's top-10 beside the exhaustive
// scan's, documents scored, latency p50 (one core, CPU time) beside the exhaustive scan's.
//
// Run: node --expose-gc --import tsx bench/multivector-muvera.bench.ts
// Env: TRIDENT_DATA_DIR, TRIDENT_BENCH_MU_DATASETS (dev/scifact,dev/nfcorpus),
//      TRIDENT_BENCH_MU_SETTINGS (R/ksim/dproj/final, '-' = none; 10/4/-/1024,20/5/16/1024,10/4/8/-).
// Writes bench/results/multivector-muvera.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateRun, loadBeir, loadEncoder } from '../src/index.js';
import { MultiVectorStore, MuveraIndex, type MultiVector } from '../src/multivector/index.js';
import type { Ranked } from '../src/kernels/topk.js';
import { BENCH_DIR, DATA_DIR, envList, runMeta, writeResult } from './lib/results.js';

const DATASETS = envList('TRIDENT_BENCH_MU_DATASETS', ['dev/scifact', 'dev/nfcorpus']).filter((s) => s !== '');
const SETTINGS = envList('TRIDENT_BENCH_MU_SETTINGS', ['10/4/-/1024', '20/5/16/1024', '10/4/8/-']).filter((s) => s !== '');
const SHARES = [1 / 40, 1 / 20, 1 / 10];
const log = (s: string) => process.stderr.write(`${s}\n`);
const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};
const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;

async function main(): Promise<void> {
  const meta = runMeta('multivector-muvera');
  const modelDir = join(BENCH_DIR, '..', 'src', 'models', 'static-en');
  const encoder = await loadEncoder(existsSync(modelDir) ? modelDir : 'builtin:static-en');
  const results: object[] = [];
  for (const name of DATASETS) {
    const dir = join(DATA_DIR, name);
    if (!existsSync(join(dir, 'corpus.jsonl'))) {
      log(`mu: ${name} missing, skipped`);
      continue;
    }
    const ds = await loadBeir(dir);
    const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
    let store: MultiVectorStore | null = null;
    for (let i = 0; i < docs.length; i += 64) {
      const enc = await encoder.encode(
        docs.slice(i, i + 64).map((d) => d.text),
        { role: 'document' },
      );
      enc.forEach((e, j) => {
        const mv = e.multivector!;
        store ??= MultiVectorStore.create({ dimensions: mv.dim, dtype: 'residual', bits: 2 });
        store.add(i + j, { data: mv.data, dim: mv.dim, count: mv.count });
      });
    }
    const st = store!;
    st.train();
    const N = docs.length;
    const judged = [...ds.qrels.keys()].filter((q) => ds.queries.has(q));
    const qenc = await encoder.encode(
      judged.map((q) => ds.queries.get(q)!),
      { role: 'query' },
    );
    const queries: MultiVector[] = qenc.map((e) => ({ data: e.multivector!.data, dim: e.multivector!.dim, count: e.multivector!.count }));
    const ndcg = (hits: Ranked[]): number => {
      const run = new Map<string, Array<{ id: string; score: number }>>();
      judged.forEach((q, i) => {
        run.set(
          q,
          Array.from(hits[i]!.ids.subarray(0, 10), (id, j) => ({ id: docs[id]!.id, score: hits[i]!.scores[j]! })),
        );
      });
      return evaluateRun(run, ds.qrels, { k: [10], metrics: ['ndcg'] }).metrics['ndcg@10']!;
    };
    const exMs: number[] = [];
    const exact: Ranked[] = [];
    for (const q of queries) exMs.push(cpuMs(() => exact.push(st.searchExhaustive(q, 100))));
    const exNdcg = ndcg(exact);
    const exP50 = median(exMs);
    log(`mu: ${name} ${N} docs, ${queries.length} queries; exhaustive nDCG@10 ${exNdcg.toFixed(4)}, p50 ${exP50.toFixed(2)} ms`);
    const measure = (stage: string, setting: string, ndocs: number, run: (q: MultiVector) => Ranked & { scored: number }) => {
      const hits: Ranked[] = [];
      const ms: number[] = [];
      const scored: number[] = [];
      let hit = 0;
      queries.forEach((q, i) => {
        let res!: Ranked & { scored: number };
        ms.push(cpuMs(() => (res = run(q))));
        hits.push(res);
        scored.push(res.scored);
        const got = new Set(res.ids);
        for (const id of exact[i]!.ids.subarray(0, 10)) if (got.has(id)) hit++;
      });
      const total = queries.reduce((s, _, i) => s + Math.min(10, exact[i]!.ids.length), 0);
      const row = { dataset: name, docs: N, stage, setting, ndocs, recallAt100OfTop10: hit / total, ndcg10: ndcg(hits), exhaustiveNdcg10: exNdcg, scoredMedian: median(scored), fewerThanExhaustive: N / median(scored), p50Ms: median(ms), exhaustiveP50Ms: exP50 };
      log(`mu: ${name} ${stage} ${setting} ndocs ${ndocs}: recall@100 of top-10 ${row.recallAt100OfTop10.toFixed(3)}, nDCG@10 ${row.ndcg10.toFixed(4)} (exhaustive ${exNdcg.toFixed(4)}), scored ${row.scoredMedian} (${row.fewerThanExhaustive.toFixed(1)}× fewer), p50 ${row.p50Ms.toFixed(2)} ms vs ${exP50.toFixed(2)} ms`);
      results.push(row);
    };
    const ndocsList = SHARES.map((s) => Math.ceil(N * s));
    st.candidates(queries[0]!, 100); // lists built once
    for (const nprobe of [2, 4, 8]) for (const ndocs of ndocsList) measure('plaid', `nprobe ${nprobe}`, ndocs, (q) => st.candidates(q, 100, { nprobe, ndocs }));
    for (const spec of SETTINGS) {
      const [R, ksim, dproj, fin] = spec.split('/').map((x) => (x === '-' ? null : Number(x)));
      const t0 = performance.now();
      const mv = MuveraIndex.create(st, { repetitions: R!, simhashBits: ksim!, projection: dproj ?? null, finalDimensions: fin ?? null });
      mv.add(Array.from({ length: N }, (_, d) => d));
      log(`mu: ${name} muvera ${spec}: ${mv.encoder.outputDimensions}-d, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      for (const ndocs of ndocsList) {
        measure('muvera-hnsw', spec, ndocs, (q) => mv.candidates(q, 100, { ndocs }));
        measure('muvera-exact', spec, ndocs, (q) => mv.candidates(q, 100, { ndocs, exact: true }));
      }
    }
  }
  const file = writeResult('multivector-muvera', { ...meta, rows: results });
  log(`mu: wrote ${file}`);
}

await main();
