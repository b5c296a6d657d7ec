import { Bench } from 'tinybench';
import { HybridIndex } from '../src/hybrid/index.js';
import { DenseIndex } from '../src/dense/index.js';
import { SparseIndex } from '../src/sparse/index.js';
import { rng } from '../test/helpers/rng.js';
import { envNumber, runMeta, writeResult, cpuModel } from './lib/results.js';

const N = envNumber('TRIDENT_CHANNELS_BENCH_N', 20_000);
const D = envNumber('TRIDENT_CHANNELS_BENCH_DIM', 384);
const Q = 200;
const r = rng(1);
const WORDS = Array.from({ length: 3000 }, (_, i) => `w${i}`);
const vec = () => {
  const v = new Float32Array(D);
  for (let i = 0; i < D; i++) v[i] = r() * 2 - 1;
  return v;
};
const sparseVec = () => {
  const ids = new Set<number>();
  while (ids.size < 20) ids.add(Math.floor(r() * r() * 30_000));
  const sorted = Uint32Array.from(ids).sort();
  return { ids: sorted, weights: Float32Array.from(sorted, () => r()) };
};
const text = () => Array.from({ length: 30 }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' ');

const docs = Array.from({ length: N }, (_, i) => ({ id: i, text: text(), vectors: { v: vec(), s: sparseVec() } }));
const queries = Array.from({ length: Q }, () => ({ text: text().split(' ').slice(0, 4).join(' '), v: vec(), s: sparseVec() }));

const dense = DenseIndex.create({ dimensions: D, dtype: 'f32' });
const sparse = SparseIndex.create({ scorer: 'dot' });
docs.forEach((d, i) => {
  dense.add(i, d.vectors.v);
  sparse.add(i, d.vectors.s);
});
const index = await HybridIndex.create({
  wal: false,
  bm25: { analyzer: 'plain' },
  channels: [
    { name: 'v', kind: 'dense', dimensions: D, dtype: 'f32' },
    { name: 's', kind: 'sparse' },
  ],
});
for (let i = 0; i < N; i += 1000) await index.add(docs.slice(i, i + 1000));

let qi = 0;
const next = () => queries[qi++ % Q]!;
const bench = new Bench({ time: 2000, warmupIterations: 50 });
bench
  .add('DenseIndex.search (store)', () => void dense.search(next().v, 10))
  .add('HybridIndex channels [v] (dense)', async () => void (await index.search({ vectors: { v: next().v } }, { k: 10, channels: ['v'] })))
  .add('SparseIndex.search (store)', () => void sparse.search(next().s, 10))
  .add('HybridIndex channels [s] (sparse)', async () => void (await index.search({ vectors: { s: next().s } }, { k: 10, channels: ['s'] })))
  .add('HybridIndex channels [v, bm25] (fused)', async () => {
    const q = next();
    await index.search({ text: q.text, vectors: { v: q.v } }, { k: 10, channels: ['v', 'bm25'] });
  });
await bench.run();

const rows = bench.tasks.map((t) => {
  const res = t.result as unknown as { latency: { p50: number; p99: number } };
  return { task: t.name, p50Ms: res.latency.p50, p99Ms: res.latency.p99 };
});
const p50 = (n: string) => rows.find((x) => x.task === n)!.p50Ms;
const ratios = {
  denseChannelOverStore: p50('HybridIndex channels [v] (dense)') / p50('DenseIndex.search (store)'),
  sparseChannelOverStore: p50('HybridIndex channels [s] (sparse)') / p50('SparseIndex.search (store)'),
  fusedOverDenseChannel: p50('HybridIndex channels [v, bm25] (fused)') / p50('HybridIndex channels [v] (dense)'),
};
const cpu = cpuModel();
console.log(`CPU: ${cpu}; ${N} documents, dense ${D}-d f32, sparse 20 terms, BM25 over 30-word texts`);
console.log('| task | p50 ms | p99 ms |\n|---|---:|---:|');
for (const x of rows) console.log(`| ${x.task} | ${x.p50Ms.toFixed(3)} | ${x.p99Ms.toFixed(3)} |`);
console.log(`ratios (p50): dense channel ÷ DenseIndex ${ratios.denseChannelOverStore.toFixed(2)}, sparse channel ÷ SparseIndex ${ratios.sparseChannelOverStore.toFixed(2)}, dense+bm25 ÷ dense channel ${ratios.fusedOverDenseChannel.toFixed(2)}`);
console.log(`wrote ${writeResult('channels', { meta: runMeta('channels'), cpu, n: N, dim: D, rows, ratios })}`);
await index.close();
