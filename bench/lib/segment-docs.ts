// Deterministic synthetic documents for the segment benchmarks: 20-term sparse BM25 vectors
// (Zipf-like term ids over a 30,000-term vocabulary, tf 1–3) and 24 × 64 token vectors per
// document; document `i` has the same bytes in every process, so children can check answers.

export const DIM = 64;
export const TOKENS = 24;
export const TERMS = 20;
export const VOCAB = 30000;

export interface SegmentDocValue {
  sparse: { ids: Uint32Array; weights: Float32Array };
  multivector: { data: Float32Array; dim: number; count: number };
}

/** Document `i`. */
export function segmentDoc(i: number): SegmentDocValue {
  let s = (i * 2654435761 + 12345) >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const set = new Map<number, number>();
  while (set.size < TERMS) set.set(Math.floor(r() ** 3 * VOCAB), 1 + Math.floor(r() * 3));
  const ids = Uint32Array.from([...set.keys()].sort((a, b) => a - b));
  const data = new Float32Array(TOKENS * DIM);
  for (let k = 0; k < data.length; k++) data[k] = r() * 2 - 1;
  return { sparse: { ids, weights: Float32Array.from(ids, (t) => set.get(t)!) }, multivector: { data, dim: DIM, count: TOKENS } };
}

export interface SegmentQuery {
  sparse: { ids: Uint32Array; weights: Float32Array };
  mv: { data: Float32Array; dim: number; count: number };
  /** 100 candidate ids (even numbers below 2 × docs: the benches add document i as id 2i). */
  cand: number[];
}

/** `n` queries: 4 terms, 8 token vectors and 100 candidates among `docs` documents. */
export function segmentQueries(n: number, docs: number): SegmentQuery[] {
  return Array.from({ length: n }, (_, q) => {
    const d = segmentDoc(1_000_000_000 + q);
    const ids = d.sparse.ids.slice(0, 4);
    return { sparse: { ids, weights: new Float32Array(ids.length).fill(1) }, mv: { data: d.multivector.data.slice(0, 8 * DIM), dim: DIM, count: 8 }, cand: Array.from({ length: 100 }, (_, c) => ((q * 7919 + c * 104729) % docs) * 2) };
  });
}
