// Chooses the default fusion weight of the BM25 channel for the built-in model on the DEV sets
// only, then (with --acceptance) reports the chosen default against BM25 alone on the
// acceptance sets — once, for the record, never to choose.
//
//   npx tsx tools/fusion-defaults.ts                 # dev: grid of BM25 weights, pick
//   npx tsx tools/fusion-defaults.ts --acceptance 2  # report BM25 vs default hybrid (weight 2)
//
// Rule: maximise the worst dev-set difference nDCG@10(hybrid) − nDCG@10(BM25) (the goal is a
// default never worse than BM25), ties broken by the mean difference. Queries are encoded once
// per set and reused for every weight (`search(q, { encoded })`).
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex, loadEncoder, loadBeir, evaluate, compare, type Dataset, type EvalResult } from '../src/index.js';

const DEV = ['scifact', 'nfcorpus', 'jsquad-ja', 'cmrc2018-zh'];
const ACCEPTANCE = ['cranfield', 'cisi', 'cacm', 'npl', 'jaquad-ja', ...['ar', 'de', 'el', 'en', 'es', 'hi', 'ro', 'ru', 'th', 'tr', 'vi', 'zh'].map((l) => `xquad/${l}`)];
const GRID = [0.5, 1, 1.5, 2, 3, 4, 6, 8];
const DATA = path.resolve(import.meta.dirname, '../../shared/data');

async function indexFor(name: string, ds: Dataset, encoder: Awaited<ReturnType<typeof loadEncoder>>): Promise<HybridIndex> {
  const dir = path.join(os.tmpdir(), `trident-fusion-defaults-${name.replace('/', '-')}`);
  await fsp.rm(dir, { recursive: true, force: true });
  // TRIDENT_FD_BM25=k1,b overrides the index's BM25 defaults (to measure before they land)
  const kb = process.env.TRIDENT_FD_BM25?.split(',').map(Number);
  const index = await HybridIndex.create({ encoder, path: dir, wal: false, bm25: { analyzer: 'auto', ...(kb ? { k1: kb[0]!, b: kb[1]! } : {}) } });
  const docs = [...ds.corpus].map(([id, d]) => ({ id, text: d.title ? `${d.title} ${d.text}` : d.text }));
  for (let i = 0; i < docs.length; i += 256) await index.add(docs.slice(i, i + 256));
  return index;
}

async function run(set: string, split: 'dev' | 'acceptance', weights: number[]) {
  const encoder = await loadEncoder('builtin:static-en');
  const ds = await loadBeir(path.join(DATA, split, set));
  const index = await indexFor(set, ds, encoder);
  const encoded = new Map<string, Awaited<ReturnType<HybridIndex['encodeQuery']>>>();
  for (const q of ds.queries.values()) if (!encoded.has(q)) encoded.set(q, await index.encodeQuery(q));
  const bm25 = await evaluate({ search: (q, k) => index.search(q, { k, mode: 'bm25' }) }, ds, { k: [10] });
  const out: Array<{ w: number; result: EvalResult }> = [];
  for (const w of weights) {
    const fusion = { kind: 'weighted' as const, weights: { ...index.config.fusion.weights, bm25: w } };
    out.push({ w, result: await evaluate({ search: (q, k) => index.search(q, { k, fusion, encoded: encoded.get(q)! }) }, ds, { k: [10] }) });
  }
  await index.close();
  await encoder.close?.();
  return { set, bm25, out };
}

const args = process.argv.slice(2);
const acc = args.indexOf('--acceptance');
if (acc >= 0) {
  const w = Number(args[acc + 1]);
  console.log(`| set | BM25 nDCG@10 | default hybrid (bm25 weight ${w}) | Δ | paired t p | randomisation p |\n|---|---|---|---|---|---|`);
  for (const [split, sets] of [
    ['dev', DEV],
    ['acceptance', ACCEPTANCE],
  ] as const) {
    for (const set of sets) {
      const r = await run(set, split, [w]);
      const h = r.out[0]!.result;
      const c = compare(h, r.bm25, 'ndcg@10');
      console.log(`| ${split}/${set} | ${r.bm25.metrics['ndcg@10']!.toFixed(4)} | ${h.metrics['ndcg@10']!.toFixed(4)} | ${c.meanDiff >= 0 ? '+' : ''}${c.meanDiff.toFixed(4)} | ${c.tTest.p.toPrecision(2)} | ${c.permutation.p.toPrecision(2)} |`);
    }
  }
} else {
  const rows: Array<{ set: string; bm25: number; by: Map<number, number> }> = [];
  for (const set of DEV) {
    const r = await run(set, 'dev', GRID);
    rows.push({ set, bm25: r.bm25.metrics['ndcg@10']!, by: new Map(r.out.map((o) => [o.w, o.result.metrics['ndcg@10']!])) });
    console.log(`${set}: BM25 ${r.bm25.metrics['ndcg@10']!.toFixed(4)}; ${GRID.map((w) => `${w}: ${r.out.find((o) => o.w === w)!.result.metrics['ndcg@10']!.toFixed(4)}`).join(', ')}`);
  }
  let best = GRID[0]!;
  let bestKey = [-Infinity, -Infinity];
  for (const w of GRID) {
    const d = rows.map((r) => r.by.get(w)! - r.bm25);
    const key = [Math.min(...d), d.reduce((a, b) => a + b, 0) / d.length];
    console.log(`weight ${w}: worst Δ ${key[0]!.toFixed(4)}, mean Δ ${key[1]!.toFixed(4)}`);
    if (key[0]! > bestKey[0]! + 1e-9 || (Math.abs(key[0]! - bestKey[0]!) <= 1e-9 && key[1]! > bestKey[1]!)) {
      best = w;
      bestKey = key;
    }
  }
  console.log(`chosen BM25 weight: ${best} (worst dev Δ ${bestKey[0]!.toFixed(4)}, mean ${bestKey[1]!.toFixed(4)})`);
}
