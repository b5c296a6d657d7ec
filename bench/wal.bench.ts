// Write-ahead-log benchmark: add() throughput with the WAL on (the default for a path-backed
// index: one write + one fsync per group of concurrent calls) against wal: false (the same-run
// baseline: in memory only until save()). The test encoder (test/helpers/fake-encoder.ts, 16
// dimensions) keeps encoding out of the figure, so the ratio is the log's own cost; with a real
// model the encoder dominates and the ratio moves toward 1.
//
// Run: node --import tsx bench/wal.bench.ts
// Every task runs the same number of iterations (so its index grows to the same size).
// Env: TRIDENT_WAL_BENCH_ITERATIONS (iterations per task, default 200), TRIDENT_WAL_BENCH_DIR
//      (where the indexes live, default the OS temp dir: put it on the disk you care about),
//      TRIDENT_WAL_BENCH_CONCURRENCY (concurrent add() calls per iteration, default 16).
// Wall clock (fsync is I/O, not CPU). Writes bench/results/wal.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { HybridIndex } from '../src/hybrid/index.js';
import { FakeEncoder } from '../test/helpers/fake-encoder.js';
import { envNumber, runMeta, writeResult, cpuModel } from './lib/results.js';

const ITER = envNumber('TRIDENT_WAL_BENCH_ITERATIONS', 200);
const CONC = envNumber('TRIDENT_WAL_BENCH_CONCURRENCY', 16);
const root = mkdtempSync(join(process.env.TRIDENT_WAL_BENCH_DIR ?? tmpdir(), 'trident-wal-bench-'));
const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu river stone cloud index vector token'.split(' ');
let next = 0;
const doc = () => {
  const n = next++;
  return { id: `d${n}`, text: Array.from({ length: 40 }, (_, i) => WORDS[(n * 7 + i * 13) % WORDS.length]).join(' '), metadata: { n } };
};

async function makeIndex(wal: boolean, name: string): Promise<HybridIndex> {
  return HybridIndex.create({ encoder: new FakeEncoder(), path: join(root, name), wal, dense: { dtype: 'f32' }, multivector: { dtype: 'f16' }, bm25: { analyzer: 'plain' } });
}

const indexes = {
  'wal off, 1 add': await makeIndex(false, 'off-seq'),
  'wal on, 1 add': await makeIndex(true, 'on-seq'),
  [`wal off, ${CONC} concurrent adds`]: await makeIndex(false, 'off-conc'),
  [`wal on, ${CONC} concurrent adds`]: await makeIndex(true, 'on-conc'),
};
const bench = new Bench({ time: 0, iterations: ITER, warmupIterations: 5 });
for (const [name, index] of Object.entries(indexes)) {
  const calls = name.includes('concurrent') ? CONC : 1;
  bench.add(name, async () => {
    await Promise.all(Array.from({ length: calls }, () => index.add([doc()])));
  });
}
await bench.run();

const rows = bench.tasks.map((t) => {
  const r = t.result as unknown as { latency: { p50: number; p99: number; samplesCount?: number; samples?: unknown[] } };
  const calls = t.name.includes('concurrent') ? CONC : 1;
  return { task: t.name, p50Ms: r.latency.p50, p99Ms: r.latency.p99, samples: r.latency.samplesCount ?? r.latency.samples?.length ?? 0, addsPerSecond: (calls * 1000) / r.latency.p50 };
});
const by = (n: string) => rows.find((r) => r.task === n)!;
const ratioSeq = by('wal on, 1 add').addsPerSecond / by('wal off, 1 add').addsPerSecond;
const ratioConc = by(`wal on, ${CONC} concurrent adds`).addsPerSecond / by(`wal off, ${CONC} concurrent adds`).addsPerSecond;
const groupGain = by(`wal on, ${CONC} concurrent adds`).addsPerSecond / by('wal on, 1 add').addsPerSecond;
const cpu = cpuModel();
console.log(`CPU: ${cpu}; indexes in ${root}`);
console.log('| task | p50 ms / iteration | adds/s (median) |');
console.log('|---|---:|---:|');
for (const r of rows) console.log(`| ${r.task} | ${r.p50Ms.toFixed(3)} | ${r.addsPerSecond.toFixed(0)} |`);
console.log(`WAL on / off throughput: sequential ${ratioSeq.toFixed(3)}, ${CONC} concurrent ${ratioConc.toFixed(3)}; group commit gain (WAL on, ${CONC} concurrent vs sequential) ${groupGain.toFixed(2)}×`);
const file = writeResult('wal', { meta: runMeta('wal'), cpu, concurrency: CONC, rows, ratios: { sequential: ratioSeq, concurrent: ratioConc, groupCommitGain: groupGain } });
console.log(`wrote ${file}`);
for (const index of Object.values(indexes)) await index.close();
rmSync(root, { recursive: true, force: true });
