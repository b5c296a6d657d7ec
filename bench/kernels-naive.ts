// The naive TS baseline of bench/kernels.bench.ts: the loops a user would write without
// trident (plain numbers, no tiling, no typed-array tricks beyond Float32Array storage).

/** out[i] = (1/qCount) Σ_a max_j q_a · d_j over candidate i's vectors. */
export function naiveMaxsim(q: Float32Array, qCount: number, dim: number, docs: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void {
  for (let i = 0; i < starts.length; i++) {
    let total = 0;
    for (let a = 0; a < qCount; a++) {
      let best = -Infinity;
      for (let j = 0; j < counts[i]!; j++) {
        const off = (starts[i]! + j) * dim;
        let s = 0;
        for (let k = 0; k < dim; k++) s += q[a * dim + k]! * docs[off + k]!;
        if (s > best) best = s;
      }
      total += best;
    }
    out[i] = qCount > 0 && counts[i]! > 0 ? total / qCount : 0;
  }
}

/** out[r] = q · rows[r] for r < out.length. */
export function naiveDots(q: Float32Array, dim: number, rows: Float32Array, out: Float32Array): void {
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += q[k]! * rows[r * dim + k]!;
    out[r] = s;
  }
}
