/**
 * Development evaluation of a static M3 model on BEIR-layout dev sets (scifact,
 * nfcorpus): nDCG@10 of dense (exhaustive), sparse (exhaustive M3 lexical dot),
 * multi-vector (MaxSim over the dense top-200 ∪ sparse top-200), the fused hybrid
 * ((1·dense + 0.3·sparse + 1·colbert)/2.3 over that union), a BM25 reference
 * (lowercase \w+, k1 0.9, b 0.4) and optionally a GloVe mean-pooling baseline.
 *
 *   npx tsx tools/train-static-builtin.eval.ts --model src/models/static-en --set scifact [--glove]
 *
 * Never run on acceptance sets while developing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStaticModel } from '../src/train/export.js';
import { forwardText, type TextForward } from '../src/train/model.js';
import { loadGlove } from '../src/train/glove.js';
import { ndcgAt } from '../src/eval/metrics.js';

function arg(name: string, def?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}
const setName = arg('set', 'scifact')!;
const modelDir = arg('model', 'src/models/static-en')!;
const dataDir = join('/work/shared/data/dev', setName);
if (setName.includes('acceptance')) throw new Error('never evaluate on acceptance sets while developing');

const jl = (f: string) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);
const corpus = jl(join(dataDir, 'corpus.jsonl'));
const qrels = new Map<string, Map<string, number>>();
for (const line of readFileSync(join(dataDir, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
  const [q, d, s] = line.split('\t');
  if (!q || !d) continue;
  if (!qrels.has(q)) qrels.set(q, new Map());
  qrels.get(q)!.set(d, Number(s));
}
const queries = jl(join(dataDir, 'queries.jsonl')).filter((q) => qrels.has(q._id!));
const docText = (d: Record<string, string>) => (d.title ? `${d.title} ${d.text}` : d.text!);
const N = corpus.length;
const K = 200;

function topk(scores: Float64Array | Float32Array, k: number): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i).filter((i) => scores[i]! > -Infinity);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, k);
}
function ndcgOf(rank: (qi: number) => number[]): number {
  let s = 0;
  queries.forEach((q, qi) => {
    s += ndcgAt(
      rank(qi)
        .slice(0, 10)
        .map((i) => corpus[i]!._id!),
      qrels.get(q._id!)!,
      10,
    );
  });
  return s / queries.length;
}
const results: Record<string, number> = {};
const bm25Top: number[][] = [];
/** Reciprocal rank fusion (1-based ranks, k = 60) of several rankings. */
function rrf(lists: number[][], k = 60): number[] {
  const sc = new Map<number, number>();
  for (const l of lists)
    l.forEach((d, r) => {
      sc.set(d, (sc.get(d) ?? 0) + 1 / (k + r + 1));
    });
  return [...sc.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([d]) => d);
}

// ---- BM25 reference
{
  const tok = (s: string) => s.toLowerCase().match(/\w+/g) ?? [];
  const df = new Map<string, number>();
  const tfs = corpus.map((d) => {
    const m = new Map<string, number>();
    for (const t of tok(docText(d))) m.set(t, (m.get(t) ?? 0) + 1);
    for (const t of m.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    return m;
  });
  const lens = corpus.map((d) => tok(docText(d)).length);
  const avg = lens.reduce((a, b) => a + b, 0) / N;
  for (let qi = 0; qi < queries.length; qi++)
    bm25Top.push(
      (() => {
        const sc = new Float64Array(N);
        for (const t of new Set(tok(queries[qi]!.text!))) {
          const n = df.get(t);
          if (!n) continue;
          const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
          tfs.forEach((m, i) => {
            const f = m.get(t);
            if (f) sc[i]! += (idf * (f * 1.9)) / (f + 0.9 * (1 - 0.4 + (0.4 * lens[i]!) / avg));
          });
        }
        return topk(sc, K);
      })(),
    );
  results.bm25 = ndcgOf((qi) => bm25Top[qi]!.slice(0, 10));
  console.log(`bm25 ${results.bm25.toFixed(4)}`);
}

// ---- static model
const { params, tokenizer } = loadStaticModel(modelDir);
const t0 = Date.now();
let ntok = 0;
const enc = (s: string): TextForward => {
  const ids = tokenizer.encode(s, { maxLength: 512 });
  ntok += ids.length;
  return forwardText(params, ids);
};
const D = corpus.map((d) => enc(docText(d)));
const encSec = (Date.now() - t0) / 1000;
console.log(`encoded ${N} docs, ${ntok} tokens in ${encSec.toFixed(1)} s (TS forward, ${(ntok / encSec).toFixed(0)} tokens/s)`);
const Q = queries.map((q) => enc(q.text!));
const dim = params.dim,
  C = params.colbertDim;
const post = new Map<number, { doc: number; w: number }[]>();
D.forEach((f, i) => {
  f.sparseIds.forEach((id, k) => {
    if (!post.has(id)) post.set(id, []);
    post.get(id)!.push({ doc: i, w: f.sparseWeights[k]! });
  });
});
const denseS = (qi: number) => {
  const q = Q[qi]!;
  const s = new Float64Array(N);
  D.forEach((d, i) => {
    let x = 0;
    for (let k = 0; k < dim; k++) x += q.dense[k]! * d.dense[k]!;
    s[i] = x;
  });
  return s;
};
const sparseS = (qi: number) => {
  const q = Q[qi]!;
  const s = new Float64Array(N);
  q.sparseIds.forEach((id, k) => {
    for (const p of post.get(id) ?? []) s[p.doc]! += q.sparseWeights[k]! * p.w;
  });
  return s;
};
// MaxSim with static token vectors: per query, cache q_a·v(id) per unique doc token id
const uniq = D.map((d) => {
  const m = new Map<number, number>();
  for (let t = 1; t < d.ids.length; t++) if (!m.has(d.ids[t]!)) m.set(d.ids[t]!, t - 1);
  return m;
});
const colS = (qi: number, cands: number[]) => {
  const q = Q[qi]!;
  const Lq = q.colNorm.length;
  const cache = new Map<number, Float32Array>();
  const out = new Float64Array(cands.length);
  cands.forEach((di, ci) => {
    const d = D[di]!;
    const best = new Float64Array(Lq).fill(-Infinity);
    for (const [id, pos] of uniq[di]!) {
      let sims = cache.get(id);
      if (!sims) {
        sims = new Float32Array(Lq);
        for (let a = 0; a < Lq; a++) {
          let x = 0;
          for (let k = 0; k < C; k++) x += q.colbert[a * C + k]! * d.colbert[pos * C + k]!;
          sims[a] = x;
        }
        cache.set(id, sims);
      }
      for (let a = 0; a < Lq; a++) if (sims[a]! > best[a]!) best[a] = sims[a]!;
    }
    let s = 0;
    for (let a = 0; a < Lq; a++) s += best[a]!;
    out[ci] = s / Lq;
  });
  return out;
};
const ranks = { dense: [] as number[][], sparse: [] as number[][], colbert: [] as number[][], hybrid: [] as number[][], denseSparse: [] as number[][] };
const t1 = Date.now();
for (let qi = 0; qi < queries.length; qi++) {
  const ds = denseS(qi),
    ss = sparseS(qi);
  const td = topk(ds, K),
    ts = topk(ss, K);
  const cands = [...new Set([...td, ...ts])].sort((a, b) => a - b);
  const cs = colS(qi, cands);
  const byC = cands.map((di, ci) => ({ di, c: cs[ci]!, h: (ds[di]! + 0.3 * ss[di]! + cs[ci]!) / 2.3, ds: (ds[di]! + 0.3 * ss[di]!) / 1.3 }));
  ranks.dense.push(td);
  ranks.sparse.push(ts);
  ranks.colbert.push([...byC].sort((a, b) => b.c - a.c || a.di - b.di).map((x) => x.di));
  ranks.hybrid.push([...byC].sort((a, b) => b.h - a.h || a.di - b.di).map((x) => x.di));
  ranks.denseSparse.push([...byC].sort((a, b) => b.ds - a.ds || a.di - b.di).map((x) => x.di));
}
for (const k of Object.keys(ranks) as (keyof typeof ranks)[]) results[k] = ndcgOf((qi) => ranks[k][qi]!);
// untuned combinations with BM25 (reciprocal rank fusion, k = 60)
results.rrfBm25Hybrid = ndcgOf((qi) => rrf([bm25Top[qi]!, ranks.hybrid[qi]!]));
results.rrfBm25DenseColbert = ndcgOf((qi) => rrf([bm25Top[qi]!, ranks.dense[qi]!, ranks.colbert[qi]!]));
console.log(`search ${((Date.now() - t1) / 1000).toFixed(1)} s`);

if (process.argv.includes('--glove')) {
  const g = loadGlove();
  const vec = (s: string) => {
    const v = new Float64Array(g.dim);
    for (const w of s.toLowerCase().match(/\w+/g) ?? []) {
      const e = g.get(w);
      if (e) for (let k = 0; k < g.dim; k++) v[k]! += e[k]!;
    }
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  };
  const DV = corpus.map((d) => vec(docText(d)));
  results.gloveMean = ndcgOf((qi) => {
    const q = vec(queries[qi]!.text!);
    const s = new Float64Array(N);
    DV.forEach((d, i) => {
      let x = 0;
      for (let k = 0; k < g.dim; k++) x += q[k]! * d[k]!;
      s[i] = x;
    });
    return topk(s, 10);
  });
}
console.log(JSON.stringify({ set: setName, model: modelDir, queries: queries.length, ndcg10: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, +v.toFixed(4)])) }));
