import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRerank, loadCrossEncoder } from '../../../src/rerank/index.js';
import { FIX, G, TOL } from '../encode/families/goldens.js';

describe('cross-encoder reranker (tiny XLMRobertaForSequenceClassification)', () => {
  const cs = G.reranker.cases as Array<{ query: string; document: string; maxLength: number; logit: number }>;
  it('pair <s> q </s></s> d </s>, truncation, raw logits and sigmoid', async () => {
    for (const L of [16, 64]) {
      const sel = cs.filter((c) => c.maxLength === L);
      const rr = await loadCrossEncoder(join(FIX, 'tiny-reranker'), { maxLength: L, batchSize: 2 });
      const sg = await loadCrossEncoder(join(FIX, 'tiny-reranker'), { maxLength: L, sigmoid: true });
      expect(rr.info.scale).toBe('logit');
      expect(sg.info.scale).toBe('probability');
      for (const c of sel) {
        const [raw] = await rr.rerank(c.query, [c.document]);
        const [p] = await sg.rerank(c.query, [c.document]);
        expect(Math.abs(raw! - c.logit), `${L} ${c.query}|${c.document}`).toBeLessThan(TOL);
        expect(Math.abs(p! - 1 / (1 + Math.exp(-c.logit)))).toBeLessThan(TOL);
      }
      // batched (padded) = one by one
      const q = sel[0]!.query;
      const docs = sel.filter((c) => c.query === q).map((c) => c.document);
      const batch = await rr.rerank(q, docs);
      for (let i = 0; i < docs.length; i++) expect(Math.abs(batch[i]! - (await rr.rerank(q, [docs[i]!]))[0]!)).toBeLessThan(1e-5);
      await rr.close();
      await sg.close();
      await expect(rr.rerank('q', ['d'])).rejects.toMatchObject({ code: 'ENCODER_CLOSED', name: 'EncoderClosedError' });
    }
  });

  it('applyRerank reorders the top-N by the reranker score and keeps the tail', async () => {
    const rr = await loadCrossEncoder(join(FIX, 'tiny-reranker'));
    const q = 'What is BM25?';
    const texts = ['BM25 is a bag-of-words retrieval function that ranks documents.', 'the cat and the dog and the cat', '東京は日本の首都です。', 'tail one', 'tail two'];
    const hits = texts.map((text, i) => ({ id: i, score: 1 - i / 10, text }));
    const scores = await rr.rerank(q, texts.slice(0, 3));
    const out = await applyRerank(rr, q, hits, 3);
    const expectOrder = [0, 1, 2].sort((a, b) => scores[b]! - scores[a]! || a - b);
    expect(out.map((h) => h.id)).toEqual([...expectOrder, 3, 4]);
    expect(out[0]!.rerankScore).toBeCloseTo(Math.max(...scores), 6);
    expect(out[3]!.rerankScore).toBeUndefined();
    await expect(applyRerank(rr, q, [{ id: 1 }], 1)).rejects.toMatchObject({ code: 'INVALID_TEXT' });
    await expect(applyRerank(rr, q, hits, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await rr.close();
  });
});
