/**
 * Test helper (not a test): a {@link Retriever} adapter over the BM25 sparse index, used by
 * bm25-published.test.ts and tools/bm25-published.ts. Documents are indexed as `title + ' ' + text`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnalyzer, TermVocabulary, termFrequencies, type AnalyzerKind } from '../../../src/analyze/index.js';
import { SparseIndex } from '../../../src/sparse/index.js';
import type { Dataset, Retriever } from '../../../src/eval/index.js';

/** `$TRIDENT_DATA_DIR`, else `shared/data` beside the repository, else /work/shared/data. */
export function dataDir(): string {
  if (process.env.TRIDENT_DATA_DIR) return process.env.TRIDENT_DATA_DIR;
  const beside = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
  return existsSync(beside) ? beside : '/work/shared/data';
}

/** Path of a dev set (never acceptance/). */
export const devSet = (name: string): string => join(dataDir(), 'dev', name);

/** Builds a BM25 index over the data set's corpus and wraps it as a Retriever. */
export function bm25Retriever(ds: Dataset, kind: AnalyzerKind, k1 = 0.9, b = 0.4): Retriever {
  const analyzer = createAnalyzer(kind);
  const vocab = new TermVocabulary();
  const index = SparseIndex.create({ scorer: 'bm25', k1, b });
  const ids: string[] = [];
  for (const [id, doc] of ds.corpus) {
    index.add(ids.length, termFrequencies(analyzer.terms(`${doc.title} ${doc.text}`), vocab, true));
    ids.push(id);
  }
  return {
    async search(q, k) {
      const hits = index.search(termFrequencies(analyzer.terms(q), vocab, false), k);
      return Array.from(hits.ids, (d, i) => ({ id: ids[d]!, score: hits.scores[i]! }));
    },
  };
}
