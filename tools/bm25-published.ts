/**
 * Measures BM25 (src/sparse + src/analyze) through the evaluation harness on the dev sets,
 * prints nDCG@10 next to the published references, compares analysers with paired tests and
 * writes bench/results/bm25-dev.json plus real charts (bm25-dev-*.svg). Dev sets only.
 *   nice npx tsx tools/bm25-published.ts [set ...]
 */
import { performance } from 'node:perf_hooks';
import { writeFile } from 'node:fs/promises';
import type { AnalyzerKind } from '../src/analyze/index.js';
import { compare, evaluate, formatTable, loadBeir, writeJson, type EvalResult } from '../src/eval/index.js';
import { plotLatencyQuality, plotPerQueryDelta } from '../src/plot/index.js';
import { bm25Retriever, devSet } from '../test/unit/eval/bm25-retriever.js';

const out = new URL('../bench/results/', import.meta.url).pathname;
const sets: Array<[string, AnalyzerKind[], number]> = [
  ['scifact', ['plain', 'english'], 0.665],
  ['nfcorpus', ['plain', 'english'], 0.31],
  ['jsquad-ja', ['bigram'], 0.943],
  ['cmrc2018-zh', ['bigram'], 0.984],
];
const want = process.argv.slice(2);
const json: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version } };
const points: Array<{ name: string; latencyMs: number; quality: number; group: string }> = [];
for (const [name, kinds, ref] of sets) {
  if (want.length > 0 && !want.includes(name)) continue;
  let t = performance.now();
  const ds = await loadBeir(devSet(name));
  const load = performance.now() - t;
  const rows: Array<{ name: string; result: EvalResult }> = [];
  for (const kind of kinds) {
    t = performance.now();
    const r = bm25Retriever(ds, kind);
    const build = performance.now() - t;
    const res = await evaluate(r, ds, { k: [10, 100], warmup: 50, name: `bm25-${kind}` });
    rows.push({ name: `bm25-${kind}`, result: res });
    points.push({ name: `${name} ${kind}`, latencyMs: res.latency.p50, quality: res.metrics['ndcg@10']!, group: name });
    console.log(`${name.padEnd(12)} ${kind.padEnd(8)} nDCG@10 ${res.metrics['ndcg@10']!.toFixed(4)} (published ${ref}) q=${res.config.queries} ` + `load ${load.toFixed(0)}ms build ${build.toFixed(0)}ms p50 ${res.latency.p50.toFixed(3)}ms p99 ${res.latency.p99.toFixed(3)}ms`);
  }
  console.log(formatTable(rows, { metrics: ['ndcg@10', 'recall@100', 'mrr@10', 'map'] }));
  const entry: Record<string, unknown> = { published: ref, rows: rows.map((r) => ({ name: r.name, metrics: r.result.metrics, latency: r.result.latency, config: r.result.config })) };
  if (rows.length === 2) {
    const c = compare(rows[1]!.result, rows[0]!.result, 'ndcg@10');
    entry.compare = c;
    console.log(`${name}: english − plain nDCG@10 ${c.meanDiff.toFixed(4)} CI95 [${c.ci95[0].toFixed(4)}, ${c.ci95[1].toFixed(4)}] ` + `t-test p=${c.tTest.p.toExponential(2)} permutation p=${c.permutation.p.toExponential(2)} W/T/L ${c.wins}/${c.ties}/${c.losses}\n`);
    await writeFile(
      `${out}bm25-dev-${name}-delta.svg`,
      await plotPerQueryDelta(rows[1]!.result.perQuery, rows[0]!.result.perQuery, {
        labelA: 'english',
        labelB: 'plain',
        title: `${name} (dev): BM25 english vs plain analyser, per-query nDCG@10`,
      }),
    );
  }
  json[name] = entry;
}
if (points.length > 0) {
  await writeFile(`${out}bm25-dev-latency-quality.svg`, await plotLatencyQuality(points, { title: 'BM25 on the dev sets', subtitle: 'p50 per query, this machine' }));
}
await writeJson(`${out}bm25-dev.json`, json);
