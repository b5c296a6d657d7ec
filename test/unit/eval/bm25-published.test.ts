/**
 * BM25 through the harness (loader + metrics) reproduces published nDCG@10 on the dev sets:
 * scifact 0.665 (BEIR/Anserini; ±0.01), nfcorpus 0.310 (this preprocessed release; ±0.02),
 * jsquad-ja 0.943 and cmrc2018-zh 0.984 (character bigrams; ±0.01). k1 = 0.9, b = 0.4.
 * Needs the shared data (see dataDir()); dev/ only.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, loadBeir } from '../../../src/eval/index.js';
import type { AnalyzerKind } from '../../../src/analyze/index.js';
import { bm25Retriever, devSet } from './bm25-retriever.js';

const cases: Array<{ set: string; analyzer: AnalyzerKind; published: number; tol: number; queries: number }> = [
  { set: 'scifact', analyzer: 'plain', published: 0.665, tol: 0.01, queries: 300 },
  { set: 'nfcorpus', analyzer: 'plain', published: 0.31, tol: 0.02, queries: 323 },
  { set: 'jsquad-ja', analyzer: 'bigram', published: 0.943, tol: 0.01, queries: 4442 },
  { set: 'cmrc2018-zh', analyzer: 'bigram', published: 0.984, tol: 0.01, queries: 3219 },
];

describe('BM25 reproduces published nDCG@10 through the harness', () => {
  for (const c of cases) {
    it(`${c.set} (${c.analyzer}) ≈ ${c.published}`, async () => {
      const ds = await loadBeir(devSet(c.set));
      expect(ds.report.unknownCorpusIds.count + ds.report.unknownQueryIds.count).toBe(0);
      const res = await evaluate(bm25Retriever(ds, c.analyzer), ds, { k: [10], metrics: ['ndcg', 'recall'] });
      expect(res.config.queries).toBe(c.queries);
      expect(Math.abs(res.metrics['ndcg@10']! - c.published)).toBeLessThanOrEqual(c.tol);
    });
  }
});
