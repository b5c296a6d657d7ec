/**
 * The synthetic documents of bench/segments.bench.ts (same generator, same bytes): 20-term
 * sparse BM25 vectors over a skewed 30k vocabulary and 24 × 64 token vectors per document,
 * deterministic per index so every process builds the same collection.
 */
export const SEG_DIM = 64;
export const SEG_TOKENS = 24;
const TERMS = 20;
const VOCAB = 30000;

/** Deterministic document `i`. */
export function segmentDoc(i: number): { sparse: { ids: Uint32Array; weights: Float32Array }; multivector: { data: Float32Array; dim: number; count: number } } {
  let s = (i * 2654435761 + 12345) >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const set = new Map<number, number>();
  while (set.size < TERMS) set.set(Math.floor(r() ** 3 * VOCAB), 1 + Math.floor(r() * 3));
  const ids = Uint32Array.from([...set.keys()].sort((a, b) => a - b));
  const data = new Float32Array(SEG_TOKENS * SEG_DIM);
  for (let k = 0; k < data.length; k++) data[k] = r() * 2 - 1;
  return { sparse: { ids, weights: Float32Array.from(ids, (t) => set.get(t)!) }, multivector: { data, dim: SEG_DIM, count: SEG_TOKENS } };
}
