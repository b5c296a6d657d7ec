// Compressed multi-vector dtypes: size, quality and re-rank speed per dtype, same run.
//
// 1. Real, 128-d: dev scifact and nfcorpus with the built-in model (builtin:static-en). Every
//    document is encoded once and added to one store per dtype (f16, i8, binary, residual 1/2/4
//    bits; the residual codebook is trained on the first TRAIN vectors), at every token pool factor
//    (POOLS); the multivector mode (exhaustive MaxSim over the store) is scored with nDCG@10
//    (src/eval) beside f16 at pool factor 1.
// 2. Synthetic, 1024-d ColBERT-like token vectors (vocabulary of unit "word" directions + noise,
//    as bench/multivector.bench.ts): top-10 overlap of each dtype's exhaustive MaxSim with the
//    exact f32 one, bytes per token / per document.
// 3. Re-rank speed: CANDIDATES documents of ~TOKENS tokens (1024-d), QTOKENS query vectors,
//    MultiVectorStore.score per dtype, one core, i8 (today's fastest) as the same-run baseline.
// 4. Compression throughput: residual encoding (int8 centroid assignment + residual codes) in
//    token vectors per second on one core, at 128-d and 1024-d.
// Bytes: `payload` = vector codes (+ centroid id, + i8 scale) per token; `stored` adds the token
// id and span (12 B) every dtype keeps.
//
// Run: node --expose-gc --import tsx bench/multivector-compress.bench.ts
// Env: TRIDENT_DATA_DIR, TRIDENT_BENCH_MVC_DATASETS (dev/scifact,dev/nfcorpus; '' skips part 1),
//      TRIDENT_BENCH_MVC_DOCS (1000 synthetic documents), TRIDENT_BENCH_MVC_TOKENS (200 for speed,
//      64 for quality), TRIDENT_BENCH_MVC_QUERIES (20), TRIDENT_BENCH_TIME_MS (1000),
//      TRIDENT_BENCH_MVC_PARTS (rerank,synthetic,compress,real), TRIDENT_BENCH_MVC_POOLS (1,2,3:
//      token pool factors of part 1).
// Writes bench/results/multivector-compress.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateRun, loadBeir, loadEncoder } from '../src/index.js';
import { MultiVectorStore, type MultiVector, type MvDtype } from '../src/multivector/index.js';
import { trainResidual, encodeResidual } from '../src/multivector/codec.js';
import { codesBytes } from '../src/kernels/codes.js';
import { benchLatency } from './lib/latency.js';
import { plotLatencyQuality } from '../src/plot/index.js';
import { rng } from './lib/synthetic.js';
import { BENCH_DIR, DATA_DIR, RESULTS_DIR, envList, envNumber, runMeta, writeResult } from './lib/results.js';

const DATASETS = envList('TRIDENT_BENCH_MVC_DATASETS', ['dev/scifact', 'dev/nfcorpus']).filter((s) => s !== '');
const DOCS = envNumber('TRIDENT_BENCH_MVC_DOCS', 1000);
const QUERIES = envNumber('TRIDENT_BENCH_MVC_QUERIES', 20);
const TIME = envNumber('TRIDENT_BENCH_TIME_MS', 1000);
const PARTS = envList('TRIDENT_BENCH_MVC_PARTS', ['rerank', 'synthetic', 'compress', 'real']);
const POOLS = envList('TRIDENT_BENCH_MVC_POOLS', ['1', '2', '3']).map(Number) as Array<1 | 2 | 3>;
const CANDIDATES = 200;
const QTOKENS = 32;
const TRAIN = 131072;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Kind {
  name: string;
  dtype: MvDtype;
  bits?: 1 | 2 | 4;
}
const KINDS: Kind[] = [
  { name: 'f16', dtype: 'f16' },
  { name: 'i8', dtype: 'i8' },
  { name: 'binary', dtype: 'binary' },
  { name: 'residual-1', dtype: 'residual', bits: 1 },
  { name: 'residual-2', dtype: 'residual', bits: 2 },
  { name: 'residual-4', dtype: 'residual', bits: 4 },
];
const make = (k: Kind, dim: number, poolFactor: 1 | 2 | 3 = 1) => MultiVectorStore.create({ dimensions: dim, dtype: k.dtype, poolFactor, ...(k.bits ? { bits: k.bits } : {}), ...(k.dtype === 'residual' ? { trainVectors: TRAIN } : {}), screening: 'none' });
const CONFIGS = POOLS.flatMap((pool) => KINDS.map((kind) => ({ kind, pool })));
function payloadPerToken(k: Kind, dim: number): number {
  if (k.dtype === 'f16') return 2 * dim;
  if (k.dtype === 'i8') return dim + 4;
  if (k.dtype === 'f32') return 4 * dim;
  return codesBytes(dim, k.bits ?? 1) + (k.dtype === 'residual' ? 6 : 0);
}

// ---- synthetic ColBERT-like vectors --------------------------------------------------------
function synth(dim: number, seed: number) {
  const r = rng(seed);
  let spare: number | null = null;
  const gauss = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = r() || 1e-12;
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
  const VOCAB = 4000;
  const vocab = new Float32Array(VOCAB * dim);
  for (let w = 0; w < VOCAB; w++) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = gauss();
      vocab[w * dim + k] = v;
      s += v ** 2;
    }
    for (let k = 0; k < dim; k++) vocab[w * dim + k]! /= Math.sqrt(s);
  }
  const zipf = (): number => Math.min(VOCAB - 1, Math.floor(VOCAB ** r()) - 1 + Math.floor(r() * 2));
  const noise = 0.7 / Math.sqrt(dim);
  const token = (w: number, out: Float32Array, off: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = vocab[w * dim + k]! + noise * gauss();
      out[off + k] = v;
      s += v ** 2;
    }
    for (let k = 0; k < dim; k++) out[off + k]! /= Math.sqrt(s);
  };
  const doc = (tokens: number): { mv: MultiVector; words: number[] } => {
    const count = Math.round(tokens * (0.75 + 0.5 * r()));
    const words = Array.from({ length: 60 }, zipf);
    const data = new Float32Array(count * dim);
    for (let t = 0; t < count; t++) token(words[Math.floor(r() * words.length)]!, data, t * dim);
    return { mv: { data, dim, count }, words };
  };
  const query = (target: { words: number[] }): MultiVector => {
    const data = new Float32Array(QTOKENS * dim);
    for (let t = 0; t < QTOKENS; t++) token(r() < 0.7 ? target.words[Math.floor(r() * target.words.length)]! : zipf(), data, t * dim);
    return { data, dim, count: QTOKENS };
  };
  return { doc, query, r };
}

const overlap = (a: Uint32Array, b: Uint32Array): number => {
  const s = new Set(a);
  let n = 0;
  for (const x of b) if (s.has(x)) n++;
  return n / Math.max(1, a.length);
};

// ---- 1. real 128-d --------------------------------------------------------------------------
async function realPart(): Promise<object[]> {
  const out: object[] = [];
  if (DATASETS.length === 0) return out;
  const modelDir = join(BENCH_DIR, '..', 'src', 'models', 'static-en');
  const encoder = await loadEncoder(existsSync(modelDir) ? modelDir : 'builtin:static-en');
  for (const name of DATASETS) {
    const dir = join(DATA_DIR, name);
    if (!existsSync(join(dir, 'corpus.jsonl'))) {
      log(`mvc: ${name} missing, skipped`);
      continue;
    }
    const ds = await loadBeir(dir);
    const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
    let dim = 0;
    let stores: MultiVectorStore[] = [];
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 64) {
      const enc = await encoder.encode(
        docs.slice(i, i + 64).map((d) => d.text),
        { role: 'document' },
      );
      enc.forEach((e, j) => {
        const mv = e.multivector!;
        if (stores.length === 0) {
          dim = mv.dim;
          stores = CONFIGS.map((c) => make(c.kind, dim, c.pool));
        }
        for (const s of stores) s.add(i + j, { data: mv.data, dim: mv.dim, count: mv.count });
      });
    }
    for (const s of stores) s.train();
    log(`mvc: ${name} ${docs.length} docs encoded and stored in ${((performance.now() - t0) / 1000).toFixed(1)} s (dim ${dim})`);
    const judged = [...ds.qrels.keys()].filter((q) => ds.queries.has(q));
    const qenc = await encoder.encode(
      judged.map((q) => ds.queries.get(q)!),
      { role: 'query' },
    );
    const rows = CONFIGS.map(({ kind: k, pool }, s) => {
      const run = new Map<string, Array<{ id: string; score: number }>>();
      judged.forEach((q, i) => {
        const mv = qenc[i]!.multivector!;
        const hits = stores[s]!.searchExhaustive({ data: mv.data, dim: mv.dim, count: mv.count }, 10);
        run.set(
          q,
          Array.from(hits.ids, (id, j) => ({ id: docs[id]!.id, score: hits.scores[j]! })),
        );
      });
      const ev = evaluateRun(run, ds.qrels, { k: [10], metrics: ['ndcg'] });
      const st = stores[s]!.stats();
      return { dataset: name, dim, dtype: k.name, poolFactor: pool, ndcg10: ev.metrics['ndcg@10']!, payloadBytesPerToken: payloadPerToken(k, dim), storedBytesPerToken: st.bytes / st.vectors, bytesPerDoc: st.bytesPerDoc };
    });
    const f16 = rows.find((r) => r.dtype === 'f16' && r.poolFactor === 1)?.ndcg10 ?? rows[0]!.ndcg10;
    for (const row of rows) {
      out.push({ ...row, ndcgLossVsF16: f16 - row.ndcg10 });
      log(`mvc: ${name} ${row.dtype.padEnd(10)} pool ${row.poolFactor} nDCG@10 ${row.ndcg10.toFixed(4)} (Δ vs f16 ${(row.ndcg10 - f16).toFixed(4)})  ${row.payloadBytesPerToken} B/token payload, ${row.bytesPerDoc.toFixed(0)} B/doc stored`);
    }
  }
  return out;
}

// ---- 2. synthetic 1024-d quality -------------------------------------------------------------
function syntheticQuality(dim: number): object[] {
  const g = synth(dim, 7);
  const docs = Array.from({ length: DOCS }, () => g.doc(64));
  const queries = Array.from({ length: QUERIES }, () => g.query(docs[Math.floor(g.r() * DOCS)]!));
  const exact = MultiVectorStore.create({ dimensions: dim, dtype: 'f32', screening: 'none' });
  docs.forEach((d, i) => {
    exact.add(i, d.mv);
  });
  const want = queries.map((q) => exact.searchExhaustive(q, 10).ids);
  return KINDS.map((k) => {
    const s = make(k, dim);
    const t = performance.now();
    docs.forEach((d, i) => {
      s.add(i, d.mv);
    });
    s.train();
    const buildS = (performance.now() - t) / 1000;
    const ov = queries.reduce((a, q, i) => a + overlap(want[i]!, s.searchExhaustive(q, 10).ids), 0) / queries.length;
    const st = s.stats();
    log(`mvc: ${dim}-d synthetic ${k.name.padEnd(10)} top-10 overlap ${ov.toFixed(3)}  ${payloadPerToken(k, dim)} B/token payload (f16 ${2 * dim})  build ${buildS.toFixed(1)} s`);
    return { dim, dtype: k.name, top10Overlap: ov, payloadBytesPerToken: payloadPerToken(k, dim), payloadVsF16: payloadPerToken(k, dim) / (2 * dim), storedBytesPerToken: st.bytes / st.vectors, bytesPerDoc: st.bytesPerDoc, buildSeconds: buildS };
  });
}

// ---- 3. re-rank speed ------------------------------------------------------------------------
async function rerankSpeed(dim: number): Promise<object> {
  const g = synth(dim, 11);
  const docs = Array.from({ length: CANDIDATES }, () => g.doc(200));
  const queries = Array.from({ length: 8 }, () => g.query(docs[Math.floor(g.r() * CANDIDATES)]!));
  const ids = Uint32Array.from({ length: CANDIDATES }, (_, i) => i);
  const tasks: Record<string, () => void> = {};
  for (const k of KINDS) {
    const s = make(k, dim);
    docs.forEach((d, i) => {
      s.add(i, d.mv);
    });
    s.train();
    s.score(queries[0]!, ids);
    let qi = 0;
    tasks[k.name] = () => void s.score(queries[qi++ % queries.length]!, ids);
  }
  const lat = await benchLatency(tasks, { time: TIME, iterations: 10, warmupIterations: 2, clock: 'cpu' });
  const base = lat.i8!.p50;
  const rows = Object.fromEntries(Object.entries(lat).map(([n, l]) => [n, { p50Ms: l.p50, ratioVsI8: l.p50 / base }]));
  for (const [n, v] of Object.entries(rows)) log(`mvc: re-rank ${CANDIDATES}×~200 tokens ${dim}-d, ${QTOKENS} query: ${n.padEnd(10)} p50 ${v.p50Ms.toFixed(2)} ms  (× i8 ${v.ratioVsI8.toFixed(2)})`);
  return { dim, candidates: CANDIDATES, docTokens: 200, queryTokens: QTOKENS, results: rows };
}

// ---- 4. compression throughput ---------------------------------------------------------------
function throughput(dim: number, n: number): object {
  const g = synth(dim, 13);
  const rows = new Float32Array(n * dim);
  let v = 0;
  while (v < n) {
    const d = g.doc(64).mv;
    const c = Math.min(d.count, n - v);
    rows.set(d.data.subarray(0, c * dim), v * dim);
    v += c;
  }
  const t0 = performance.now();
  const cb = trainResidual(rows, n, dim, { bits: 2 });
  const trainS = (performance.now() - t0) / 1000;
  const out = new Uint8Array(n * codesBytes(dim, 2));
  const cids = new Uint16Array(n);
  const t1 = process.cpuUsage();
  encodeResidual(cb, rows, n, out, 0, cids, 0);
  const u = process.cpuUsage(t1);
  const cpuS = (u.user + u.system) / 1e6;
  const perS = n / cpuS;
  log(`mvc: residual-2 encode ${dim}-d, ${cb.k} centroids: ${perS.toFixed(0)} token vectors/s/core (training on ${n}: ${trainS.toFixed(1)} s)`);
  return { dim, centroids: cb.k, vectors: n, tokenVectorsPerSecondPerCore: perS, trainSeconds: trainS };
}

/** bench/charts/multivector-bytes-ndcg.svg: bytes per document (x) vs nDCG@10 (y), one point per dtype, pool factor and data set. */
async function chart(file: string): Promise<void> {
  const j = JSON.parse(readFileSync(file, 'utf8')) as { real: Array<{ dataset: string; dtype: string; poolFactor?: number; ndcg10: number; bytesPerDoc: number }> | null };
  if (!j.real || j.real.length === 0) return;
  try {
    const svg = await plotLatencyQuality(
      j.real.map((r) => ({ name: (r.poolFactor ?? 1) > 1 ? `${r.dtype} /${r.poolFactor}` : r.dtype, latencyMs: r.bytesPerDoc, quality: r.ndcg10, group: r.dataset.replace('dev/', '') })),
      { title: 'Multi-vector dtypes and token pool factors (/2, /3), built-in model (128-d): bytes per document vs nDCG@10', latencyLabel: 'stored bytes per document (token ids and spans included)', qualityLabel: 'nDCG@10 (multivector mode)', logLatency: true },
    );
    const out = join(BENCH_DIR, 'charts', 'multivector-bytes-ndcg.svg');
    writeFileSync(out, svg);
    log(`mvc: wrote ${out}`);
  } catch (e) {
    log(`mvc: no chart (${(e as Error).message.split('\n')[0]})`);
  }
}

async function main(): Promise<void> {
  const meta = runMeta('multivector-compress');
  if (PARTS.includes('chart-only')) return chart(join(RESULTS_DIR, 'multivector-compress.json'));
  log(`mvc: backend ${meta.backend.kind}/${meta.backend.isa}`);
  const speed = PARTS.includes('rerank') ? await rerankSpeed(1024) : null;
  const synthetic = PARTS.includes('synthetic') ? syntheticQuality(1024) : null;
  const compress = PARTS.includes('compress') ? [throughput(128, 65536), throughput(1024, 32768)] : null;
  const real = PARTS.includes('real') ? await realPart() : null;
  const file = writeResult('multivector-compress', { ...meta, synthetic, rerank: speed, compress, real });
  log(`mvc: wrote ${file}`);
  await chart(file);
}

await main();
