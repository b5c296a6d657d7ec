import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { loadEncoder, type Encoder } from '../../../src/encode/index.js';

const MODEL = fileURLToPath(new URL('../../fixtures/models/tiny-m3', import.meta.url));
const TEXTS = [
  'BM25 is a bag-of-words retrieval function.',
  'Dense retrieval embeds queries and passages in one vector space.',
  'ColBERT scores with late interaction over token vectors.',
  'これは日本語の文書です。検索のテスト。',
  '这是一个中文文档，用于检索测试。',
  'Hybrid search fuses lexical and semantic scores 🚀.',
  'The quick brown fox jumps over the lazy dog.',
  'Sparse lexical weights come from a linear head with ReLU.',
];

let encoder: Encoder;
let dir: string;
beforeAll(async () => {
  encoder = await loadEncoder(MODEL);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-e2e-'));
});
afterAll(async () => {
  await encoder.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Exhaustive oracle from the encoder's own outputs, in float64. */
async function oracle(query: string, w: [number, number, number]) {
  const [q] = await encoder.encode([query], { role: 'query' });
  const docs = await encoder.encode(TEXTS, { role: 'document' });
  return docs
    .map((d, i) => {
      const dense = q!.dense.reduce((s, v, j) => s + v * d.dense[j]!, 0);
      let sparse = 0;
      q!.sparse.ids.forEach((id, a) => {
        const b = d.sparse.ids.indexOf(id);
        if (b >= 0) sparse += q!.sparse.weights[a]! * d.sparse.weights[b]!;
      });
      const { data: qd, count: qc, dim } = q!.multivector;
      let mv = 0;
      for (let a = 0; a < qc; a++) {
        let best = -Infinity;
        for (let b = 0; b < d.multivector.count; b++) {
          let s = 0;
          for (let j = 0; j < dim; j++) s += qd[a * dim + j]! * d.multivector.data[b * dim + j]!;
          best = Math.max(best, s);
        }
        mv += best;
      }
      mv /= qc;
      return { id: i, fused: (w[0] * dense + w[1] * sparse + w[2] * mv) / (w[0] + w[1] + w[2]) };
    })
    .sort((a, b) => b.fused - a.fused);
}

describe('HybridIndex end to end on the tiny M3 fixture', () => {
  it('fused ranking equals the exhaustive oracle and survives save/open', async () => {
    const p = path.join(dir, 'idx');
    const index = await HybridIndex.create({ encoder, path: p, dense: { dtype: 'f32' }, multivector: { dtype: 'f32' }, fusion: { weights: [1, 0.3, 1] } });
    await index.add(TEXTS.map((text, id) => ({ id, text })));
    for (const q of ['what is BM25 retrieval?', '日本語の検索', 'late interaction token vectors']) {
      const hits = await index.search(q, { k: 5 });
      const ref = (await oracle(q, [1, 0.3, 1])).slice(0, 5);
      expect(hits.map((h) => h.id)).toEqual(ref.map((r) => r.id));
      hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(ref[i]!.fused, 4);
      });
    }
    const before = await index.search('hybrid lexical semantic', { k: 8, explain: true });
    await index.save();
    await index.close();
    const again = await HybridIndex.open(p, { encoder });
    expect(await again.search('hybrid lexical semantic', { k: 8, explain: true })).toEqual(before);
    const ex = before[0]!.explanation!;
    expect(ex.alignments.length).toBeGreaterThan(0);
    for (const a of ex.alignments) if (a.docSpan && a.docText !== undefined) expect(a.docText).toBe(TEXTS[before[0]!.id as number]!.slice(a.docSpan[0], a.docSpan[1]));
    await again.close();
  });

  it('late chunking over the real encoder yields chunk hits whose spans tile the text', async () => {
    const long = TEXTS.join(' ');
    const index = await HybridIndex.create({ encoder });
    await index.add([{ id: 'long', text: long }], { chunking: { kind: 'late', by: 'sentence', size: 1 } });
    const hits = await index.search('ColBERT late interaction', { k: 1 });
    expect(hits[0]!.chunk).toBeDefined();
    const st = index.stats() as { entries: number };
    expect(st.entries).toBeGreaterThan(3);
  });
});
