// BM25 reproduces the published dev-set figures (data README): runs only where the dev data exist.
import { describe, it, expect } from 'vitest';
import { SparseIndex } from '../../../src/sparse/index.js';
import { createAnalyzer, TermVocabulary, termFrequencies, type AnalyzerKind } from '../../../src/analyze/index.js';
import { hasDev, loadBeir, ndcgAt } from './beir.js';

function bm25Ndcg(set: string, kind: AnalyzerKind): number {
  const data = loadBeir(set);
  const analyzer = createAnalyzer(kind);
  const vocab = new TermVocabulary();
  const index = SparseIndex.create({ scorer: 'bm25', k1: 0.9, b: 0.4 });
  index.addBatch(
    data.docs.map((_, i) => i),
    data.docs.map((d) => termFrequencies(analyzer.terms(d.text), vocab, true)),
  );
  let sum = 0;
  for (const q of data.queries) {
    const hits = index.search(termFrequencies(analyzer.terms(q.text), vocab, false), 10);
    sum += ndcgAt(
      Array.from(hits.ids, (i) => data.docs[i]!.id),
      data.qrels.get(q.id)!,
    );
  }
  return sum / data.queries.length;
}

describe.skipIf(!hasDev('scifact'))('BM25 on dev/scifact', () => {
  it('plain \\w+ analyser: nDCG@10 within 0.01 of the published 0.665 (reference 0.660)', () => {
    const n = bm25Ndcg('scifact', 'plain');
    expect(Math.abs(n - 0.665)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(n - 0.66)).toBeLessThanOrEqual(0.005);
  });
  it('english analyser matches or beats wink-bm25-text-search (0.675)', () => {
    expect(bm25Ndcg('scifact', 'english')).toBeGreaterThanOrEqual(0.675);
  });
});

describe.skipIf(!hasDev('nfcorpus'))('BM25 on dev/nfcorpus', () => {
  it('plain analyser ≈ 0.310', () => {
    expect(Math.abs(bm25Ndcg('nfcorpus', 'plain') - 0.31)).toBeLessThanOrEqual(0.01);
  });
});

describe.skipIf(!hasDev('jsquad-ja') || !hasDev('cmrc2018-zh'))('BM25 with character bigrams', () => {
  it('jsquad-ja ≈ 0.943 and cmrc2018-zh ≈ 0.984', () => {
    expect(Math.abs(bm25Ndcg('jsquad-ja', 'bigram') - 0.943)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(bm25Ndcg('cmrc2018-zh', 'bigram') - 0.984)).toBeLessThanOrEqual(0.01);
  });
});
