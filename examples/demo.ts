/**
 * The main job, offline: build a hybrid index over a real corpus with the built-in model,
 * evaluate every retrieval mode on its judged queries, and show explained results.
 *
 *   npm run demo                      # dev/scifact next to the repo, else the shipped sample
 *   TRIDENT_DEMO_CORPUS=<beir folder> npm run demo
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex, loadEncoder, loadBeir, runConfigurations, formatTable, backend, type Retriever, type SearchOptions } from 'trident';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidates = [process.env['TRIDENT_DEMO_CORPUS'], path.resolve(here, '../../shared/data/dev/scifact'), path.join(here, 'data/scifact-500')];
const corpusDir = candidates.find((c): c is string => !!c && fs.existsSync(path.join(c, 'corpus.jsonl')))!;

const t0 = performance.now();
const encoder = await loadEncoder('builtin:static-en');
const dataset = await loadBeir(corpusDir);
console.log(`model ${encoder.info.id} (dim ${encoder.info.dim}), kernels ${JSON.stringify(backend())}`);
console.log(`corpus ${corpusDir}: ${dataset.corpus.size} documents, ${dataset.queries.size} queries`);

const index = await HybridIndex.create({ encoder, path: fs.mkdtempSync(path.join(os.tmpdir(), 'trident-demo-')), bm25: { analyzer: 'english' } });
const docs = [...dataset.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text, metadata: { title: d.title } }));
const tAdd = performance.now();
for (let i = 0; i < docs.length; i += 500) await index.add(docs.slice(i, i + 500));
const addSecs = (performance.now() - tAdd) / 1000;
console.log(`indexed in ${addSecs.toFixed(1)} s (${(docs.length / addSecs).toFixed(0)} docs/s)`);
await index.save();

const retriever = (opts: SearchOptions): Retriever => ({
  search: async (q, k) => (await index.search(q, { ...opts, k })).map((h) => ({ id: String(h.id), score: h.score })),
});
const table = await runConfigurations(
  [
    { name: 'bm25 (english analyser)', retriever: retriever({ mode: 'bm25' }) },
    { name: 'dense', retriever: retriever({ mode: 'dense' }) },
    { name: 'sparse (learned weights)', retriever: retriever({ mode: 'sparse' }) },
    { name: 'multivector (re-rank)', retriever: retriever({ mode: 'multivector' }) },
    { name: 'dense+sparse', retriever: retriever({ mode: 'dense+sparse' }) },
    { name: 'all (M3 weighted)', retriever: retriever({ mode: 'all' }) },
    { name: 'all (RRF)', retriever: retriever({ mode: 'all', fusion: { kind: 'rrf' } }) },
  ],
  dataset,
  { k: [10, 100] },
);
console.log('\n' + formatTable(table, { style: 'markdown', metrics: ['ndcg@10', 'recall@100', 'mrr@10'] }));

for (const q of [...dataset.queries.values()].slice(0, 3)) {
  console.log(`\nquery: ${q}`);
  const hits = await index.search(q, { k: 3, explain: true });
  for (const h of hits) {
    const ex = h.explanation!;
    console.log(`  ${String(h.id).padEnd(10)} ${h.score.toFixed(4)}  dense ${h.scores.dense?.toFixed(3)} sparse ${h.scores.sparse?.toFixed(3)} maxsim ${h.scores.multivector?.toFixed(3)}  ${String(h.metadata?.['title'] ?? '').slice(0, 70)}`);
    console.log(`    lexical: ${ex.sparseMatches.slice(0, 6).map((m) => `${m.token}(${m.queryWeight.toFixed(2)}×${m.docWeight.toFixed(2)})`).join(' ')}`);
    console.log(`    maxsim:  ${ex.alignments.slice(0, 4).map((a) => `${a.queryToken}↔${a.docText ?? a.docToken} ${a.score.toFixed(2)}`).join(', ')}`);
  }
}
await index.close();
await encoder.close();
console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
