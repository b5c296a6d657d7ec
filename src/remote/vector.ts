/**
 * Vector helpers of the remote stage: Matryoshka truncation and L2 normalisation.
 */

/**
 * Keeps the first `dim` components and L2-normalises them (eps 1e-12): the Matryoshka
 * rule for models trained with nested dimensions (OpenAI text-embedding-3, nomic, jina-v3…),
 * equal to what those APIs return for `dimensions: dim`.
 *
 * @example
 * ```ts
 * truncateNormalize([3, 4, 12], 2); // Float32Array [0.6, 0.8]
 * ```
 */
export function truncateNormalize(v: ArrayLike<number>, dim = v.length): Float32Array {
  const out = new Float32Array(dim);
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[i]!;
    out[i] = x;
    s += x * x;
  }
  const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
  for (let i = 0; i < dim; i++) out[i] = out[i]! * inv;
  return out;
}
