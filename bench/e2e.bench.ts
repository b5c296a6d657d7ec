// End-to-end benchmark: index a real collection (dev/scifact) with the built-in model and
// HybridIndex, then measure per mode (dense, sparse, multivector, dense+sparse, all, bm25):
//   - search latency p50/p99 with pre-encoded queries (retrieval only), one core, sequential,
//     and nDCG@10 / recall@10 of the same run (src/eval `evaluate`), beside each latency;
//   - the exhaustive path (`exhaustive: true`, every document scored) as the same-run
//     baseline: latency ratio and its nDCG@10 on the same queries;
//   - query encoding latency on its own, and 'all' with encoding included;
//   - throughput (QPS) with 1 and 2 worker processes, each opening the saved index
//     (HybridIndex.open) — one core vs two;
//   - memory: RSS before/after building, bytes per document per store (in memory from
//     index.stats(), on disk from the saved index's folder per store);
//   - build throughput (documents/s, tokens/s; encoding included).
//
// Run: nice node --expose-gc --import tsx bench/e2e.bench.ts
// Env: TRIDENT_DATA_DIR (default /work/shared/data), TRIDENT_BENCH_E2E_DATASET (dev/scifact),
//      TRIDENT_BENCH_E2E_MODEL (builtin:static-en), TRIDENT_BENCH_E2E_MODES (all six),
//      TRIDENT_BENCH_E2E_EXHAUSTIVE_QUERIES (100), TRIDENT_BENCH_E2E_QPS_MS (3000 per mode and
//      worker count), TRIDENT_BENCH_E2E_WORKERS (1,2), TRIDENT_BENCH_E2E_LIMIT (all judged queries).
// Writes bench/results/e2e.json (per-query nDCG@10 of every mode included, for the charts).
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridIndex, evaluate, loadBeir, loadEncoder, type EvalResult, type SearchMode, type SearchOptions } from '../src/index.js';
import type { EncodedLike, HybridEncoder } from '../src/hybrid/types.js';
import { availableBytes, dirBytes, rssBytes } from './lib/memory.js';
import { BENCH_DIR, DATA_DIR, envList, envNumber, runMeta, writeResult } from './lib/results.js';
import { qps, speedup, summarize, type Summary } from './lib/stats.js';
import type { SummaryBlock } from './lib/summary.js';

const DATASET = process.env.TRIDENT_BENCH_E2E_DATASET ?? 'dev/scifact';
const MODEL = process.env.TRIDENT_BENCH_E2E_MODEL ?? 'builtin:static-en';
const MODES = envList('TRIDENT_BENCH_E2E_MODES', ['dense', 'sparse', 'multivector', 'dense+sparse', 'all', 'bm25']) as SearchMode[];
const EXH_QUERIES = envNumber('TRIDENT_BENCH_E2E_EXHAUSTIVE_QUERIES', 100);
const QPS_MS = envNumber('TRIDENT_BENCH_E2E_QPS_MS', 3000);
const WORKERS = envList('TRIDENT_BENCH_E2E_WORKERS', ['1', '2']).map(Number);
const LIMIT = envNumber('TRIDENT_BENCH_E2E_LIMIT', 0);
const WARMUP = 20;
const gc = (globalThis as { gc?: () => void }).gc;

function settledRss(): number {
  gc?.();
  gc?.();
  return rssBytes();
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

interface ModeResult {
  mode: SearchMode;
  latencyMs: Summary;
  qpsSequential: number;
  ndcg10: number;
  recall10: number;
  exhaustive: { queries: number; latencyMs: Summary; ndcg10: number; ndcg10Fast: number; speedup: number; top10Agreement: number } | null;
  perQueryNdcg10: Record<string, number>;
}

async function main(): Promise<void> {
  const dsDir = join(DATA_DIR, DATASET);
  if (!existsSync(join(dsDir, 'corpus.jsonl'))) {
    const reason = `no data set at ${dsDir} (set TRIDENT_DATA_DIR to the folder holding ${DATASET})`;
    log(`e2e: skipped — ${reason}`);
    writeResult('e2e', { ...runMeta('e2e'), skipped: reason });
    return;
  }
  const meta = runMeta('e2e');
  const rss0 = settledRss();
  const ds = await loadBeir(dsDir);
  const work = mkdtempSync(join(tmpdir(), 'trident-e2e-'));
  try {
    // A built-in model is copied first: the index, its workers and the figures must all use the
    // same weights even if src/models/ is rewritten while the bench runs.
    const modelSource = snapshotModel(MODEL, join(work, 'model'));
    const encoder = await loadEncoder(modelSource);
    log(`e2e: ${DATASET} (${ds.corpus.size} docs, ${ds.qrels.size} judged queries), model ${encoder.info.name} (${encoder.info.id}), backend ${meta.backend.kind}/${meta.backend.isa}`);
    const rssLoaded = settledRss();

    // ---- build
    const indexDir = join(work, 'index');
    // the encoder is wrapped only to time its share of the build (same identity, same outputs)
    let encodeMs = 0;
    const timed: HybridEncoder = {
      info: encoder.info,
      encode: async (texts, opts) => {
        const t = performance.now();
        try {
          return await encoder.encode(texts, opts);
        } finally {
          encodeMs += performance.now() - t;
        }
      },
      ...(encoder.encodeTokens ? { encodeTokens: encoder.encodeTokens.bind(encoder) } : {}),
      ...(encoder.decodeTokens ? { decodeTokens: encoder.decodeTokens.bind(encoder) } : {}),
    };
    const index = await HybridIndex.create({ encoder: timed, path: indexDir, bm25: { analyzer: 'english' } });
    const indexConfig = index.config;
    const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
    const chars = docs.reduce((a, d) => a + d.text.length, 0);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 256) await index.add(docs.slice(i, i + 256));
    const buildMs = performance.now() - t0;
    const buildEncodeMs = encodeMs;
    const cpu = process.cpuUsage(cpu0);
    const stats = index.stats(); // IndexStats
    const tokens = (stats.multivector?.vectors ?? 0) + docs.length; // one stored vector per token after [CLS]
    const rssBuilt = settledRss();
    const s0 = performance.now();
    await index.save();
    const saveMs = performance.now() - s0;
    const manifest = JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { dir: string };
    const gen = join(indexDir, manifest.dir);
    const disk: Record<string, number> = {
      dense: dirBytes(join(gen, 'dense')),
      sparse: dirBytes(join(gen, 'sparse')),
      multivector: dirBytes(join(gen, 'multivector')),
      bm25: dirBytes(join(gen, 'bm25')) + dirBytes(join(gen, 'bm25-vocab.json')),
      entries: dirBytes(join(gen, 'entries.json')),
      total: dirBytes(indexDir),
    };
    const n = docs.length;
    const build = {
      docs: n,
      chars,
      tokens,
      ms: buildMs,
      encodeMs: buildEncodeMs,
      insertMs: buildMs - buildEncodeMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      docsPerSec: qps(n, buildMs),
      tokensPerSec: qps(tokens, buildMs),
      saveMs,
    };
    log(`build: ${n} docs in ${(buildMs / 1000).toFixed(1)} s (${build.docsPerSec.toFixed(0)} docs/s, ${build.tokensPerSec.toFixed(0)} tokens/s; encoding ${(buildEncodeMs / 1000).toFixed(1)} s, stores ${((buildMs - buildEncodeMs) / 1000).toFixed(1)} s)`);

    // ---- query encoding, timed on its own
    const qids = [...ds.qrels.keys()].slice(0, LIMIT > 0 ? LIMIT : undefined);
    const encoded = new Map<string, EncodedLike>();
    const encMs: number[] = [];
    for (const q of qids.slice(0, WARMUP)) await index.encodeQuery(ds.queries.get(q)!);
    for (const q of qids) {
      const text = ds.queries.get(q)!;
      const t = performance.now();
      encoded.set(text, await index.encodeQuery(text));
      encMs.push(performance.now() - t);
    }
    const encoding = summarize(encMs);
    log(`query encoding: p50 ${encoding.p50.toFixed(3)} ms, p99 ${encoding.p99.toFixed(3)} ms`);

    // ---- per mode: retrieval latency + quality, exhaustive baseline
    const evalOpts = { k: [10], metrics: ['ndcg' as const, 'recall' as const], ...(LIMIT > 0 ? { limit: LIMIT } : {}) };
    const retriever = (opts: SearchOptions, withEncoding = false) => ({
      search: async (q: string, k: number) => (await index.search(q, { ...opts, k, ...(withEncoding ? {} : { encoded: encoded.get(q)! }) })).map((h) => ({ id: String(h.id), score: h.score })),
    });
    const modes: ModeResult[] = [];
    for (const mode of MODES) {
      const res = await evaluate(retriever({ mode }), ds, { ...evalOpts, warmup: WARMUP, name: mode });
      const lat = latencyOf(res);
      let exhaustive: ModeResult['exhaustive'] = null;
      if (EXH_QUERIES > 0) {
        const limit = Math.min(EXH_QUERIES, qids.length);
        const ex = await evaluate(retriever({ mode, exhaustive: true }), ds, { ...evalOpts, limit, warmup: 3, name: `${mode} exhaustive` });
        const sub = Object.keys(ex.perQuery);
        const fastSub = mean(sub.map((q) => res.perQuery[q]!['ndcg@10']!));
        exhaustive = {
          queries: limit,
          latencyMs: latencyOf(ex),
          ndcg10: ex.metrics['ndcg@10']!,
          ndcg10Fast: fastSub,
          speedup: speedup(lat.p50, ex.latency.p50),
          top10Agreement: await agreement(
            index,
            mode,
            qids.slice(0, limit).map((q) => ds.queries.get(q)!),
            encoded,
          ),
        };
      }
      const perQueryNdcg10 = Object.fromEntries(Object.entries(res.perQuery).map(([q, m]) => [q, m['ndcg@10']!]));
      modes.push({ mode, latencyMs: lat, qpsSequential: 1000 / lat.mean, ndcg10: res.metrics['ndcg@10']!, recall10: res.metrics['recall@10']!, exhaustive, perQueryNdcg10 });
      log(
        `${mode.padEnd(13)} p50 ${lat.p50.toFixed(3)} ms  p99 ${lat.p99.toFixed(3)} ms  nDCG@10 ${res.metrics['ndcg@10']!.toFixed(4)}` +
          (exhaustive ? `  | exhaustive p50 ${exhaustive.latencyMs.p50.toFixed(2)} ms (×${exhaustive.speedup.toFixed(1)}), nDCG@10 ${exhaustive.ndcg10.toFixed(4)} vs ${exhaustive.ndcg10Fast.toFixed(4)} on ${exhaustive.queries} q` : ''),
      );
    }
    // 'all' including query encoding (what a caller sees)
    const withEnc = await evaluate(retriever({ mode: 'all' }, true), ds, { ...evalOpts, warmup: WARMUP, name: 'all+encode' });
    const allWithEncoding = { latencyMs: latencyOf(withEnc), ndcg10: withEnc.metrics['ndcg@10']! };
    log(`all + encoding p50 ${allWithEncoding.latencyMs.p50.toFixed(3)} ms p99 ${allWithEncoding.latencyMs.p99.toFixed(3)} ms`);

    // ---- memory per store
    const memStats = index.stats() as {
      documents: number;
      dense: { size: number } | null;
      sparse: { bytes: number; postings: number } | null;
      multivector: { bytes: number; bytesPerDoc: number; vectors: number } | null;
      bm25: { bytes: number; postings: number } | null;
    };
    const perDoc = (b: number | undefined) => (b === undefined ? null : b / n);
    const memory = {
      rssBytes: { start: rss0, encoderLoaded: rssLoaded, afterBuild: rssBuilt, buildDelta: rssBuilt - rssLoaded },
      inMemoryBytesPerDoc: {
        sparse: perDoc(memStats.sparse?.bytes),
        multivector: perDoc(memStats.multivector?.bytes),
        bm25: perDoc(memStats.bm25?.bytes),
      },
      diskBytes: disk,
      diskBytesPerDoc: Object.fromEntries(Object.entries(disk).map(([k, v]) => [k, v / n])),
      availableBytes: availableBytes(),
    };
    await index.close();

    // ---- throughput with 1 and 2 worker processes
    const throughput: Array<{ mode: SearchMode; workers: number; qps: number; perWorker: number[] }> = [];
    const workerRss: Record<number, number[]> = {};
    for (const w of WORKERS) {
      const { procs, ready } = await startWorkers(w, { indexDir, model: modelSource, dataset: dsDir });
      workerRss[w] = ready.map((r) => r.rssBytes);
      try {
        for (const mode of MODES) {
          const done = await Promise.all(procs.map((p) => request(p, { type: 'run', mode, durationMs: QPS_MS })));
          const perWorker = done.map((d) => qps(d.count!, d.elapsedMs!));
          throughput.push({ mode, workers: w, qps: perWorker.reduce((a, b) => a + b, 0), perWorker });
          log(`${mode.padEnd(13)} ${w} worker(s): ${perWorker.reduce((a, b) => a + b, 0).toFixed(0)} QPS`);
        }
      } finally {
        for (const p of procs) p.send({ type: 'exit' });
      }
    }

    const summary = summarise(modes, throughput, build, memory, encoding, allWithEncoding, encoder.info.id);
    const file = writeResult('e2e', {
      ...meta,
      dataset: DATASET,
      model: { spec: MODEL, id: encoder.info.id, dim: encoder.info.dim },
      config: { modes: MODES, k: 10, warmup: WARMUP, exhaustiveQueries: EXH_QUERIES, qpsMsPerRun: QPS_MS, workers: WORKERS, bm25: 'english', indexConfig },
      build,
      encodingMs: encoding,
      modes,
      allWithEncoding,
      throughput,
      memory: { ...memory, workerRssBytes: workerRss },
      summary,
    });
    log(`e2e: wrote ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `builtin:<name>` → a private copy of src/models/<name>; other sources as given. */
function snapshotModel(spec: string, dest: string): string {
  if (!spec.startsWith('builtin:')) return spec;
  const src = join(BENCH_DIR, '..', 'src', 'models', spec.slice('builtin:'.length));
  if (!existsSync(src)) return spec;
  cpSync(src, dest, { recursive: true });
  return dest;
}

function latencyOf(r: EvalResult): Summary {
  return { n: r.latency.n, p50: r.latency.p50, p90: Number.NaN, p99: r.latency.p99, mean: r.latency.mean, min: r.latency.min, max: r.latency.max };
}

/** Share of the exhaustive top-10 ids the fast path also returns (mean over queries). */
async function agreement(index: HybridIndex, mode: SearchMode, texts: string[], encoded: Map<string, EncodedLike>): Promise<number> {
  let sum = 0;
  for (const t of texts) {
    const fast = await index.search(t, { mode, k: 10, encoded: encoded.get(t)! });
    const exact = await index.search(t, { mode, k: 10, encoded: encoded.get(t)!, exhaustive: true });
    const ids = new Set(exact.map((h) => h.id));
    sum += ids.size === 0 ? 1 : fast.filter((h) => ids.has(h.id)).length / ids.size;
  }
  return sum / Math.max(1, texts.length);
}

interface WorkerMsg {
  type: string;
  rssBytes?: number;
  openMs?: number;
  count?: number;
  elapsedMs?: number;
  message?: string;
}

async function startWorkers(n: number, args: { indexDir: string; model: string; dataset: string }): Promise<{ procs: ChildProcess[]; ready: Array<{ rssBytes: number }> }> {
  const file = join(BENCH_DIR, 'lib', 'e2e-worker.ts');
  const procs = Array.from({ length: n }, () => fork(file, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], cwd: join(BENCH_DIR, '..'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const ready = await Promise.all(procs.map((p) => next(p)));
  return { procs, ready: ready.map((r) => ({ rssBytes: r.rssBytes! })) };
}

function next(p: ChildProcess): Promise<WorkerMsg> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: WorkerMsg) => {
      cleanup();
      if (m.type === 'error') reject(new Error(`e2e worker: ${m.message}`));
      else resolve(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`e2e worker exited with code ${code}`));
    };
    const cleanup = () => {
      p.off('message', onMsg);
      p.off('exit', onExit);
    };
    p.on('message', onMsg);
    p.on('exit', onExit);
  });
}

function request(p: ChildProcess, msg: object): Promise<WorkerMsg> {
  const r = next(p);
  p.send(msg);
  return r;
}

function summarise(
  modes: ModeResult[],
  throughput: Array<{ mode: SearchMode; workers: number; qps: number }>,
  build: { docs: number; docsPerSec: number; tokensPerSec: number; ms: number; encodeMs: number },
  memory: { rssBytes: { buildDelta: number; afterBuild: number }; inMemoryBytesPerDoc: Record<string, number | null>; diskBytesPerDoc: Record<string, number> },
  encoding: Summary,
  allWithEncoding: { latencyMs: Summary; ndcg10: number },
  modelId: string,
): SummaryBlock {
  const q = (m: SearchMode, w: number) => throughput.find((t) => t.mode === m && t.workers === w)?.qps;
  const fmt = (x: number | undefined | null, d = 0) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
  return {
    notes: [`model ${modelId}; ${build.docs} documents; latencies are retrieval only (queries pre-encoded) unless stated`],
    rows: [
      ...modes.map((m) => ({
        task: m.mode,
        p50Ms: m.latencyMs.p50,
        p99Ms: m.latencyMs.p99,
        ...(m.exhaustive ? { baseline: `exhaustive (${m.exhaustive.latencyMs.p50.toFixed(2)} ms, nDCG ${m.exhaustive.ndcg10.toFixed(3)} on ${m.exhaustive.queries} q)`, speedup: m.exhaustive.speedup } : {}),
        quality: `nDCG@10 ${m.ndcg10.toFixed(4)}`,
      })),
      { task: 'query encoding', p50Ms: encoding.p50, p99Ms: encoding.p99 },
      { task: 'all + encoding', p50Ms: allWithEncoding.latencyMs.p50, p99Ms: allWithEncoding.latencyMs.p99, quality: `nDCG@10 ${allWithEncoding.ndcg10.toFixed(4)}` },
    ],
    tables: [
      {
        title: 'Throughput (QPS, pre-encoded queries, k = 10)',
        columns: ['mode', '1 process', '2 processes', 'scaling'],
        rows: modes.map((m) => {
          const a = q(m.mode, 1);
          const b = q(m.mode, 2);
          return [m.mode, fmt(a), fmt(b), a && b ? `×${(b / a).toFixed(2)}` : '–'];
        }),
      },
      {
        title: 'Memory and build',
        columns: ['figure', 'value'],
        rows: [
          ['build', `${(build.ms / 1000).toFixed(1)} s, ${fmt(build.docsPerSec)} docs/s, ${fmt(build.tokensPerSec)} tokens/s (encoding ${(build.encodeMs / 1000).toFixed(1)} s of it)`],
          ['RSS after build (Δ over loaded encoder)', `${(memory.rssBytes.afterBuild / 2 ** 20).toFixed(0)} MiB (+${(memory.rssBytes.buildDelta / 2 ** 20).toFixed(0)} MiB)`],
          ...Object.entries(memory.inMemoryBytesPerDoc).map(([k, v]) => [`${k} in memory, bytes/doc`, fmt(v)]),
          ...Object.entries(memory.diskBytesPerDoc).map(([k, v]) => [`${k} on disk, bytes/doc`, fmt(v)]),
        ],
      },
    ],
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
