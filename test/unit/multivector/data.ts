/** Test helpers for the multi-vector store: synthetic documents and a float64 MaxSim oracle. */
import type { MultiVector } from '../../../src/multivector/index.js';
import { gauss, rng } from '../dense/data.js';

/** A document of `count` random vectors (not normalised) with token ids and spans. */
export function randomDoc(r: () => number, dim: number, count: number): MultiVector {
  const data = new Float32Array(count * dim);
  for (let i = 0; i < data.length; i++) data[i] = gauss(r);
  const tokenIds = Uint32Array.from({ length: count }, () => Math.floor(r() * 250000) + 4);
  const charSpans: Array<[number, number]> = Array.from({ length: count }, (_, i) => [i * 5, i * 5 + 4]);
  return { data, dim, count, tokenIds, charSpans };
}

/** `n` documents with 0 … maxCount vectors each (seeded). */
export function randomDocs(seed: number, n: number, dim: number, maxCount: number): MultiVector[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => randomDoc(r, dim, Math.floor(r() * (maxCount + 1))));
}

/** Float64 MaxSim: mean over query vectors of the max dot over document vectors; 0 if either is empty. */
export function maxsim64(q: MultiVector, d: MultiVector): number {
  if (q.count === 0 || d.count === 0) return 0;
  const dim = q.dim;
  let total = 0;
  for (let i = 0; i < q.count; i++) {
    let best = -Infinity;
    for (let j = 0; j < d.count; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += q.data[i * dim + k]! * d.data[j * dim + k]!;
      if (s > best) best = s;
    }
    total += best;
  }
  return total / q.count;
}

/** L2-normalised copy of every vector of a multi-vector (float64 norms). */
export function normalisedCopy(mv: MultiVector): MultiVector {
  const data = new Float32Array(mv.data.length);
  for (let v = 0; v < mv.count; v++) {
    let s = 0;
    for (let k = 0; k < mv.dim; k++) s += mv.data[v * mv.dim + k]! ** 2;
    const n = Math.sqrt(s);
    for (let k = 0; k < mv.dim; k++) data[v * mv.dim + k] = mv.data[v * mv.dim + k]! / n;
  }
  return { ...mv, data };
}
