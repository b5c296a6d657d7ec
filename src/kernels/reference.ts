/**
 * Pure-TS twins of the native kernels: obviously correct loops, f64 accumulation.
 *
 * Formula (MaxSim, M3 / ColBERT): score(q, d) = (1/|q|) Σ_i max_j q_i · d_j, 0 when either
 * side has no vectors. Dots: out[i] = query · rows[rowIds ? rowIds[i] : i].
 *
 * Precision policy:
 * - f32 / f16: products and sums in f64 (f16 decoded exactly to f32 first), result rounded
 *   to f32 on store.
 * - i8: each query vector is quantised with {@link quantizeI8Row} (the same f32 arithmetic
 *   the native addon uses), the integer dot Σ q8·d8 is exact, and the pair score is
 *   f32(f32(Σ × qScale) × dScale) — bit-identical to native; per-query maxima are summed
 *   in f64 as native does.
 *
 * The screened MaxSim entry points (maxsimF32Screen / maxsimF16Screen) take the arena's int8
 * screening sidecar only to go faster natively; their result is the exact MaxSim, so the twin
 * checks the sidecar's shape and runs the plain f32 / f16 loops.
 *
 * Layout: row-major `count × dim`; candidates are `starts[i]`/`counts[i]` vector ranges
 * of the arena (see types.ts).
 */
import type { Kernels } from './types.js';
import { checkDocSums, checkDots, checkMaxsim, checkMaxsimScreen } from './validate.js';
import { f16Values, quantizeI8Row } from './f16.js';
import { codesBytes, unpackCodes } from './codes.js';
import { checkCodes } from './validate-codes.js';

// The three MaxSim loops are written out per dtype (no shared callback) so V8 keeps each
// monomorphic and inlined; they differ only in how a document value is read.

function maxsimF32Loop(query: Float32Array, qCount: number, dim: number, docs: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void {
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const c = counts[i]!;
    if (c === 0 || qCount === 0) {
      out[i] = 0;
      continue;
    }
    let total = 0;
    for (let qi = 0; qi < qCount; qi++) {
      const qo = qi * dim;
      let best = -Infinity;
      for (let j = 0; j < c; j++) {
        const d0 = (s + j) * dim;
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += query[qo + k]! * docs[d0 + k]!;
        if (dot > best) best = dot;
      }
      total += best;
    }
    out[i] = total / qCount;
  }
}

function maxsimF16Loop(query: Float32Array, qCount: number, dim: number, docs: Uint16Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void {
  const t = f16Values();
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const c = counts[i]!;
    if (c === 0 || qCount === 0) {
      out[i] = 0;
      continue;
    }
    let total = 0;
    for (let qi = 0; qi < qCount; qi++) {
      const qo = qi * dim;
      let best = -Infinity;
      for (let j = 0; j < c; j++) {
        const d0 = (s + j) * dim;
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += query[qo + k]! * t[docs[d0 + k]!]!;
        if (dot > best) best = dot;
      }
      total += best;
    }
    out[i] = total / qCount;
  }
}

function maxsimI8Loop(q8: Int8Array, qs: Float32Array, qCount: number, dim: number, docs: Int8Array, docScales: Float32Array, starts: Uint32Array, counts: Uint32Array, out: Float32Array): void {
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const c = counts[i]!;
    if (c === 0 || qCount === 0) {
      out[i] = 0;
      continue;
    }
    let total = 0;
    for (let qi = 0; qi < qCount; qi++) {
      let best = -Infinity;
      for (let j = 0; j < c; j++) {
        const dot = dotI8(q8, qi * dim, docs, (s + j) * dim, dim, qs[qi]!, docScales[s + j]!);
        if (dot > best) best = dot;
      }
      total += best;
    }
    out[i] = total / qCount;
  }
}

/** Quantises every query vector; returns int8 data and one scale per vector. */
function quantizeQuery(query: Float32Array, qCount: number, dim: number): { q8: Int8Array; qs: Float32Array } {
  const q8 = new Int8Array(qCount * dim);
  const qs = new Float32Array(qCount);
  for (let i = 0; i < qCount; i++) qs[i] = quantizeI8Row(query, i * dim, dim, q8, i * dim);
  return { q8, qs };
}

function dotI8(q8: Int8Array, qo: number, d8: Int8Array, doff: number, dim: number, qs: number, ds: number): number {
  let acc = 0;
  for (let k = 0; k < dim; k++) acc += q8[qo + k]! * d8[doff + k]!;
  return Math.fround(Math.fround(acc * qs) * ds);
}

/**
 * The pure-TS kernels (also the fallback when the native addon is unavailable).
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * referenceKernels.maxsimF32(new Float32Array([1, 0]), 1, 2, new Float32Array([0.5, 0.5]),
 *   new Uint32Array([0]), new Uint32Array([1]), out); // out[0] = 0.5
 * ```
 */
export const referenceKernels: Kernels = {
  maxsimF32(query, qCount, dim, docs, starts, counts, out) {
    checkMaxsim('maxsimF32', query, qCount, dim, docs, Float32Array, starts, counts, out);
    maxsimF32Loop(query, qCount, dim, docs, starts, counts, out);
  },

  maxsimF16(query, qCount, dim, docs, starts, counts, out) {
    checkMaxsim('maxsimF16', query, qCount, dim, docs, Uint16Array, starts, counts, out);
    maxsimF16Loop(query, qCount, dim, docs, starts, counts, out);
  },

  maxsimI8(query, qCount, dim, docs, docScales, starts, counts, out, docSums) {
    checkMaxsim('maxsimI8', query, qCount, dim, docs, Int8Array, starts, counts, out, docScales);
    checkDocSums('maxsimI8', docSums, docs, dim);
    const { q8, qs } = quantizeQuery(query, qCount, dim);
    maxsimI8Loop(q8, qs, qCount, dim, docs, docScales, starts, counts, out);
  },

  maxsimF32Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out) {
    checkMaxsimScreen('maxsimF32Screen', query, qCount, dim, docs, Float32Array, screenI8, screenStats, starts, counts, out);
    maxsimF32Loop(query, qCount, dim, docs, starts, counts, out);
  },

  maxsimF16Screen(query, qCount, dim, docs, screenI8, screenStats, starts, counts, out) {
    checkMaxsimScreen('maxsimF16Screen', query, qCount, dim, docs, Uint16Array, screenI8, screenStats, starts, counts, out);
    maxsimF16Loop(query, qCount, dim, docs, starts, counts, out);
  },

  maxsimCodes(query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales) {
    checkCodes(query, qCount, dim, codes, bits, table, scale, cids, norms, ct, k, starts, counts, out, centroids, centroidScales);
    const { q8, qs } = quantizeQuery(query, qCount, dim);
    if (centroids) {
      for (let i = 0; i < qCount; i++) for (let c = 0; c < k; c++) ct![i * k + c] = dotI8(q8, i * dim, centroids, c * dim, dim, qs[i]!, centroidScales![c]!);
    }
    const bytes = codesBytes(dim, bits);
    const code = new Uint8Array(dim);
    const m = new Int8Array(dim);
    const best = new Float64Array(qCount);
    for (let i = 0; i < starts.length; i++) {
      const s = starts[i]!;
      const c = counts[i]!;
      if (c === 0 || qCount === 0) {
        out[i] = 0;
        continue;
      }
      best.fill(-Infinity);
      for (let j = 0; j < c; j++) {
        unpackCodes(codes, (s + j) * bytes, dim, bits, code);
        for (let t = 0; t < dim; t++) m[t] = table[code[t]!]!;
        for (let qi = 0; qi < qCount; qi++) {
          let acc = 0;
          const qo = qi * dim;
          for (let t = 0; t < dim; t++) acc += q8[qo + t]! * m[t]!;
          let r = Math.fround(Math.fround(Math.fround(acc) * qs[qi]!) * scale);
          if (ct !== null) r = Math.fround(Math.fround(ct[qi * k + cids![s + j]!]! + r) * norms![s + j]!);
          if (r > best[qi]!) best[qi] = r;
        }
      }
      let total = 0;
      for (let qi = 0; qi < qCount; qi++) total += best[qi]!;
      out[i] = total / qCount;
    }
  },

  dotsF32(query, dim, rows, rowIds, out) {
    checkDots('dotsF32', query, dim, rows, Float32Array, rowIds, out);
    for (let i = 0; i < out.length; i++) {
      const r0 = (rowIds === null ? i : rowIds[i]!) * dim;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += query[k]! * rows[r0 + k]!;
      out[i] = dot;
    }
  },

  dotsF16(query, dim, rows, rowIds, out) {
    checkDots('dotsF16', query, dim, rows, Uint16Array, rowIds, out);
    const t = f16Values();
    for (let i = 0; i < out.length; i++) {
      const r0 = (rowIds === null ? i : rowIds[i]!) * dim;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += query[k]! * t[rows[r0 + k]!]!;
      out[i] = dot;
    }
  },

  dotsI8(query, dim, rows, rowScales, rowIds, out) {
    checkDots('dotsI8', query, dim, rows, Int8Array, rowIds, out, rowScales);
    const { q8, qs } = quantizeQuery(query, 1, dim);
    for (let i = 0; i < out.length; i++) {
      const r = rowIds === null ? i : rowIds[i]!;
      out[i] = dotI8(q8, 0, rows, r * dim, dim, qs[0]!, rowScales[r]!);
    }
  },
};
