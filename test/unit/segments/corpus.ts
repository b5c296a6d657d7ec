// Synthetic documents for the segment tests: Zipf-ish sparse term frequencies (integer, as
// BM25's) and random unit-ish token vectors.
import type { MultiVector } from '../../../src/multivector/types.js';
import type { SparseVector } from '../../../src/sparse/vector.js';
import { rng } from '../../helpers/rng.js';

export interface Doc {
  id: number;
  sparse: SparseVector;
  multivector: MultiVector;
}

export function sparseVec(r: () => number, vocab: number, terms: number): SparseVector {
  const set = new Map<number, number>();
  while (set.size < terms) {
    const t = Math.floor(r() ** 2 * vocab); // skewed: low ids are frequent
    set.set(t, 1 + Math.floor(r() * 4));
  }
  const ids = Uint32Array.from([...set.keys()].sort((a, b) => a - b));
  return { ids, weights: Float32Array.from(ids, (i) => set.get(i)!) };
}

export function multiVec(r: () => number, dim: number, count: number): MultiVector {
  const data = new Float32Array(dim * count);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return { data, dim, count };
}

export function makeDocs(n: number, seed: number, opts: { vocab?: number; terms?: number; dim?: number } = {}): Doc[] {
  const r = rng(seed);
  const docs: Doc[] = [];
  for (let i = 0; i < n; i++) {
    docs.push({
      id: i * 3 + (i % 2), // sparse, non-contiguous ids
      sparse: sparseVec(r, opts.vocab ?? 300, 1 + Math.floor(r() * (opts.terms ?? 12))),
      multivector: multiVec(r, opts.dim ?? 16, 1 + Math.floor(r() * 6)),
    });
  }
  return docs;
}
