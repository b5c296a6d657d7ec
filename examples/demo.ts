/**
 * The main job, offline: build a hybrid index over a real corpus with the built-in model,
 * evaluate every retrieval mode on its judged queries, show explained results, and end with
 * each mode — and the default hybrid, which fuses BM25 with the model's channels — against
 * BM25 alone (Δ nDCG@10, paired t-test p-value, per-query wins/losses).
 *
 *   npm run demo                      # dev/scifact next to the repo, else the shipped sample
 *   TRIDENT_DEMO_CORPUS=<beir folder> npm run demo
 *
 * The index is saved to a temporary folder that is removed when the demo ends, also on an
 * error or Ctrl-C.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex, loadEncoder, loadBeir, runConfigurations, formatTable, compare, backend, type Retriever, type SearchOptions } from 'trident';
import { alignmentsLine, comparisonLine, progress, rrfNote } from './demo-format.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidates = [process.env.TRIDENT_DEMO_CORPUS, path.resolve(here, '../../shared/data/dev/scifact'), path.join(here, 'data/scifact-500')];
const corpusDir = candidates.find((c): c is string => !!c && fs.existsSync(path.join(c, 'corpus.jsonl')))!;

// The temporary index: removed on every way out.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-demo-'));
const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });

const t0 = performance.now();
const MODEL = 'builtin:static-en';
const encoder = await loadEncoder(MODEL);
const dataset = await loadBeir(corpusDir);
const kernels = backend();
console.log(`model ${encoder.info.name} (${MODEL}: ${encoder.info.family} heads, dim ${encoder.info.dim}), kernels ${kernels.kind}/${kernels.isa}`);
console.log(`corpus ${corpusDir}: ${dataset.corpus.size} documents, ${dataset.queries.size} queries, ${dataset.qrels.size} judged`);

const index = await HybridIndex.create({ encoder, path: tmp, bm25: { analyzer: 'english' } });
const docs = [...dataset.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text, metadata: { title: d.title } }));
const tAdd = performance.now();
const indexing = progress('indexing', docs.length, process.stderr);
for (let i = 0; i < docs.length; i += 500) await index.add(docs.slice(i, i + 500), { onProgress: (p) => indexing(i + p.done) });
const addSecs = (performance.now() - tAdd) / 1000;
await index.save();
console.log(`indexed ${docs.length} documents in ${addSecs.toFixed(1)} s (${(docs.length / addSecs).toFixed(0)} docs/s), saved to a temporary folder removed at exit`);

/** A retriever with fixed options that reports its progress. */
const retriever = (name: string, opts: SearchOptions): Retriever => {
  const tick = progress(`evaluating ${name}`, dataset.qrels.size, process.stderr);
  let n = 0;
  return {
    search: async (q, k) => {
      const hits = (await index.search(q, { ...opts, k })).map((h) => ({ id: String(h.id), score: h.score }));
      tick(++n);
      return hits;
    },
  };
};
const MODES: Array<[string, SearchOptions]> = [
  ['bm25 (english analyser)', { mode: 'bm25' }],
  ['dense', { mode: 'dense' }],
  ['sparse (learned weights)', { mode: 'sparse' }],
  ['multivector (re-rank)', { mode: 'multivector' }],
  ['dense+sparse', { mode: 'dense+sparse' }],
  ['all (M3 weighted)', { mode: 'all' }],
  ['all (RRF)', { mode: 'all', fusion: { kind: 'rrf' } }],
  ['hybrid (default: all + bm25)', {}],
];
console.log(`evaluating ${MODES.length} modes on ${dataset.qrels.size} judged queries (progress on stderr)`);
const table = await runConfigurations(
  MODES.map(([name, opts]) => ({ name, retriever: retriever(name, opts) })),
  dataset,
  { k: [10, 100] },
);
console.log(`\n${formatTable(table, { style: 'markdown', metrics: ['ndcg@10', 'recall@100', 'mrr@10'] })}`);
const row = (name: string) => table.rows.find((r) => r.name === name)!.result;
console.log(rrfNote(row('all (RRF)').metrics['ndcg@10']!, row('all (M3 weighted)').metrics['ndcg@10']!, encoder.info.fusionWeights));

for (const q of [...dataset.queries.values()].slice(0, 3)) {
  console.log(`\nquery: ${q}`);
  const hits = await index.search(q, { k: 3, explain: true });
  for (const h of hits) {
    const ex = h.explanation!;
    console.log(`  ${String(h.id).padEnd(10)} ${h.score.toFixed(4)}  dense ${h.scores.dense?.toFixed(3)} sparse ${h.scores.sparse?.toFixed(3)} maxsim ${h.scores.multivector?.toFixed(3)} bm25 ${h.scores.bm25?.toFixed(2)}  ${String(h.metadata?.title ?? '').slice(0, 70)}`);
    const terms = ex.channels.bm25?.matches ?? [];
    if (terms.length)
      console.log(
        `    bm25:    ${terms
          .slice(0, 6)
          .map((m) => `${m.token}(${m.contribution.toFixed(2)})`)
          .join(' ')}`,
      );
    console.log(
      `    lexical: ${ex.sparseMatches
        .slice(0, 6)
        .map((m) => `${m.token}(${m.queryWeight.toFixed(2)}×${m.docWeight.toFixed(2)})`)
        .join(' ')}`,
    );
    console.log(`    maxsim:  ${alignmentsLine(ex.alignments, 4)}`);
  }
}
await index.close();
await encoder.close();

const bm25 = table.rows[0]!;
const others = table.rows.slice(1);
const width = Math.max(...others.map((r) => r.name.length));
console.log(`\nEach mode against ${bm25.name}, paired over ${bm25.result.config.queries} queries (p: paired t-test; wins/losses: queries where the mode's nDCG@10 is higher/lower):`);
for (const r of others) console.log(`  ${comparisonLine(r.name, compare(r.result, bm25.result, 'ndcg@10'), 'nDCG@10', width)}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
