// Test helpers for kernel parity: seeded data, float64 brute-force oracles, tolerance bounds.
import { f16Values } from '../../src/kernels/f16.js';
import { rng } from '../helpers/rng.js';
export { rng };

/** rows × dim values in [-1, 1); each row L2-normalised when `normalise`. */
export function randomRows(r: () => number, rows: number, dim: number, normalise: boolean): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (let k = 0; k < dim; k++) {
      const v = r() * 2 - 1;
      out[i * dim + k] = v;
      n += v * v;
    }
    if (normalise && n > 0) {
      const s = 1 / Math.sqrt(n);
      for (let k = 0; k < dim; k++) out[i * dim + k] = out[i * dim + k]! * s;
    }
  }
  return out;
}

/** Copies `src` into a fresh buffer at element offset `offset` and returns that (unaligned) view. */
export function shifted<T extends Float32Array | Uint16Array | Int8Array | Uint32Array>(src: T, offset: number): T {
  const C = src.constructor as new (n: number) => T;
  const big = new C(src.length + offset + 3);
  big.set(src, offset);
  return big.subarray(offset, offset + src.length) as T;
}

/** Decodes any vector arena to f64 values: f32 as is, f16 exactly, i8 as scale × int. */
export type Decoded = (v: number, k: number) => number;

export function decodeF32(a: Float32Array, dim: number): Decoded {
  return (v, k) => a[v * dim + k]!;
}
export function decodeF16(a: Uint16Array, dim: number): Decoded {
  const t = f16Values();
  return (v, k) => t[a[v * dim + k]!]!;
}

/** float64 brute-force MaxSim over decoded vectors. */
export function maxsimOracle(q: Decoded, qCount: number, dim: number, d: Decoded, starts: Uint32Array, counts: Uint32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    if (counts[i] === 0 || qCount === 0) {
      out.push(0);
      continue;
    }
    let total = 0;
    for (let a = 0; a < qCount; a++) {
      let best = -Infinity;
      for (let j = 0; j < counts[i]!; j++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += q(a, k) * d(starts[i]! + j, k);
        best = Math.max(best, s);
      }
      total += best;
    }
    out.push(total / qCount);
  }
  return out;
}

/** max over (query vector, arena vector) pairs of Σ|q_k d_k|: the scale of f32 rounding error. */
export function magnitude(q: Decoded, qCount: number, dim: number, d: Decoded, vectors: number): number {
  let m = 0;
  for (let a = 0; a < qCount; a++) {
    for (let v = 0; v < vectors; v++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += Math.abs(q(a, k) * d(v, k));
      m = Math.max(m, s);
    }
  }
  return m;
}

/** Expects |got[i] - want[i]| <= tol for all i, with a readable failure. */
export function closeAll(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, label: string): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol)) throw new Error(`${label}: index ${i}: got ${got[i]}, want ${want[i]} (|err| ${err} > tol ${tol})`);
  }
}
