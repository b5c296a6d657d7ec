// Multi-vector stage benchmark: M3/ColBERT MaxSim re-ranking of CANDIDATES documents per query,
// end to end from TS (MultiVectorStore.score: validation, starts/counts, one kernel call), one
// core, per dtype (f32 / f16 / i8), against baselines measured in the same run: the pure-TS
// kernels (setIsa('js')), the serial native ISA, and for f32 / f16 the same documents in a
// store without the int8 screening sidecar (screening: 'none'; scores checked bit-identical). Also memory per document, the exhaustive
// scan (oracle) over the whole collection, and token pooling (factor 2 and 3): storage saving
// and quality (Spearman ρ and top-10 overlap of pooled vs unpooled scores over each query's
// candidates, same f32 precision so only pooling differs).
//
// Data (synthetic, ColBERT-like): a vocabulary of VOCAB random unit "word" directions; a document
// draws ~60 words (Zipf-like), and each of its TOKENS (±25%) vectors is one of them plus
// contextual noise (|noise| ≈ 0.7), normalised. A query takes QTOKENS vectors, 70% from one
// target document's words and 30% from the vocabulary; its candidates are the target plus
// random other documents.
//
// Run: node --expose-gc --import tsx bench/multivector.bench.ts
// Env: TRIDENT_BENCH_MV_DOCS (400), TRIDENT_BENCH_MV_TOKENS (200), TRIDENT_BENCH_MV_QTOKENS (32),
//      TRIDENT_BENCH_MV_DIM (1024), TRIDENT_BENCH_MV_CANDIDATES (200), TRIDENT_BENCH_MV_QUERIES (20),
//      TRIDENT_BENCH_MV_POOL_DOCS (documents pooled for the quality check, default CANDIDATES),
//      TRIDENT_BENCH_TIME_MS (tinybench time per task, default 1000),
//      TRIDENT_BENCH_MV_CLOCK=cpu|wall (default cpu: process CPU time, robust on a shared machine).
// The slow baselines score fewer candidates per call (js 10, serial 40) and are scaled to
// CANDIDATES (cost is linear in the number of candidates).
// Writes bench/results/multivector.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MultiVectorStore, type MultiVector, type MvDtype } from '../src/multivector/index.js';
import { backend, setIsa } from '../src/kernels/index.js';
import { benchLatency, type Lat } from './lib/latency.js';
import { rng } from './lib/synthetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const DOCS = env('TRIDENT_BENCH_MV_DOCS', 400);
const TOKENS = env('TRIDENT_BENCH_MV_TOKENS', 200);
const QTOKENS = env('TRIDENT_BENCH_MV_QTOKENS', 32);
const DIM = env('TRIDENT_BENCH_MV_DIM', 1024);
const CANDIDATES = Math.min(env('TRIDENT_BENCH_MV_CANDIDATES', 200), DOCS);
const QUERIES = env('TRIDENT_BENCH_MV_QUERIES', 20);
const POOL_DOCS = Math.min(env('TRIDENT_BENCH_MV_POOL_DOCS', CANDIDATES), DOCS);
const TIME = env('TRIDENT_BENCH_TIME_MS', 1000);
const VOCAB = 4000;
const gc = (globalThis as { gc?: () => void }).gc;
// 'cpu' (default): process user+system CPU time, so a busy shared machine does not inflate
// single-threaded timings; 'wall': performance.now().
const CLOCK = process.env.TRIDENT_BENCH_MV_CLOCK === 'wall' ? 'wall' : 'cpu';
const r = rng(2024);
let spare: number | null = null;
function gauss(): number {
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
}

const vocab = new Float32Array(VOCAB * DIM);
for (let w = 0; w < VOCAB; w++) {
  let s = 0;
  for (let k = 0; k < DIM; k++) {
    const v = gauss();
    vocab[w * DIM + k] = v;
    s += v ** 2;
  }
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < DIM; k++) vocab[w * DIM + k]! *= inv;
}
const zipfWord = (): number => Math.min(VOCAB - 1, Math.floor(VOCAB ** r()) - 1 + Math.floor(r() * 2));
const NOISE = 0.7 / Math.sqrt(DIM);

function tokenFrom(word: number, out: Float32Array, off: number): void {
  let s = 0;
  for (let k = 0; k < DIM; k++) {
    const v = vocab[word * DIM + k]! + NOISE * gauss();
    out[off + k] = v;
    s += v ** 2;
  }
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < DIM; k++) out[off + k]! *= inv;
}

interface Doc {
  mv: MultiVector;
  words: number[];
}
function makeDoc(): Doc {
  const count = Math.round(TOKENS * (0.75 + 0.5 * r()));
  const words = Array.from({ length: 60 }, zipfWord);
  const data = new Float32Array(count * DIM);
  const tokenIds = new Uint32Array(count);
  for (let t = 0; t < count; t++) {
    const w = words[Math.floor(r() * words.length)]!;
    tokenFrom(w, data, t * DIM);
    tokenIds[t] = w + 4;
  }
  return { mv: { data, dim: DIM, count, tokenIds }, words };
}

function makeQuery(target: Doc): MultiVector {
  const data = new Float32Array(QTOKENS * DIM);
  for (let t = 0; t < QTOKENS; t++) tokenFrom(r() < 0.7 ? target.words[Math.floor(r() * target.words.length)]! : zipfWord(), data, t * DIM);
  return { data, dim: DIM, count: QTOKENS };
}

async function latency(tasks: Record<string, () => void>, iterations = 20, time = TIME): Promise<Record<string, Lat>> {
  return benchLatency(tasks, { time, iterations, warmupIterations: Math.min(iterations, 5), clock: CLOCK });
}

function spearman(a: Float32Array, b: Float32Array): number {
  const rank = (x: Float32Array): Float64Array => {
    const order = Array.from(x.keys()).sort((i, j) => x[i]! - x[j]!);
    const out = new Float64Array(x.length);
    order.forEach((i, pos) => {
      out[i] = pos;
    });
    return out;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (ra[i]! - rb[i]!) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

function topOverlap(a: Float32Array, b: Float32Array, k: number): number {
  const top = (x: Float32Array) =>
    new Set(
      Array.from(x.keys())
        .sort((i, j) => x[j]! - x[i]! || i - j)
        .slice(0, k),
    );
  const ta = top(a);
  let hit = 0;
  for (const i of top(b)) if (ta.has(i)) hit++;
  return hit / k;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const docs = Array.from({ length: DOCS }, makeDoc);
  const queries: MultiVector[] = [];
  const cands: Uint32Array[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const target = Math.floor(r() * DOCS);
    queries.push(makeQuery(docs[target]!));
    const set = new Set<number>([target]);
    while (set.size < CANDIDATES) set.add(Math.floor(r() * DOCS));
    cands.push(Uint32Array.from(set));
  }
  const totalVectors = docs.reduce((a, d) => a + d.mv.count, 0);
  console.log(`multivector bench: docs=${DOCS} (~${TOKENS} tokens, ${totalVectors} vectors) query=${QTOKENS}×${DIM} candidates=${CANDIDATES} backend=${JSON.stringify(backend())} (data ${(performance.now() - t0).toFixed(0)} ms)`);
  let qi = 0;
  const nextQ = () => qi++ % QUERIES;

  const rerank: Record<string, unknown> = {};
  let f32Scores: Float32Array[] = [];
  for (const dtype of ['f32', 'f16', 'i8'] as MvDtype[]) {
    gc?.();
    const store = MultiVectorStore.create({ dim: DIM, dtype });
    const tb = performance.now();
    docs.forEach((d, id) => {
      store.add(id, d.mv);
    });
    const buildMs = performance.now() - tb;
    const scores = queries.map((q, i) => store.score(q, cands[i]!));
    if (dtype === 'f32') f32Scores = scores;
    // Same documents without the screening sidecar (f32 / f16): the canonical kernels, which
    // quantise every candidate's rows on each call; measured in the same run for the ratio.
    const plainStore = dtype !== 'i8' && store.screening === 'int8' ? MultiVectorStore.create({ dim: DIM, dtype, screening: 'none' }) : null;
    if (plainStore)
      docs.forEach((d, id) => {
        plainStore.add(id, d.mv);
      });
    const identical = plainStore ? queries.every((q, i) => plainStore.score(q, cands[i]!).every((x, j) => x === scores[i]![j])) : null;
    const tasks: Record<string, () => void> = {
      [`rerank_${dtype}`]: () => {
        const i = nextQ();
        store.score(queries[i]!, cands[i]!);
      },
      [`exhaustive_${dtype}`]: () => void store.searchExhaustive(queries[nextQ()]!, 10),
    };
    if (plainStore) {
      tasks[`rerank_${dtype}_noscreen`] = () => {
        const i = nextQ();
        plainStore.score(queries[i]!, cands[i]!);
      };
    }
    const lat = await latency(tasks);
    // Baselines in the same run: the serial native ISA and the pure-TS kernels, on fewer
    // candidates per call (scaled linearly to CANDIDATES below).
    const base: Record<string, Lat> = {};
    const scaled: Record<string, number> = {};
    const sub = (n: number) => () => {
      const i = nextQ();
      store.score(queries[i]!, cands[i]!.subarray(0, n));
    };
    if (backend().available.includes('serial')) {
      const n = Math.min(40, CANDIDATES);
      setIsa('serial');
      Object.assign(base, await latency({ [`rerank_${dtype}_serial_${n}`]: sub(n) }, 5));
      scaled.serial = (base[`rerank_${dtype}_serial_${n}`]!.p50 * CANDIDATES) / n;
    }
    {
      const n = Math.min(10, CANDIDATES);
      setIsa('js');
      Object.assign(base, await latency({ [`rerank_${dtype}_js_${n}`]: sub(n) }, 3, 100));
      scaled.js = (base[`rerank_${dtype}_js_${n}`]!.p50 * CANDIDATES) / n;
    }
    setIsa('auto');
    const st = store.stats();
    const p50 = lat[`rerank_${dtype}`]!.p50;
    const agree =
      dtype === 'f32'
        ? null
        : {
            spearmanVsF32: scores.reduce((a, s, i) => a + spearman(s, f32Scores[i]!), 0) / QUERIES,
            top10OverlapVsF32: scores.reduce((a, s, i) => a + topOverlap(s, f32Scores[i]!, 10), 0) / QUERIES,
            maxAbsDiffVsF32: Math.max(...scores.map((s, i) => Math.max(...Array.from(s, (x, j) => Math.abs(x - f32Scores[i]![j]!))))),
          };
    const noscreen = lat[`rerank_${dtype}_noscreen`];
    rerank[dtype] = {
      msPerQuery: lat[`rerank_${dtype}`],
      screening: store.screening,
      screeningBytesPerDoc: st.screeningBytes / Math.max(st.docs, 1),
      noScreeningMsPerQuery: noscreen ?? null,
      speedupVsNoScreening: noscreen ? noscreen.p50 / p50 : null,
      scoresIdenticalToNoScreening: identical,
      exhaustiveMsPerQuery: lat[`exhaustive_${dtype}`],
      baselines: base,
      baselineMsScaledToCandidates: scaled,
      speedupVsJs: scaled.js !== undefined ? scaled.js / p50 : null,
      speedupVsSerial: scaled.serial !== undefined ? scaled.serial / p50 : null,
      addMsPerDoc: buildMs / DOCS,
      bytesPerDoc: st.bytesPerDoc,
      bytesPerVector: st.bytes / st.vectors,
      agreement: agree,
      target: dtype === 'f32' ? '≤ 10 ms' : dtype === 'i8' ? '≤ 5 ms' : null,
    };
    console.log(
      `  ${dtype}: rerank ${CANDIDATES} p50 ${p50.toFixed(2)} ms` +
        (noscreen ? ` (screening ${store.screening}; without sidecar ${noscreen.p50.toFixed(2)} ms, ×${(noscreen.p50 / p50).toFixed(2)}, identical scores: ${identical})` : '') +
        ` (serial ≈${scaled.serial?.toFixed(1) ?? '-'} ms, js ≈${scaled.js?.toFixed(0)} ms), ` +
        `exhaustive(${DOCS}) ${lat[`exhaustive_${dtype}`]!.p50.toFixed(2)} ms, ${(st.bytesPerDoc / 1024).toFixed(1)} KiB/doc` +
        (agree ? `, vs f32: ρ ${agree.spearmanVsF32.toFixed(4)} top10 ${agree.top10OverlapVsF32.toFixed(3)}` : ''),
    );
  }

  // Token pooling: f32 storage, so only pooling differs from the unpooled f32 scores.
  const pooling: Record<string, unknown> = {};
  const plain = MultiVectorStore.create({ dim: DIM, dtype: 'f32' });
  for (let id = 0; id < POOL_DOCS; id++) plain.add(id, docs[id]!.mv);
  const poolCands = Array.from({ length: QUERIES }, (_, i) => Uint32Array.from(Array.from(cands[i]!).filter((id) => id < POOL_DOCS)));
  const plainScores = queries.map((q, i) => plain.score(q, poolCands[i]!));
  for (const factor of [2, 3] as const) {
    gc?.();
    const pooled = MultiVectorStore.create({ dim: DIM, dtype: 'f32', poolFactor: factor });
    const tb = performance.now();
    for (let id = 0; id < POOL_DOCS; id++) pooled.add(id, docs[id]!.mv);
    const poolMsPerDoc = (performance.now() - tb) / POOL_DOCS;
    const ps = queries.map((q, i) => pooled.score(q, poolCands[i]!));
    const usable = ps.map((_, i) => i).filter((i) => poolCands[i]!.length >= 10);
    const rho = usable.reduce((a, i) => a + spearman(ps[i]!, plainScores[i]!), 0) / usable.length;
    const top10 = usable.reduce((a, i) => a + topOverlap(ps[i]!, plainScores[i]!, 10), 0) / usable.length;
    const meanAbs = usable.reduce((a, i) => a + ps[i]!.reduce((s, x, j) => s + Math.abs(x - plainScores[i]![j]!), 0) / ps[i]!.length, 0) / usable.length;
    const saving = 1 - pooled.stats().vectors / plain.stats().vectors;
    pooling[`factor${factor}`] = { storageSaving: saving, vectorsKept: pooled.stats().vectors, vectorsBefore: plain.stats().vectors, spearman: rho, top10Overlap: top10, meanAbsScoreDiff: meanAbs, poolMsPerDoc };
    console.log(`  pool ×${factor}: saves ${(saving * 100).toFixed(1)}% of vectors, ρ ${rho.toFixed(4)}, top-10 overlap ${top10.toFixed(3)}, mean |Δscore| ${meanAbs.toFixed(4)}, pooling ${poolMsPerDoc.toFixed(1)} ms/doc`);
  }

  const out = {
    bench: 'multivector',
    date: new Date().toISOString(),
    node: process.version,
    loadavg: loadavg(),
    clock: CLOCK,
    backend: backend(),
    config: { DOCS, TOKENS, QTOKENS, DIM, CANDIDATES, QUERIES, POOL_DOCS, VOCAB, timeMs: TIME, oneCore: true },
    rerank,
    pooling,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', 'multivector.json');
  writeFileSync(file, JSON.stringify(out, null, 2));
  console.log(`wrote ${file}`);
}

await main();
