/**
 * Measures (never tunes) trident's BM25 beside the text peers with src/eval's evaluator:
 * trident at the old store defaults (k1 0.9, b 0.4) and at today's ({@link BM25_DEFAULTS}),
 * LanceDB FTS and SQLite FTS5 (bench/peers/text-engines.ts, as a user configures them for
 * English), with paired tests (t-test and sign-flip permutation) of trident against each.
 * Documents are `title + ' ' + text` for every engine. The analyser is `english` for English
 * sets and `auto` (CJK bigrams) for the others; peers run on English sets only.
 *   nice npx tsx tools/bm25-vs-peers.ts dev/scifact dev/nfcorpus dev/jsquad-ja:ja dev/cmrc2018-zh:zh
 * A `:xx` suffix marks a non-English set. Writes bench/results/bm25-vs-peers-<sets>.json.
 * The dev sets are for choosing; acceptance sets may only be measured after a choice is made.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, TermVocabulary, termFrequencies, type AnalyzerKind } from '../src/analyze/index.js';
import { BM25_DEFAULTS, SparseIndex } from '../src/sparse/index.js';
import { compare, evaluate, loadBeir, writeJson, type Dataset, type EvalResult, type Retriever } from '../src/eval/index.js';
import { dataDir } from '../test/unit/eval/bm25-retriever.js';
import { lanceFts, sqliteFts, type Factory } from '../bench/peers/text-engines.js';

function trident(ds: Dataset, kind: AnalyzerKind, k1: number, b: number): Retriever {
  const analyzer = createAnalyzer(kind);
  const vocab = new TermVocabulary();
  const index = SparseIndex.create({ scorer: 'bm25', k1, b });
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

async function peer(ds: Dataset, factory: Factory<string>): Promise<{ result: EvalResult; version: string } | { skipped: string }> {
  const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
  const dir = mkdtempSync(join(tmpdir(), 'bm25-peer-'));
  try {
    const e = await factory(docs, dir);
    if ('skipped' in e) return e;
    const r: Retriever = { search: async (q, k) => (await e.search(q, k)).map((i, rank) => ({ id: docs[i]!.id, score: -rank })) };
    const result = await evaluate(r, ds, { k: [10, 100], metrics: ['ndcg', 'recall'], name: e.name });
    await e.close();
    return { result, version: e.version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x: number) => x.toFixed(4);
const args = process.argv.slice(2);
if (args.length === 0) throw new Error('usage: tools/bm25-vs-peers.ts <dev/set[:lang]> ...');
const out: Record<string, unknown> = { cpu: cpus()[0]?.model, node: process.version, defaults: BM25_DEFAULTS };
for (const arg of args) {
  const [rel, lang] = arg.split(':');
  const ds = await loadBeir(join(dataDir(), rel!));
  const kind: AnalyzerKind = lang ? 'auto' : 'english';
  const rows: Record<string, EvalResult> = {};
  const opt = { k: [10, 100], metrics: ['ndcg', 'recall'] as const };
  rows[`trident ${kind} k1 0.9 b 0.4`] = await evaluate(trident(ds, kind, 0.9, 0.4), ds, { ...opt, metrics: [...opt.metrics] });
  rows[`trident ${kind} k1 ${BM25_DEFAULTS.k1} b ${BM25_DEFAULTS.b}`] = await evaluate(trident(ds, kind, BM25_DEFAULTS.k1, BM25_DEFAULTS.b), ds, { ...opt, metrics: [...opt.metrics] });
  const versions: Record<string, string> = {};
  if (!lang) {
    for (const [name, f] of [
      ['LanceDB FTS', lanceFts],
      ['SQLite FTS5', sqliteFts],
    ] as const) {
      const p = await peer(ds, f);
      if ('skipped' in p) console.log(`${rel} ${name}: skipped (${p.skipped})`);
      else {
        rows[name] = p.result;
        versions[name] = p.version;
      }
    }
  }
  const now = rows[`trident ${kind} k1 ${BM25_DEFAULTS.k1} b ${BM25_DEFAULTS.b}`]!;
  const entry: Record<string, unknown> = { queries: now.config.queries, versions, ndcg10: {}, recall100: {}, vsToday: {} };
  for (const [name, r] of Object.entries(rows)) {
    (entry.ndcg10 as Record<string, number>)[name] = r.metrics['ndcg@10']!;
    (entry.recall100 as Record<string, number>)[name] = r.metrics['recall@100']!;
    let line = `${rel!.padEnd(22)} ${name.padEnd(30)} nDCG@10 ${fmt(r.metrics['ndcg@10']!)} recall@100 ${fmt(r.metrics['recall@100']!)}`;
    if (r !== now) {
      const c = compare(now, r, 'ndcg@10');
      (entry.vsToday as Record<string, unknown>)[name] = { diff: c.meanDiff, tP: c.tTest.p, permutationP: c.permutation.p, wins: c.wins, ties: c.ties, losses: c.losses };
      line += `   today − this ${c.meanDiff >= 0 ? '+' : ''}${fmt(c.meanDiff)} (t p=${c.tTest.p.toFixed(3)}, perm p=${c.permutation.p.toFixed(3)}, W/T/L ${c.wins}/${c.ties}/${c.losses})`;
    }
    console.log(line);
  }
  out[rel!] = entry;
}
const dir = new URL('../bench/results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const file = join(dir, `bm25-vs-peers-${args.map((a) => a.split(':')[0]!.replace(/\//g, '_')).join('+')}.json`);
await writeJson(file, out);
console.log(`wrote ${file}`);
