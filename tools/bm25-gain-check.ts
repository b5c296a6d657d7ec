/**
 * Measures (never tunes) BM25 nDCG@10 of trident's English BM25 and of wink-bm25-text-search
 * with its usual preparation (lower-case, tokenise, stop-words, Porter2 stem; k1 0.9, b 0.4),
 * both through src/eval's evaluator, with linear (trec_eval) and exponential gain, so the
 * README compares like with like. Documents are `title + ' ' + text` for both.
 *   nice npx tsx tools/bm25-gain-check.ts <set dir> [...]
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { ANALYZER_VERSION, createAnalyzer, TermVocabulary, termFrequencies } from '../src/analyze/index.js';
import { SparseIndex } from '../src/sparse/index.js';
import { evaluate, loadBeir, type Dataset, type Retriever } from '../src/eval/index.js';

const require = createRequire(import.meta.url);

function trident(ds: Dataset): Retriever {
  const analyzer = createAnalyzer('english', { version: ANALYZER_VERSION });
  const vocab = new TermVocabulary();
  const index = SparseIndex.create({ scorer: 'bm25', k1: 0.9, b: 0.4 });
  const ids: string[] = [];
  for (const [id, d] of ds.corpus) {
    index.add(ids.length, termFrequencies(analyzer.terms(d.title ? `${d.title} ${d.text}` : d.text), vocab, true));
    ids.push(id);
  }
  return {
    async search(q, k) {
      const h = index.search(termFrequencies(analyzer.terms(q), vocab, false), k);
      return Array.from(h.ids, (d, i) => ({ id: ids[d]!, score: h.scores[i]! }));
    },
  };
}

function wink(ds: Dataset): Retriever {
  const nlp = require('wink-nlp-utils');
  const engine = require('wink-bm25-text-search')();
  engine.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 0.9, b: 0.4, k: 1 } });
  engine.definePrepTasks([nlp.string.lowerCase, nlp.string.removeExtraSpaces, nlp.string.tokenize0, nlp.tokens.removeWords, nlp.tokens.stem, nlp.tokens.propagateNegations]);
  for (const [id, d] of ds.corpus) engine.addDoc({ body: d.title ? `${d.title} ${d.text}` : d.text }, id);
  engine.consolidate(4);
  return {
    async search(q, k) {
      return (engine.search(q, k) as Array<[string, number]>).map(([id, score]) => ({ id, score }));
    },
  };
}

console.log(`cpus ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}`);
for (const dir of process.argv.slice(2)) {
  const ds = await loadBeir(dir);
  for (const [name, make] of [
    ['trident bm25 english', trident],
    ['wink-bm25-text-search', wink],
  ] as const) {
    const r = make(ds);
    const lin = await evaluate(r, ds, { k: [10], metrics: ['ndcg'], gain: 'linear' });
    const exp = await evaluate(r, ds, { k: [10], metrics: ['ndcg'], gain: 'exponential' });
    console.log(`${ds.name.padEnd(10)} ${name.padEnd(22)} nDCG@10 linear ${lin.metrics['ndcg@10']!.toFixed(3)}  exponential ${exp.metrics['ndcg@10']!.toFixed(3)}  (queries ${lin.config.queries})`);
  }
}
