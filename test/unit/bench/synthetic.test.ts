import { describe, expect, it } from 'vitest';
import { TokenVectors, Zipf, gaussian, rng, zipfSparse } from '../../../bench/lib/synthetic.js';

describe('bench synthetic data', () => {
  it('rng is deterministic per seed, in [0, 1), roughly uniform', () => {
    const a = rng(5);
    const b = rng(5);
    const xs = Array.from({ length: 20_000 }, () => a());
    expect(Array.from({ length: 20_000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // σ/√n ≈ 0.002
    expect(rng(6)()).not.toBe(rng(5)());
  });

  it('gaussian has mean ≈ 0 and variance ≈ 1', () => {
    const g = gaussian(rng(9));
    const xs = Array.from({ length: 40_000 }, g);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(v - 1)).toBeLessThan(0.03);
  });

  it('Zipf probabilities follow 1/(r+1)^s and samples match them', () => {
    const z = new Zipf(4, 1);
    // weights 1, 1/2, 1/3, 1/4; total 25/12
    expect(z.probability(0)).toBeCloseTo(12 / 25, 12);
    expect(z.probability(3)).toBeCloseTo(3 / 25, 12);
    const counts = [0, 0, 0, 0];
    const r = rng(3);
    const n = 50_000;
    for (let i = 0; i < n; i++) counts[z.sample(r)]!++;
    for (let k = 0; k < 4; k++) {
      const p = z.probability(k);
      expect(Math.abs(counts[k]! / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
    expect(() => new Zipf(0, 1)).toThrow(RangeError);
  });

  it('zipfSparse gives sorted distinct ids and weights in (0, 0.35]', () => {
    const v = zipfSparse(new Zipf(1000, 1.07), 200, rng(4));
    expect(v.ids.length).toBe(v.weights.length);
    expect(v.ids.length).toBeLessThanOrEqual(200);
    for (let i = 1; i < v.ids.length; i++) expect(v.ids[i]!).toBeGreaterThan(v.ids[i - 1]!);
    for (const w of v.weights) {
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(0.35);
    }
  });

  it('TokenVectors: a query built from a document aligns with it better than with another', () => {
    const tv = new TokenVectors(32, 500, 1);
    const d1 = tv.document(150);
    const d2 = tv.document(150);
    expect(d1.data.length).toBe(150 * 32);
    const q = tv.query(16, d1.words, 1);
    const maxsim = (doc: Float32Array) => {
      let total = 0;
      for (let i = 0; i < 16; i++) {
        let best = -Infinity;
        for (let t = 0; t < 150; t++) {
          let dot = 0;
          let n = 0;
          for (let j = 0; j < 32; j++) {
            dot += q.data[i * 32 + j]! * doc[t * 32 + j]!;
            n += doc[t * 32 + j]! ** 2;
          }
          best = Math.max(best, dot / Math.sqrt(n));
        }
        total += best;
      }
      return total;
    };
    expect(maxsim(d1.data)).toBeGreaterThan(maxsim(d2.data));
    // query vectors are unit length
    let n0 = 0;
    for (let j = 0; j < 32; j++) n0 += q.data[j]! ** 2;
    expect(n0).toBeCloseTo(1, 5);
  });
});
