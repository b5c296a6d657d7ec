// Codecs of the compressed dtypes: layout round trips, binary = sign, residual training and
// encoding against brute-force nearest-centroid and bucket oracles; fuzzed shapes.
import { describe, expect, it } from 'vitest';
import { codesBytes, packCodes, unpackCodes } from '../../../src/kernels/codes.js';
import { decodeVector, defaultCentroids, encodeBinary, encodeResidual, lloydMax, trainResidual } from '../../../src/multivector/codec.js';
import { quantizeI8 } from '../../../src/kernels/f16.js';
import { referenceKernels } from '../../../src/kernels/reference.js';
import { randomRows, rng } from '../../parity/kernels-helpers.js';

/** n normalised rows around `c` random unit centres (noise sigma per dimension). */
function clustered(seed: number, n: number, dim: number, c: number, sigma: number): Float32Array {
  const r = rng(seed);
  const centres = randomRows(r, c, dim, true);
  const out = new Float32Array(n * dim);
  for (let v = 0; v < n; v++) {
    const k = Math.floor(r() * c);
    let nn = 0;
    for (let t = 0; t < dim; t++) {
      const x = centres[k * dim + t]! + sigma * (r() + r() + r() - 1.5);
      out[v * dim + t] = x;
      nn += x * x;
    }
    for (let t = 0; t < dim; t++) out[v * dim + t] = out[v * dim + t]! / Math.sqrt(nn);
  }
  return out;
}

describe('codes layout', () => {
  it('pack ∘ unpack is the identity for every width and awkward dims', () => {
    const r = rng(3);
    for (const bits of [1, 2, 4]) {
      for (const dim of [1, 5, 63, 64, 65, 127, 129, 1000]) {
        const codes = Uint8Array.from({ length: dim }, () => Math.floor(r() * (1 << bits)));
        const out = new Uint8Array(codesBytes(dim, bits) + 2);
        packCodes(codes, dim, bits, out, 1);
        expect(Array.from(unpackCodes(out, 1, dim, bits))).toEqual(Array.from(codes));
        expect(out[0]).toBe(0);
        expect(out[out.length - 1]).toBe(0);
      }
    }
  });
});

describe('binary codec', () => {
  it('decodes to sign(x)/sqrt(dim)', () => {
    for (const dim of [1, 7, 64, 100, 1024]) {
      const rows = randomRows(rng(dim), 5, dim, true);
      const out = new Uint8Array(5 * codesBytes(dim, 1));
      encodeBinary(rows, 5, dim, out, 0);
      for (let v = 0; v < 5; v++) {
        const x = decodeVector(out, v * codesBytes(dim, 1), dim, 1, null, 0);
        for (let t = 0; t < dim; t++) expect(x[t]).toBe(Math.fround((rows[v * dim + t]! >= 0 ? 1 : -1) * Math.fround(1 / Math.sqrt(dim))));
      }
    }
  });
});

describe('residual codec', () => {
  const dim = 96;
  const n = 3000;
  const rows = clustered(11, n, dim, 24, 0.08);
  it('encodes each vector to its nearest (int8) centroid and the right bucket; error falls with bits', () => {
    const errs: number[] = [];
    for (const bits of [1, 2, 4] as const) {
      const cb = trainResidual(rows, n, dim, { bits, k: 32 });
      expect(cb.levels.length).toBe(1 << bits);
      for (let j = 1; j < cb.cutoffs.length; j++) expect(cb.cutoffs[j]!).toBeGreaterThanOrEqual(cb.cutoffs[j - 1]!);
      const m = 200;
      const bytes = codesBytes(dim, bits);
      const out = new Uint8Array(m * bytes);
      const cids = new Uint16Array(m);
      encodeResidual(cb, rows, m, out, 0, cids, 0);
      let err = 0;
      for (let v = 0; v < m; v++) {
        // brute-force nearest centroid by the same int8 scores (ties → lower id)
        const x = rows.subarray(v * dim, (v + 1) * dim);
        // nearest centroid: argmax of the int8 dot − ½|c|² (Euclidean), ties → lower id
        const dots = new Float32Array(cb.k);
        referenceKernels.dotsI8(x, dim, cb.centroids, cb.centroidScales, null, dots);
        const sc = Array.from(dots, (d, c) => {
          let n = 0;
          for (let t = 0; t < dim; t++) n += Math.fround(cb.centroidScales[c]! * cb.centroids[c * dim + t]!) ** 2;
          return d - Math.fround(n / 2);
        });
        expect(sc.indexOf(Math.max(...sc))).toBe(cids[v]);
        const codes = unpackCodes(out, v * bytes, dim, bits);
        const dec = decodeVector(out, v * bytes, dim, bits, cb, cids[v]!);
        for (let t = 0; t < dim; t++) {
          const res = x[t]! - Math.fround(cb.centroidScales[cids[v]!]! * cb.centroids[cids[v]! * dim + t]!);
          const want = cb.cutoffs.filter((c) => res > c).length;
          expect(codes[t]).toBe(want);
          err += (dec[t]! - x[t]!) ** 2;
        }
      }
      errs.push(err / m);
    }
    expect(errs[1]!).toBeLessThan(errs[0]!);
    expect(errs[2]!).toBeLessThan(errs[1]!);
    expect(errs[1]!).toBeLessThan(0.1); // 2-bit: squared error per unit vector well below 0.1
  });

  it('training is deterministic for a seed and handles tiny inputs (k clamps to n)', () => {
    const a = trainResidual(rows, 50, dim, { bits: 2, k: 8, seed: 5 });
    const b = trainResidual(rows, 50, dim, { bits: 2, k: 8, seed: 5 });
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    const tiny = trainResidual(rows, 3, dim, { bits: 1, k: 16 });
    expect(tiny.k).toBe(3);
    expect(() => trainResidual(rows, 0, dim, { bits: 2 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
  it('repeated token vectors (a static model): k distinct rows → one centroid each, exact decode', () => {
    // 40 distinct unit rows, repeated with Zipf-like frequencies: a static model's token vectors
    const distinct = randomRows(rng(21), 40, dim, true);
    const r = rng(22);
    const n2 = 4000;
    const rep = new Float32Array(n2 * dim);
    for (let v = 0; v < n2; v++) {
      const w = Math.min(39, Math.floor(40 ** r()) - 1 + Math.floor(r() * 2));
      rep.set(distinct.subarray(w * dim, (w + 1) * dim), v * dim);
    }
    const cb = trainResidual(rep, n2, dim, { bits: 2, k: 40 });
    // oracle: the int8 image of each distinct row is one of the centroids
    const q = quantizeI8(distinct, dim);
    const rows = new Set(Array.from({ length: 40 }, (_, c) => Array.from(cb.centroids.subarray(c * dim, (c + 1) * dim)).join()));
    for (let w = 0; w < 40; w++) expect(rows.has(Array.from(q.data.subarray(w * dim, (w + 1) * dim)).join())).toBe(true);
    const bytes = codesBytes(dim, 2);
    const out = new Uint8Array(n2 * bytes);
    const cids = new Uint16Array(n2);
    const norms = new Float32Array(n2);
    encodeResidual(cb, rep, n2, out, 0, cids, 0, norms);
    let err = 0;
    for (let v = 0; v < n2; v++) {
      const dec = decodeVector(out, v * bytes, dim, 2, cb, cids[v]!, norms[v]!);
      for (let t = 0; t < dim; t++) err += (dec[t]! - rep[v * dim + t]!) ** 2;
    }
    expect(err / n2).toBeLessThan(1e-3); // int8 rounding of the centroids only
  });

  it('residual buckets: Lloyd-Max fixed point, exact on 2^bits-point data, lower MSE than quantiles', () => {
    const mse = (vals: Float32Array, dec: number[], cut: ArrayLike<number>) => {
      let e = 0;
      for (const x of vals) {
        let c = 0;
        while (c < cut.length && x > cut[c]!) c++;
        e += (x - dec[c]!) ** 2;
      }
      return e / vals.length;
    };
    // heavy-tailed residuals: a spike at 0 (reproduced tokens) + Laplace tails
    const r = rng(31);
    const vals = Float32Array.from({ length: 20000 }, () => (r() < 0.5 ? 0 : (r() < 0.5 ? -1 : 1) * 0.05 * -Math.log(r() || 1e-9))).sort();
    for (const bits of [1, 2, 4] as const) {
      const q = lloydMax(vals, bits);
      const L = 1 << bits;
      const dec = Array.from(q.levels, (l) => Math.fround(q.scale * l));
      for (let j = 1; j < L; j++) {
        expect(dec[j]!).toBeGreaterThanOrEqual(dec[j - 1]!);
        expect(q.cutoffs[j - 1]).toBeCloseTo((dec[j - 1]! + dec[j]!) / 2, 7); // nearest level
      }
      // fixed point: each level is its bucket's mean, up to the int8 grid (half a step)
      for (let j = 0; j < L; j++) {
        const inb = Array.from(vals).filter((x) => (j === 0 || x > q.cutoffs[j - 1]!) && (j === L - 1 || x <= q.cutoffs[j]!));
        if (inb.length === 0) continue;
        const mean = inb.reduce((a, b) => a + b, 0) / inb.length;
        expect(Math.abs(dec[j]! - mean)).toBeLessThanOrEqual(q.scale * 0.5 + Math.abs(mean) * 0.02 + 1e-7);
      }
      // brute-force comparison: the quantile quantiser (the old rule) has a larger MSE
      const qt = (p: number) => vals[Math.min(vals.length - 1, Math.floor(p * vals.length))]!;
      const qCut = Array.from({ length: L - 1 }, (_, j) => qt((j + 1) / L));
      const qDec = Array.from({ length: L }, (_, j) => qt((j + 0.5) / L));
      expect(mse(vals, dec, q.cutoffs)).toBeLessThan(mse(vals, qDec, qCut));
    }
    // 2^bits distinct values: each becomes a level (to the int8 grid)
    const pts = [-0.3, -0.01, 0.02, 0.5];
    const four = Float32Array.from({ length: 400 }, (_, i) => pts[i % 4]!).sort();
    const q2 = lloydMax(four, 2);
    for (let j = 0; j < 4; j++) expect(Math.abs(q2.scale * q2.levels[j]! - pts[j]!)).toBeLessThanOrEqual(q2.scale / 2 + 1e-7);
  });

  it('default k follows ColBERTv2 (2^floor(log2(16·√n))) within [1, min(n, 65536)]', () => {
    expect(defaultCentroids(1)).toBe(1);
    expect(defaultCentroids(100)).toBe(100); // 160 → 128, clamped to n
    expect(defaultCentroids(1000)).toBe(256); // 16·31.6 = 506
    expect(defaultCentroids(131072)).toBe(4096); // 16·362 = 5793
    expect(defaultCentroids(1_000_000)).toBe(8192); // 16000
    expect(defaultCentroids(1e12)).toBe(65536);
  });
});
