// Multi-vector first stage (MultiVectorStore.candidates, PLAID-style centroid interaction on a
// residual store) against the exhaustive MaxSim scan of the same store, same run.
//
// Data (synthetic, ColBERT-like, DIM-d): VOCAB unit "word" directions; a document draws 30 words
// (Zipf-like) and each of its ~TOKENS vectors is one of them plus noise, normalised; a query takes
// QTOKENS vectors, 70 % from one target document's words, 30 % from the vocabulary.
// Per setting (nprobe, ndocs): recall@100 of the exhaustive top-10 (share of the exhaustive
// MaxSim top-10 found in the first stage's 100), documents given the full MaxSim (`scored`) and
// reached by the probes (`probed`), latency p50 beside the exhaustive scan's (one core, CPU time).
//
// Then MUVERA (MuveraIndex, src/multivector/muvera-index.ts) over the same store and queries: per
// FDE setting (R repetitions, k_sim SimHash bits, d_proj inner projection, final count-sketch
// dimensions) the FDE build time (encoding + HNSW insertion, every core) and bytes, then per ndocs the same
// recall / scored / latency figures through the HNSW graph and through the exact FDE scan.
//
// Run: node --expose-gc --import tsx bench/multivector-first-stage.bench.ts
// Env: TRIDENT_BENCH_FS_DOCS (100000), TRIDENT_BENCH_FS_TOKENS (32), TRIDENT_BENCH_FS_DIM (128),
//      TRIDENT_BENCH_FS_QUERIES (30), TRIDENT_BENCH_FS_BITS (2),
//      TRIDENT_BENCH_FS_MUVERA (R/ksim/dproj/final settings, comma-separated, '-' = none;
//      default 10/4/-/1024,20/5/16/1024,10/4/8/-; '' skips MUVERA), TRIDENT_BENCH_FS_PARTS (plaid,muvera).
// Writes bench/results/multivector-first-stage.json.
import { MultiVectorStore, MuveraIndex, type MultiVector } from '../src/multivector/index.js';
import { rng } from './lib/synthetic.js';
import { envList, envNumber, runMeta, writeResult } from './lib/results.js';

const DOCS = envNumber('TRIDENT_BENCH_FS_DOCS', 100_000);
const TOKENS = envNumber('TRIDENT_BENCH_FS_TOKENS', 32);
const DIM = envNumber('TRIDENT_BENCH_FS_DIM', 128);
const QUERIES = envNumber('TRIDENT_BENCH_FS_QUERIES', 30);
const BITS = envNumber('TRIDENT_BENCH_FS_BITS', 2) as 1 | 2 | 4;
const MUVERA = envList('TRIDENT_BENCH_FS_MUVERA', ['10/4/-/1024', '20/5/16/1024', '10/4/8/-']).filter((x) => x !== '');
const PARTS = envList('TRIDENT_BENCH_FS_PARTS', ['plaid', 'muvera']);
const QTOKENS = 32;
const VOCAB = 20000;
const log = (s: string) => process.stderr.write(`${s}\n`);
const r = rng(77);
const gauss = (): number => {
  const u = r() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
};
const vocab = new Float32Array(VOCAB * DIM);
for (let w = 0; w < VOCAB; w++) {
  let s = 0;
  for (let k = 0; k < DIM; k++) {
    const v = gauss();
    vocab[w * DIM + k] = v;
    s += v ** 2;
  }
  for (let k = 0; k < DIM; k++) vocab[w * DIM + k]! /= Math.sqrt(s);
}
const zipf = (): number => Math.min(VOCAB - 1, Math.floor(VOCAB ** r()) - 1 + Math.floor(r() * 2));
const noise = 0.7 / Math.sqrt(DIM);
function token(w: number, out: Float32Array, off: number): void {
  let s = 0;
  for (let k = 0; k < DIM; k++) {
    const v = vocab[w * DIM + k]! + noise * gauss();
    out[off + k] = v;
    s += v ** 2;
  }
  for (let k = 0; k < DIM; k++) out[off + k]! /= Math.sqrt(s);
}
const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};
const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;

async function main(): Promise<void> {
  const meta = runMeta('multivector-first-stage');
  const store = MultiVectorStore.create({ dimensions: DIM, dtype: 'residual', bits: BITS });
  const targets: number[][] = [];
  const qTargets = new Set<number>();
  while (qTargets.size < QUERIES) qTargets.add(Math.floor(r() * DOCS));
  const t0 = performance.now();
  let vectors = 0;
  for (let d = 0; d < DOCS; d++) {
    const count = Math.round(TOKENS * (0.75 + 0.5 * r()));
    const words = Array.from({ length: 30 }, zipf);
    if (qTargets.has(d)) targets.push(words);
    const data = new Float32Array(count * DIM);
    for (let t = 0; t < count; t++) token(words[Math.floor(r() * words.length)]!, data, t * DIM);
    store.add(d, { data, dim: DIM, count });
    vectors += count;
    if (d % 20000 === 19999) log(`fs: ${d + 1} documents added (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  store.train();
  const buildS = (performance.now() - t0) / 1000;
  const st = store.stats();
  log(`fs: ${DOCS} docs, ${vectors} vectors ${DIM}-d residual ${BITS}-bit built in ${buildS.toFixed(0)} s; ${st.bytesPerDoc.toFixed(0)} B/doc; backend ${meta.backend.isa}`);
  const queries: MultiVector[] = targets.map((words) => {
    const data = new Float32Array(QTOKENS * DIM);
    for (let t = 0; t < QTOKENS; t++) token(r() < 0.7 ? words[Math.floor(r() * words.length)]! : zipf(), data, t * DIM);
    return { data, dim: DIM, count: QTOKENS };
  });
  const exact: Uint32Array[] = [];
  const exMs: number[] = [];
  for (const q of queries) exMs.push(cpuMs(() => exact.push(store.searchExhaustive(q, 10).ids)));
  log(`fs: exhaustive scan p50 ${median(exMs).toFixed(1)} ms (${DOCS} documents scored)`);
  store.candidates(queries[0]!, 100); // builds the inverted lists once
  const settings: Array<{ nprobe: number; ndocs: number }> = [];
  if (PARTS.includes('plaid')) {
    for (const nprobe of [2, 4, 8]) for (const ndocs of [1000, 2500, 5000]) settings.push({ nprobe, ndocs });
    // the operating point: 10× fewer documents scored than exhaustive
    for (const nprobe of [8, 16]) settings.push({ nprobe, ndocs: Math.round(DOCS / 10) });
  }
  const rows = settings.map((s) => {
    let hit = 0;
    const ms: number[] = [];
    const scored: number[] = [];
    const probed: number[] = [];
    queries.forEach((q, i) => {
      let res!: ReturnType<MultiVectorStore['candidates']>;
      ms.push(cpuMs(() => (res = store.candidates(q, 100, s))));
      const got = new Set(res.ids);
      for (const id of exact[i]!) if (got.has(id)) hit++;
      scored.push(res.scored);
      probed.push(res.probed);
    });
    const row = { ...s, recallAt100OfTop10: hit / (10 * queries.length), scoredMedian: median(scored), fewerThanExhaustive: DOCS / median(scored), probedMedian: median(probed), p50Ms: median(ms), exhaustiveP50Ms: median(exMs) };
    log(`fs: nprobe ${s.nprobe} ndocs ${s.ndocs}: recall@100 of top-10 ${row.recallAt100OfTop10.toFixed(3)}, scored ${row.scoredMedian} (${row.fewerThanExhaustive.toFixed(0)}× fewer), probed ${row.probedMedian}, p50 ${row.p50Ms.toFixed(1)} ms vs exhaustive ${row.exhaustiveP50Ms.toFixed(1)} ms`);
    return row;
  });
  const muvera = PARTS.includes('muvera') ? MUVERA.map((spec) => runMuvera(spec, store, queries, exact, median(exMs))) : [];
  const file = writeResult('multivector-first-stage', { ...meta, docs: DOCS, vectors, dim: DIM, bits: BITS, buildSeconds: buildS, bytesPerDoc: st.bytesPerDoc, rows, muvera });
  log(`fs: wrote ${file}`);
}

function runMuvera(spec: string, store: MultiVectorStore, queries: MultiVector[], exact: Uint32Array[], exhaustiveP50Ms: number) {
  const [R, ksim, dproj, fin] = spec.split('/').map((x) => (x === '-' ? null : Number(x)));
  const opts = { repetitions: R!, simhashBits: ksim!, projection: dproj ?? null, finalDimensions: fin ?? null };
  const t0 = performance.now();
  const mv = MuveraIndex.create(store, opts);
  mv.add(Array.from({ length: DOCS }, (_, d) => d));
  const buildS = (performance.now() - t0) / 1000;
  const bytes = mv.bytes();
  log(`muvera ${spec}: ${mv.encoder.outputDimensions}-d FDE, build (encode + HNSW insert) ${buildS.toFixed(0)} s, rows ${(bytes.rows / 2 ** 20).toFixed(0)} MiB f32, graph vectors ${(bytes.graph / 2 ** 20).toFixed(0)} MiB f16`);
  const rows = [];
  for (const ndocs of [1000, 2500, 5000, 10000]) {
    for (const path of ['hnsw', 'exact'] as const) {
      let hit = 0;
      const ms: number[] = [];
      const scored: number[] = [];
      queries.forEach((q, i) => {
        let res!: ReturnType<MuveraIndex['candidates']>;
        ms.push(cpuMs(() => (res = mv.candidates(q, 100, { ndocs, exact: path === 'exact' }))));
        const got = new Set(res.ids);
        for (const id of exact[i]!) if (got.has(id)) hit++;
        scored.push(res.scored);
      });
      const row = { path, ndocs, recallAt100OfTop10: hit / (10 * queries.length), scoredMedian: median(scored), fewerThanExhaustive: DOCS / median(scored), p50Ms: median(ms), exhaustiveP50Ms };
      log(`muvera ${spec} ${path} ndocs ${ndocs}: recall@100 of top-10 ${row.recallAt100OfTop10.toFixed(3)}, scored ${row.scoredMedian} (${row.fewerThanExhaustive.toFixed(0)}× fewer), p50 ${row.p50Ms.toFixed(1)} ms vs exhaustive ${exhaustiveP50Ms.toFixed(1)} ms`);
      rows.push(row);
    }
  }
  return { spec, ...opts, fdeDimensions: mv.encoder.outputDimensions, buildSeconds: buildS, rowBytes: bytes.rows, graphVectorBytes: bytes.graph, rows };
}

await main();
