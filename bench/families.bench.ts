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
// Run: nice node --import tsx bench/families.bench.ts
// Env: TRIDENT_BENCH_FAMILIES_ROUNDS (15), TRIDENT_BENCH_FAMILIES_DOCS (16), TRIDENT_BENCH_FAMILIES_THREADS (1)
// Writes bench/results/families.json.
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFamilyEncoder, type FamilyEncoder } from '../src/families/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '..', 'test', 'fixtures', 'families');
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const ROUNDS = env('TRIDENT_BENCH_FAMILIES_ROUNDS', 15);
const DOCS = env('TRIDENT_BENCH_FAMILIES_DOCS', 16);
const THREADS = env('TRIDENT_BENCH_FAMILIES_THREADS', 1);

const base = 'BM25 is a bag-of-words retrieval function that ranks documents based on the query terms appearing in each document';
const docs = Array.from({ length: DOCS }, (_, i) => `${base} ${'and the cat '.repeat(i % 5)}${i}`);

async function main(): Promise<void> {
  const encs: Record<string, FamilyEncoder> = {
    baseline: await loadFamilyEncoder(join(FIX, 'tiny-bert-st'), { threads: THREADS }),
    decoder: await loadFamilyEncoder(join(FIX, 'tiny-mistral'), { preset: 'e5-mistral', threads: THREADS }),
    splade: await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'splade', threads: THREADS }),
    colbert: await loadFamilyEncoder(join(FIX, 'tiny-colbert'), { threads: THREADS }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(encs).map((k) => [k, []]));
  const names = Object.keys(encs);
  for (let r = -1; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const bench = new Bench({ iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 });
      bench.add(name, async () => { await encs[name]!.encode(docs, { role: 'document', maxLength: 64 }); });
      await bench.run();
      const t = bench.tasks[0]!.result as { latency?: { mean?: number }; mean?: number } | undefined;
      const ms = t?.latency?.mean ?? t?.mean ?? NaN;
      if (r >= 0) times[name]!.push(ms);
    }
  }
  const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };
  const base0 = median(times.baseline!);
  const rows = names.map((n) => ({ task: n, medianMs: median(times[n]!), perDocMs: median(times[n]!) / DOCS, ratioToBaseline: median(times[n]!) / base0 }));
  console.log('| task | median ms / batch of', DOCS, '| ms / doc | × baseline |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.task} | ${r.medianMs.toFixed(2)} | ${r.perDocMs.toFixed(3)} | ${r.ratioToBaseline.toFixed(2)} |`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'families.json'), JSON.stringify({ rounds: ROUNDS, docs: DOCS, threads: THREADS, loadavg: loadavg(), rows }, null, 2));
  for (const e of Object.values(encs)) await e.close();
}

await main();
