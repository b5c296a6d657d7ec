// Test helper: load a BEIR-layout dev set and compute nDCG@10 (linear gains, as pytrec_eval/BEIR).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const DEV = '/work/shared/data/dev';
export const devDir = (name: string) => (process.env.TRIDENT_DATA_DIR ? join(process.env.TRIDENT_DATA_DIR, 'dev', name) : join(DEV, name));
export const hasDev = (name: string) => existsSync(join(devDir(name), 'corpus.jsonl'));

export interface Beir {
  docs: { id: string; text: string }[];
  queries: { id: string; text: string }[];
  qrels: Map<string, Map<string, number>>;
}

function jsonl(path: string): Record<string, string>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l));
}

export function loadBeir(name: string): Beir {
  const dir = devDir(name);
  const docs = jsonl(join(dir, 'corpus.jsonl')).map((d) => ({ id: String(d._id), text: `${d.title ?? ''} ${d.text ?? ''}` }));
  const qrels = new Map<string, Map<string, number>>();
  const lines = readFileSync(join(dir, 'qrels', 'test.tsv'), 'utf8')
    .split('\n')
    .slice(1);
  for (const line of lines) {
    const [q, d, s] = line.split('\t');
    if (!q || !d || s === undefined) continue;
    const g = Number(s);
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, g);
  }
  const queries = jsonl(join(dir, 'queries.jsonl'))
    .map((q) => ({ id: String(q._id), text: String(q.text) }))
    .filter((q) => qrels.has(q.id));
  return { docs, queries, qrels };
}

/** nDCG@k of one ranked list (doc ids) against graded judgments; gains are the grades (linear). */
export function ndcgAt(ranked: string[], rel: Map<string, number>, k = 10): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const g = rel.get(ranked[i]!) ?? 0;
    if (g > 0) dcg += g / Math.log2(i + 2);
  }
  const ideal = [...rel.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => {
    idcg += g / Math.log2(i + 2);
  });
  return idcg > 0 ? dcg / idcg : 0;
}
