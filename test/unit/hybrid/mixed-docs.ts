// Seeded documents and queries for the four-channel segmented-index tests (dense, sparse,
// multi-vector `mv`, BM25 over `text`): the same seed always gives the same values.
import type { HybridIndex, SearchOptions } from '../../../src/index.js';

/** The four channels the generated documents feed (f16 dense and multi-vector of `dim`). */
export function mixedChannels(dim: number) {
  return [
    { name: 'dense', kind: 'dense' as const, dimensions: dim, dtype: 'f16' as const },
    { name: 'sparse', kind: 'sparse' as const },
    { name: 'mv', kind: 'multivector' as const, dimensions: dim, dtype: 'f16' as const },
    { name: 'bm25', kind: 'bm25' as const },
  ];
}

/** Every hit (id, score, per-channel scores) of every query under every search option, in order: what two indexes must agree on. */
export async function mixedAnswers(ix: HybridIndex, queries: readonly object[], searches: readonly SearchOptions[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of queries) for (const o of searches) out.push((await ix.search(q as never, o)).map((h) => [h.id, h.score, h.scores]));
  return out;
}
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'theta', 'kappa', 'lambda', 'sigma', 'omega', 'rho'];

/** Shape of the generated vectors: dimensions, sparse term draws per document / query out of `vocab`, words per text, token vectors per document / query. */
export interface MixedShape {
  dim: number;
  docTerms: number;
  queryTerms: number;
  vocab: number;
  words: number;
  docVectors: number;
  queryVectors: number;
}

/** `n` documents with ids from `from` on. */
export function mixedDocs(shape: MixedShape, from: number, n: number, seed: number) {
  const r = rng(seed);
  const vec = () => Float32Array.from({ length: shape.dim }, () => r() * 2 - 1);
  return Array.from({ length: n }, (_, i) => {
    const ids = Uint32Array.from(new Set(Array.from({ length: shape.docTerms }, () => Math.floor(r() * shape.vocab)))).sort();
    return {
      id: from + i,
      text: Array.from({ length: shape.words }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' '),
      vectors: { dense: vec(), sparse: { ids, weights: Float32Array.from(ids, () => r() + 0.1) }, mv: Array.from({ length: shape.docVectors }, vec) },
    };
  });
}

/** `count` queries for every channel. */
export function mixedQueries(shape: MixedShape, seed: number, count: number) {
  const r = rng(seed);
  const vec = () => Float32Array.from({ length: shape.dim }, () => r() * 2 - 1);
  return Array.from({ length: count }, () => {
    const ids = Uint32Array.from(new Set(Array.from({ length: shape.queryTerms }, () => Math.floor(r() * shape.vocab)))).sort();
    return { text: `${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]}`, vectors: { dense: vec(), sparse: { ids, weights: new Float32Array(ids.length).fill(1) }, mv: Array.from({ length: shape.queryVectors }, vec) } };
  });
}
