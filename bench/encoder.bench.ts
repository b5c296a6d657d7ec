// Encoder stage benchmark: the one-pass M3 pipeline (tokenize → bucket → ONNX → heads →
// pooling) against a bare onnxruntime session.run on the same token ids (the baseline,
// measured in the same run), and one pass giving all three representations against
// three separate passes (one encoder per representation). fp32 and int8, 1 and 2 threads.
//
// Model: random weights with BGE-M3's exact shape (24 layers, hidden 1024, 16 heads,
// FFN 4096, vocab 250,002), generated — not committed — by
//   nice /usr/bin/python3 tools/make_tiny_models.py bench --out bench/.cache [--layers N]
// on first run (skipped with a message when python3 / onnx / torch are missing).
// fp32 = BAAI layout (backbone graph + sparse_linear.pt / colbert_linear.pt heads);
// int8 = gpahal-style dynamic-int8 graph with three outputs.
//
// Timing: wall clock. The machine may be shared, so the compared tasks are interleaved:
// every round runs each task once (tinybench, 1 iteration per task) in alternating order,
// after one untimed warm-up round; medians over rounds. The load average is recorded.
//
// Run: nice node --import tsx bench/encoder.bench.ts
// Env: TRIDENT_BENCH_ENCODER_LAYERS (24), TRIDENT_BENCH_ENCODER_DTYPES (fp32,int8),
//      TRIDENT_BENCH_ENCODER_THREADS (1,2), TRIDENT_BENCH_ENCODER_SEQ (256),
//      TRIDENT_BENCH_ENCODER_BATCH (8), TRIDENT_BENCH_ENCODER_ITERS (3 timed rounds),
//      TRIDENT_BENCH_ENCODER_QUERY_ITERS (15 timed rounds for the 16-token query),
//      TRIDENT_BENCH_ENCODER_THREE_PASS_THREADS (1,2: thread counts that also run the
//      three-pass comparison; empty skips it).
// Writes bench/results/encoder.json.
import { Bench } from 'tinybench';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadEncoder, type Encoder } from '../src/encode/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const LAYERS = env('TRIDENT_BENCH_ENCODER_LAYERS', 24);
const SEQ = env('TRIDENT_BENCH_ENCODER_SEQ', 256);
const BATCH = env('TRIDENT_BENCH_ENCODER_BATCH', 8);
const ITERS = env('TRIDENT_BENCH_ENCODER_ITERS', 3);
const QUERY_ITERS = env('TRIDENT_BENCH_ENCODER_QUERY_ITERS', 15);
const DTYPES = (process.env.TRIDENT_BENCH_ENCODER_DTYPES ?? 'fp32,int8').split(',') as Array<'fp32' | 'int8'>;
const THREADS = (process.env.TRIDENT_BENCH_ENCODER_THREADS ?? '1,2').split(',').map(Number);
const THREE_PASS_THREADS = (process.env.TRIDENT_BENCH_ENCODER_THREE_PASS_THREADS ?? '1,2').split(',').filter(Boolean).map(Number);

const cache = join(here, '.cache');
const prefix = LAYERS === 24 ? 'bge-m3-random' : `bge-m3-random-l${LAYERS}`;
const dirs = { fp32: join(cache, prefix), int8: join(cache, `${prefix}-int8`) };

function ensureModels(): boolean {
  if (existsSync(join(dirs.fp32, 'tokenizer.json')) && existsSync(join(dirs.int8, 'tokenizer.json'))) return true;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx, torch, numpy, sentencepiece'], { stdio: 'ignore' });
  } catch {
    console.log('encoder bench skipped: /usr/bin/python3 with onnx, torch, numpy and sentencepiece is needed to generate the random BGE-M3-shaped model (Debian: python3-onnx python3-torch).');
    return false;
  }
  console.log(`generating the random BGE-M3-shaped model (${LAYERS} layers) into ${cache} …`);
  mkdirSync(cache, { recursive: true });
  execFileSync('nice', ['/usr/bin/python3', join(root, 'tools/make_tiny_models.py'), 'bench', '--out', cache, '--layers', String(LAYERS), '--prefix', prefix], { stdio: 'inherit' });
  return true;
}

const corpus =
  'BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction. ' + 'BM25 is a bag-of-words retrieval function that ranks a set of documents based on the query terms appearing in each document. ' + '東京は日本の首都です。 我们今天去公园散步。 Café déjà vu, naïve façade. ';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type Task = [name: string, fn: () => Promise<void>];

interface Samples {
  wall: number[];
  cpu: number[];
}

/**
 * Interleaved rounds: each round runs every task once through tinybench, order alternating,
 * after one untimed warm-up round. Records wall time (tinybench latency) and process CPU
 * time (user + system, all threads) per run: CPU time is robust to other processes on a
 * shared machine and measures work; wall time measures latency.
 */
async function rounds(tasks: Task[], timed: number): Promise<Map<string, Samples>> {
  const out = new Map<string, Samples>(tasks.map(([n]) => [n, { wall: [], cpu: [] }]));
  for (let r = -1; r < timed; r++) {
    const order = r % 2 === 0 ? tasks : [...tasks].reverse();
    const bench = new Bench({ iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 });
    const cpu = new Map<string, number>();
    for (const [name, fn] of order) {
      bench.add(name, async () => {
        const c0 = process.cpuUsage();
        await fn();
        const c = process.cpuUsage(c0);
        cpu.set(name, (c.user + c.system) / 1000);
      });
    }
    await bench.run();
    if (r < 0) continue; // warm-up round
    for (const t of bench.tasks) {
      const lat = (t.result as { latency?: { mean?: number } } | undefined)?.latency?.mean;
      if (lat === undefined) throw new Error(`benchmark task ${t.name} failed: ${JSON.stringify(t.result)}`);
      out.get(t.name)!.wall.push(lat);
      out.get(t.name)!.cpu.push(cpu.get(t.name)!);
    }
  }
  return out;
}

async function bareFeeds(enc: Encoder, texts: string[], maxLength: number): Promise<Record<string, ort.Tensor>> {
  const tl = await enc.encodeTokens(texts, { maxLength, batchSize: texts.length });
  const T = Math.max(...tl.map((t) => t.tokenIds.length));
  const ids = new BigInt64Array(texts.length * T).fill(1n);
  const mask = new BigInt64Array(texts.length * T);
  tl.forEach((t, b) => {
    t.tokenIds.forEach((id, j) => {
      ids[b * T + j] = BigInt(id);
      mask[b * T + j] = 1n;
    });
  });
  return { input_ids: new ort.Tensor('int64', ids, [texts.length, T]), attention_mask: new ort.Tensor('int64', mask, [texts.length, T]) };
}

function graphPath(dtype: 'fp32' | 'int8'): string {
  return dtype === 'fp32' ? join(dirs.fp32, 'onnx', 'model.onnx') : join(dirs.int8, 'model_quantized.onnx');
}

interface Row {
  dtype: string;
  threads: number;
  task: string;
  /** Median wall time per run. */
  medianMs: number;
  /** Median process CPU time per run (all threads). */
  medianCpuMs: number;
  samplesMs: number[];
  samplesCpuMs: number[];
  tokens: number;
  /** Tokens per wall-clock second. */
  tokensPerSec: number;
}

async function main(): Promise<void> {
  if (!ensureModels()) return;
  const rows: Row[] = [];
  const load = { start: loadavg(), end: [] as number[] };
  const docs = Array.from({ length: BATCH }, (_, i) => corpus.slice(i * 7) + corpus.repeat(Math.ceil((SEQ * 8) / corpus.length)));
  const query = corpus.slice(0, 200);
  const docTokens = BATCH * SEQ;
  const record = (dtype: string, threads: number, res: Map<string, Samples>): void => {
    for (const [task, samples] of res) {
      const med = median(samples.wall);
      const cpuMed = median(samples.cpu);
      const tokens = task.includes('query') ? 16 : docTokens;
      rows.push({ dtype, threads, task, medianMs: med, medianCpuMs: cpuMed, samplesMs: samples.wall, samplesCpuMs: samples.cpu, tokens, tokensPerSec: tokens / (med / 1000) });
      console.log(`  ${task.padEnd(42)} wall ${med.toFixed(1).padStart(9)} ms  cpu ${cpuMed.toFixed(1).padStart(9)} ms  ${(tokens / (med / 1000)).toFixed(0).padStart(7)} tok/s  (${samples.wall.length} rounds)`);
    }
  };
  for (const dtype of DTYPES) {
    for (const threads of THREADS) {
      console.log(`\n[${dtype}, ${threads} thread(s)]`);
      const dir = dtype === 'fp32' ? dirs.fp32 : dirs.int8;
      const enc = await loadEncoder(dir, { dtype, threads, offline: true });
      const bare = await ort.InferenceSession.create(graphPath(dtype), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
      const docFeeds = await bareFeeds(enc, docs, SEQ);
      const qFeeds = await bareFeeds(enc, [query], 16);
      record(
        dtype,
        threads,
        await rounds(
          [
            [
              'pipeline: encode batch',
              async () => {
                await enc.encode(docs, { maxLength: SEQ, batchSize: BATCH });
              },
            ],
            [
              'baseline: bare session.run batch',
              async () => {
                await bare.run(docFeeds);
              },
            ],
          ],
          ITERS,
        ),
      );
      record(
        dtype,
        threads,
        await rounds(
          [
            [
              'pipeline: 16-token query',
              async () => {
                await enc.encode([query], { role: 'query', maxLength: 16 });
              },
            ],
            [
              'baseline: bare session.run query',
              async () => {
                await bare.run(qFeeds);
              },
            ],
          ],
          QUERY_ITERS,
        ),
      );
      await bare.release();
      if (THREE_PASS_THREADS.includes(threads)) {
        // One pass for all three representations vs three passes, one encoder per head.
        const single: Encoder[] = [];
        for (const heads of [
          { dense: true, sparse: false, multivector: false },
          { dense: false, sparse: true, multivector: false },
          { dense: false, sparse: false, multivector: true },
        ]) {
          single.push(await loadEncoder(dir, { dtype, threads, offline: true, heads }));
        }
        record(
          dtype,
          threads,
          await rounds(
            [
              [
                'one pass (all three representations)',
                async () => {
                  await enc.encode(docs, { maxLength: SEQ, batchSize: BATCH });
                },
              ],
              [
                'three passes (one per representation)',
                async () => {
                  for (const e of single) await e.encode(docs, { maxLength: SEQ, batchSize: BATCH });
                },
              ],
            ],
            ITERS,
          ),
        );
        for (const e of single) await e.close();
      }
      await enc.close();
    }
  }
  load.end = loadavg();
  const get = (dtype: string, threads: number, task: string): number => rows.find((r) => r.dtype === dtype && r.threads === threads && r.task === task)?.medianMs ?? NaN;
  const getCpu = (dtype: string, threads: number, task: string): number => rows.find((r) => r.dtype === dtype && r.threads === threads && r.task === task)?.medianCpuMs ?? NaN;
  const ratio = (g: typeof get, dtype: string, threads: number, a: string, b: string): number => g(dtype, threads, a) / g(dtype, threads, b);
  const ratios = DTYPES.flatMap((dtype) =>
    THREADS.map((threads) => ({
      dtype,
      threads,
      pipelineOverBareBatch: ratio(get, dtype, threads, 'pipeline: encode batch', 'baseline: bare session.run batch'),
      pipelineOverBareBatchCpu: ratio(getCpu, dtype, threads, 'pipeline: encode batch', 'baseline: bare session.run batch'),
      pipelineOverBareQuery: ratio(get, dtype, threads, 'pipeline: 16-token query', 'baseline: bare session.run query'),
      pipelineOverBareQueryCpu: ratio(getCpu, dtype, threads, 'pipeline: 16-token query', 'baseline: bare session.run query'),
      threePassOverOnePass: ratio(get, dtype, threads, 'three passes (one per representation)', 'one pass (all three representations)'),
      threePassOverOnePassCpu: ratio(getCpu, dtype, threads, 'three passes (one per representation)', 'one pass (all three representations)'),
    })),
  );
  const scaling = DTYPES.map((dtype) => ({ dtype, twoThreadsSpeedup: get(dtype, 1, 'pipeline: encode batch') / get(dtype, 2, 'pipeline: encode batch') }));
  const int8Speedup = THREADS.map((threads) => ({ threads, fp32TimeOverInt8Time: get('fp32', threads, 'pipeline: encode batch') / get('int8', threads, 'pipeline: encode batch') }));
  console.log('\nratios', JSON.stringify({ ratios, scaling, int8Speedup }, null, 1));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'encoder.json'),
    JSON.stringify(
      {
        bench: 'encoder',
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: load },
        config: { layers: LAYERS, seq: SEQ, batch: BATCH, rounds: ITERS, queryRounds: QUERY_ITERS, dtypes: DTYPES, threads: THREADS, threePassThreads: THREE_PASS_THREADS },
        rows,
        ratios,
        scaling,
        int8Speedup,
      },
      null,
      1,
    ),
  );
  console.log(`wrote ${join(here, 'results', 'encoder.json')}`);
}

await main();
