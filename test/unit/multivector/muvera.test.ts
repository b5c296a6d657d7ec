// MUVERA fixed dimensional encodings (FdeEncoder) against brute-force oracles written here.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { FdeEncoder, type MultiVector } from '../../../src/multivector/index.js';
import { rng } from '../dense/data.js';
import { randomDoc } from './data.js';

const DIM = 12;

const dot64 = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const token = (mv: MultiVector, t: number): Float32Array => mv.data.subarray(t * mv.dim, (t + 1) * mv.dim);

/**
 * Partition of each token in each repetition, read off single-token query encodings (one
 * non-zero block: the token's partition), without projection. Checks that block equals the token.
 */
function partitions(enc: FdeEncoder, mv: MultiVector): number[][] {
  const { repetitions: R, simhashBits: k } = enc.settings;
  const parts = 1 << k;
  return Array.from({ length: mv.count }, (_, t) => {
    const one = enc.encodeQuery({ data: token(mv, t).slice(), dim: mv.dim, count: 1 });
    return Array.from({ length: R }, (_, r) => {
      const hit: number[] = [];
      for (let c = 0; c < parts; c++) {
        const block = one.subarray((r * parts + c) * DIM, (r * parts + c + 1) * DIM);
        if (block.some((v) => v !== 0)) {
          expect(Array.from(block)).toEqual(Array.from(token(mv, t)));
          hit.push(c);
        }
      }
      expect(hit.length).toBe(1);
      return hit[0]!;
    });
  });
}

const hamming = (a: number, b: number): number => {
  let x = a ^ b;
  let n = 0;
  while (x) {
    n += x & 1;
    x >>>= 1;
  }
  return n;
};

/** Σ_r Σ_c (Σ_{q in c} q) · docBlock(c), docBlock = mean of the doc's tokens in c or the Hamming-nearest token. */
function partitionOracle(enc: FdeEncoder, q: MultiVector, d: MultiVector): number {
  const { repetitions: R, simhashBits: k, fillEmpty } = enc.settings;
  const qp = partitions(enc, q);
  const dp = partitions(enc, d);
  let total = 0;
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < 1 << k; c++) {
      const qs = new Float64Array(DIM);
      for (let t = 0; t < q.count; t++) if (qp[t]![r] === c) for (let j = 0; j < DIM; j++) qs[j]! += token(q, t)[j]!;
      const mine = Array.from({ length: d.count }, (_, t) => t).filter((t) => dp[t]![r] === c);
      const block = new Float64Array(DIM);
      if (mine.length > 0) {
        for (const t of mine) for (let j = 0; j < DIM; j++) block[j]! += token(d, t)[j]! / mine.length;
      } else if (fillEmpty && d.count > 0) {
        let best = 0;
        for (let t = 1; t < d.count; t++) if (hamming(dp[t]![r]!, c) < hamming(dp[best]![r]!, c)) best = t;
        for (let j = 0; j < DIM; j++) block[j] = token(d, best)[j]!;
      }
      for (let j = 0; j < DIM; j++) total += qs[j]! * block[j]!;
    }
  }
  return total;
}

describe('FdeEncoder (MUVERA fixed dimensional encodings)', () => {
  const r = rng(17);
  const docs = Array.from({ length: 8 }, (_, i) => randomDoc(r, DIM, 1 + i * 3));
  const queries = Array.from({ length: 4 }, () => randomDoc(r, DIM, 5));

  it('FDE dot equals the sum over partitions computed directly (filled and unfilled)', () => {
    for (const fillEmpty of [true, false]) {
      const enc = FdeEncoder.create({ dimensions: DIM, repetitions: 3, simhashBits: 3, projection: null, fillEmpty, seed: 5 });
      expect(enc.outputDimensions).toBe(3 * 8 * DIM);
      for (const q of queries) {
        const qf = enc.encodeQuery(q);
        for (const d of docs) {
          const want = partitionOracle(enc, q, d);
          expect(dot64(qf, enc.encodeDocument(d))).toBeCloseTo(want, 4);
        }
      }
    }
  });

  it('one partition, one repetition: query·doc FDE dot = Σ_q q · mean_d(d)', () => {
    const enc = FdeEncoder.create({ dimensions: DIM, repetitions: 1, simhashBits: 0, projection: null });
    for (const q of queries) {
      for (const d of docs) {
        const mean = new Float64Array(DIM);
        for (let t = 0; t < d.count; t++) for (let j = 0; j < DIM; j++) mean[j]! += token(d, t)[j]! / d.count;
        let want = 0;
        for (let t = 0; t < q.count; t++) for (let j = 0; j < DIM; j++) want += token(q, t)[j]! * mean[j]!;
        expect(dot64(enc.encodeQuery(q), enc.encodeDocument(d))).toBeCloseTo(want, 4);
      }
    }
  });

  it('is deterministic by seed; another seed draws other hyperplanes', () => {
    const opts = { dimensions: DIM, repetitions: 4, simhashBits: 3, projection: 5, finalDimensions: 64 };
    const a = FdeEncoder.create({ ...opts, seed: 9 });
    const b = FdeEncoder.create({ ...opts, seed: 9 });
    const c = FdeEncoder.create({ ...opts, seed: 10 });
    expect(Array.from(a.encodeDocument(docs[5]!))).toEqual(Array.from(b.encodeDocument(docs[5]!)));
    expect(Array.from(a.encodeQuery(queries[0]!))).toEqual(Array.from(b.encodeQuery(queries[0]!)));
    expect(Array.from(a.encodeDocument(docs[5]!))).not.toEqual(Array.from(c.encodeDocument(docs[5]!)));
  });

  it('query encodings are linear in the tokens (inner and final projections are linear maps)', () => {
    // one partition, so concatenating two queries sums their encodings
    const enc = FdeEncoder.create({ dimensions: DIM, repetitions: 3, simhashBits: 0, projection: 4, finalDimensions: 7 });
    expect(enc.outputDimensions).toBe(7);
    const [q1, q2] = queries as [MultiVector, MultiVector];
    const both = { data: new Float32Array([...q1.data, ...q2.data]), dim: DIM, count: q1.count + q2.count };
    const sum = enc.encodeQuery(q1).map((v, i) => v + enc.encodeQuery(q2)[i]!);
    const got = enc.encodeQuery(both);
    for (let i = 0; i < 7; i++) expect(got[i]).toBeCloseTo(sum[i]!, 4);
    // the projection is a ±1/√d_proj matrix: each projected coordinate of one token has |x·s|/… bounded by ‖x‖₁/√d_proj
    const one = FdeEncoder.create({ dimensions: DIM, repetitions: 1, simhashBits: 0, projection: 4 }).encodeQuery({ data: token(q1, 0).slice(), dim: DIM, count: 1 });
    const l1 = token(q1, 0).reduce((s, v) => s + Math.abs(v), 0);
    for (const v of one) expect(Math.abs(v)).toBeLessThanOrEqual(l1 / 2 + 1e-5);
  });

  it('approximates Chamfer similarity: the FDE ranking puts the MaxSim-best document first among clustered ones', () => {
    const rr = rng(3);
    const base = randomDoc(rr, DIM, 6);
    // documents share topics; the query is a noisy subset of document 0's tokens
    const cands = Array.from({ length: 20 }, () => {
      const count = 6;
      const data = new Float32Array(count * DIM);
      for (let t = 0; t < count; t++) for (let j = 0; j < DIM; j++) data[t * DIM + j] = base.data[Math.floor(rr() * 6) * DIM + j]! + 1.5 * (rr() - 0.5);
      return { data, dim: DIM, count };
    });
    const q = { data: cands[0]!.data.map((v) => v + 0.05 * (rr() - 0.5)), dim: DIM, count: 6 };
    const enc = FdeEncoder.create({ dimensions: DIM, repetitions: 20, simhashBits: 3, projection: null });
    const qf = enc.encodeQuery(q);
    const fde = cands.map((d) => dot64(qf, enc.encodeDocument(d)));
    expect(fde.indexOf(Math.max(...fde))).toBe(0);
  });

  it('empty inputs encode to zeros', () => {
    const enc = FdeEncoder.create({ dimensions: DIM, repetitions: 2, simhashBits: 2 });
    const empty = { data: new Float32Array(0), dim: DIM, count: 0 };
    expect(enc.encodeDocument(empty).every((v) => v === 0)).toBe(true);
    expect(enc.encodeQuery(empty).every((v) => v === 0)).toBe(true);
  });

  it('bad parameters are InvalidArgumentError', () => {
    const bad: unknown[] = [
      null,
      {},
      { dimensions: 0 },
      { dimensions: 8, repetitions: 0 },
      { dimensions: 8, repetitions: 1.5 },
      { dimensions: 8, simhashBits: 13 },
      { dimensions: 8, simhashBits: -1 },
      { dimensions: 8, projection: 9 },
      { dimensions: 8, projection: 0 },
      { dimensions: 8, finalDimensions: 0 },
      { dimensions: 8, fillEmpty: 'yes' },
      { dimensions: 8, seed: -1 },
      { dimensions: 8, kSim: 4 },
      { dimensions: 4096, repetitions: 1024, simhashBits: 12, projection: null },
    ];
    for (const opts of bad) expect(() => FdeEncoder.create(opts as never), JSON.stringify(opts)).toThrow(InvalidArgumentError);
    const enc = FdeEncoder.create({ dimensions: 8 });
    expect(() => enc.encodeQuery({ data: new Float32Array(7), dim: 8, count: 1 })).toThrow(InvalidArgumentError);
    expect(() => enc.encodeDocument({ data: new Float32Array(8), dim: 7, count: 1 })).toThrow(expect.objectContaining({ code: 'DIMENSION_MISMATCH' }));
  });
});
