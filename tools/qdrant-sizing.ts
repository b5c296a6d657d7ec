/**
 * Sizing figures for the README's "When you outgrow one machine": encodes a corpus with an
 * encoder and reports, per document and per channel, the bytes Qdrant stores for the original
 * vectors (float32; sparse: 4-byte index + 4-byte value per non-zero) and the JSON bytes an
 * upsert sends. Usage: npx tsx tools/qdrant-sizing.ts [corpus.jsonl] [model] [limit]
 */
import { readFileSync } from 'node:fs';
import { loadEncoder } from '../src/encode/index.js';
import { createAnalyzer } from '../src/analyze/index.js';
import { bm25DocumentVector, buildPoint } from '../src/qdrant/points.js';

const file = process.argv[2] ?? 'examples/data/scifact-500/corpus.jsonl';
const model = process.argv[3] ?? 'builtin:static-en';
const limit = Number(process.argv[4] ?? 500);
const docs = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, limit)
  .map((l) => JSON.parse(l) as { _id: string; title?: string; text: string });
const encoder = await loadEncoder(model);
const analyzer = createAnalyzer('english', { version: 3 });
const sum = { dense: 0, sparse: 0, multivector: 0, tokens: 0, bm25: 0, text: 0, json: 0 };
for (let i = 0; i < docs.length; i += 64) {
  const part = docs.slice(i, i + 64).map((d) => ({ id: d._id, text: `${d.title ?? ''} ${d.text}`.trim() }));
  const enc = await encoder.encode(
    part.map((d) => d.text),
    { role: 'document' },
  );
  part.forEach((d, j) => {
    const e = enc[j]!;
    const bm25 = bm25DocumentVector(analyzer.terms(d.text), { k1: 0.9, b: 0.4, avgdl: 200 });
    sum.dense += (e.dense?.length ?? 0) * 4;
    sum.sparse += (e.sparse?.ids.length ?? 0) * 8;
    sum.multivector += (e.multivector ? e.multivector.count * e.multivector.dim : 0) * 4;
    sum.tokens += e.multivector?.count ?? 0;
    sum.bm25 += bm25.indices.length * 8;
    sum.text += Buffer.byteLength(d.text);
    sum.json += Buffer.byteLength(JSON.stringify(buildPoint(d, { ...e, bm25 })));
  });
}
const n = docs.length;
const per = Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, Math.round(v / n)]));
console.log(JSON.stringify({ model: encoder.info.id, dim: encoder.info.dim, documents: n, perDocument: per }, null, 2));
await encoder.close();
