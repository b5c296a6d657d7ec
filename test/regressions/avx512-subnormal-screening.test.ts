// Regression (found by tools/fuzz/kernels-fuzz.ts, seeds 43304, 44462, 46374, 47973): the avx512
// f32/f16 MaxSim screens pairs with an int8 copy of each vector and a rigorous error bound. For a
// vector whose largest value is subnormal, 127 / maxabs overflows to +Inf, the int8 copy is
// garbage and the bound no longer holds, so the wrong pairs were pruned (a score 48% low).
// Fix: such vectors (and non-finite ones) take the brute-force path.
import { afterAll, describe, expect, it } from 'vitest';
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { toF16, fromF16 } from '../../src/kernels/f16.js';

afterAll(() => setIsa('auto'));

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** float64 MaxSim oracle. */
function oracle(q: Float32Array, qc: number, dim: number, d: ArrayLike<number>, nv: number): number {
  let total = 0;
  for (let a = 0; a < qc; a++) {
    let best = -Infinity;
    for (let j = 0; j < nv; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += q[a * dim + k]! * d[j * dim + k]!;
      best = Math.max(best, s);
    }
    total += best;
  }
  return total / qc;
}

describe('MaxSim with subnormal document vectors (int8 screening bound)', () => {
  const r = lcg(7);
  // enough query and document vectors for the screened path (≥ 4 and ≥ 8)
  const dim = 3;
  const qc = 20;
  const nv = 14;
  const q = Float32Array.from({ length: qc * dim }, () => {
    const u = r() * 2 - 1;
    return r() < 0.3 ? Math.sign(u) * 1e18 : r() < 0.5 ? u * 1e-30 : u * 1e3;
  });
  const d = Float32Array.from({ length: nv * dim }, () => (r() * 2 - 1) * 1e-40);
  const want = oracle(q, qc, dim, d, nv);
  let mag = 0;
  for (let a = 0; a < qc; a++) for (let j = 0; j < nv; j++) for (let k = 0; k < dim; k++) mag = Math.max(mag, Math.abs(q[a * dim + k]! * d[j * dim + k]!) * dim);

  it.each([...backend().available, 'js'])('%s: f32 equals the float64 oracle', (isa) => {
    setIsa(isa);
    const out = new Float32Array(1);
    kernels.maxsimF32(q, qc, dim, d, Uint32Array.of(0), Uint32Array.of(nv), out);
    expect(Math.abs(out[0]! - want)).toBeLessThanOrEqual(1e-5 * mag);
  });

  it.each([...backend().available, 'js'])('%s: a zero-norm-ish f16 candidate stays exact too', (isa) => {
    setIsa(isa);
    // f16 cannot hold 1e-40: use its own smallest subnormals (≈ 6e-8) with huge queries
    const h = toF16(Float32Array.from({ length: nv * dim }, (_, i) => ((i % 5) - 2) * 6e-8));
    const want16 = oracle(q, qc, dim, fromF16(h), nv);
    const out = new Float32Array(1);
    kernels.maxsimF16(q, qc, dim, h, Uint32Array.of(0), Uint32Array.of(nv), out);
    expect(Math.abs(out[0]! - want16)).toBeLessThanOrEqual(1e-5 * Math.abs(want16) + 1e-5 * 1e18 * 6e-8 * dim * 2);
  });
});
