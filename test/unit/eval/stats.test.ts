import { describe, expect, it } from 'vitest';
import { compare, incompleteBeta, logGamma, seededRandom, studentTCdf, studentTQuantile, studentTTwoSided } from '../../../src/eval/index.js';

// Golden values computed with scipy 1.17.1 (scipy.special.betainc / gammaln, scipy.stats.t).
describe('special functions against scipy', () => {
  it('logGamma', () => {
    const cases: Array<[number, number]> = [
      [0.5, 0.5723649429247],
      [1, 0],
      [3.3, 0.9870985778947343],
      [7.25, 7.0521854507385395],
      [20.5, 40.8315009745308],
      [100, 359.1342053695754],
    ];
    for (const [x, want] of cases) expect(logGamma(x)).toBeCloseTo(want, 12);
    expect(Math.exp(logGamma(6))).toBeCloseTo(120, 10);
  });
  it('incompleteBeta', () => {
    const cases: Array<[number, number, number, number]> = [
      [0.3, 2, 3, 0.34829999999999994],
      [0.9, 0.5, 0.5, 0.7951672353008665],
      [0.2, 10, 0.5, 1.994982493613096e-8],
      [0.7, 50, 0.5, 2.5571939944368708e-9],
      [0.01, 1.5, 0.5, 0.0004256932865778925],
      [0.999, 3, 0.5, 0.9407468104840536],
    ];
    for (const [x, a, b, want] of cases) expect(Math.abs(incompleteBeta(x, a, b) - want) / want).toBeLessThan(1e-10);
  });
  it('Student t CDF, two-sided p and quantile', () => {
    const cdf: Array<[number, number, number, number]> = [
      [2.0, 10, 0.9633059826146299, 0.07338803477074037],
      [-1.3, 4, 0.13172579823561206, 0.2634515964712241],
      [0.5, 1, 0.6475836176504333, 0.7048327646991335],
      [3.7, 299, 0.9998717197560467, 0.00025656048790663173],
      [10, 2, 0.9950737714883372, 0.00985245702332569],
      [1.96, 1000, 0.9748634075221256, 0.050273184955748736],
    ];
    for (const [t, df, c, p] of cdf) {
      expect(studentTCdf(t, df)).toBeCloseTo(c, 12);
      expect(Math.abs(studentTTwoSided(t, df) - p) / p).toBeLessThan(1e-9);
    }
    const ppf: Array<[number, number, number]> = [
      [0.975, 10, 2.228138851986274],
      [0.975, 299, 1.9679296690656698],
      [0.975, 1, 12.706204736174694],
      [0.9, 3, 1.637744353696209],
    ];
    for (const [p, df, t] of ppf) expect(studentTQuantile(p, df)).toBeCloseTo(t, 9);
  });
  it('closed forms: df=1 is Cauchy, df=2 is t/(2√(2+t²)) + ½', () => {
    for (const t of [-7, -1, -0.3, 0, 0.4, 2.5, 30]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
    }
  });
});

describe('seededRandom', () => {
  it('is deterministic per seed and roughly uniform', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x / 2 ** 32, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });
});

const A = [0.52, 0.61, 0.33, 0.8, 0.45, 0.7, 0.12, 0.91, 0.64, 0.38];
const B = [0.48, 0.55, 0.4, 0.72, 0.41, 0.66, 0.15, 0.85, 0.6, 0.3];
const pq = (xs: number[]) => Object.fromEntries(xs.map((x, i) => [`q${i}`, { 'ndcg@10': x }]));

describe('compare', () => {
  it('paired t-test matches scipy.stats.ttest_rel and its 95% CI', () => {
    const c = compare(pq(A), pq(B), 'ndcg@10');
    expect(c.n).toBe(10);
    expect(c.tTest.t).toBeCloseTo(2.2451498111303416, 10);
    expect(c.tTest.df).toBe(9);
    expect(c.tTest.p).toBeCloseTo(0.0514089982468828, 10);
    expect(c.ci95[0]).toBeCloseTo(-0.0002575551768709064, 10);
    expect(c.ci95[1]).toBeCloseTo(0.06825755517687093, 10);
    expect(c.meanDiff).toBeCloseTo(0.034, 12);
    expect([c.wins, c.ties, c.losses]).toEqual([8, 0, 2]);
  });

  it('exact sign-flip test on small n equals a hand enumeration', () => {
    // d = [1, 2, 3]: |sum| = 6 is reached only by all-plus and all-minus → p = 2/8.
    const c = compare({ a: { m: 1 }, b: { m: 2 }, c: { m: 3 } }, { a: { m: 0 }, b: { m: 0 }, c: { m: 0 } }, 'm');
    expect(c.permutation).toMatchObject({ p: 0.25, exact: true, permutations: 8 });
  });

  it('identical runs give p = 1 on both tests; strongly different runs give small p', () => {
    const xs = Array.from({ length: 50 }, (_, i) => ((i * 37) % 11) / 11);
    const same = compare(pq(xs), pq(xs), 'ndcg@10');
    expect(same.tTest.p).toBe(1);
    expect(same.permutation.p).toBe(1);
    expect(same.ties).toBe(50);
    const better = xs.map((x, i) => Math.min(1, x + 0.2 + (i % 3) * 0.01));
    const diff = compare(pq(better), pq(xs), 'ndcg@10', { permutations: 2000, seed: 3 });
    expect(diff.permutation.exact).toBe(false);
    expect(diff.permutation.p).toBeLessThan(0.001);
    expect(diff.permutation.p).toBeCloseTo(1 / 2001, 12); // no random sign vector reaches the observed sum
    expect(diff.tTest.p).toBeLessThan(1e-6);
  });

  it('randomisation p agrees with the t-test p on a moderate effect and is seed-stable', () => {
    const rnd = seededRandom(11);
    const u = () => rnd() / 2 ** 32;
    const xa = Array.from({ length: 200 }, () => u());
    const xb = xa.map((x) => x - 0.02 + (u() - 0.5) * 0.3);
    const c1 = compare(pq(xa), pq(xb), 'ndcg@10', { seed: 1 });
    const c2 = compare(pq(xa), pq(xb), 'ndcg@10', { seed: 1 });
    expect(c1.permutation.p).toBe(c2.permutation.p);
    expect(Math.abs(c1.permutation.p - c1.tTest.p)).toBeLessThan(0.03);
  });

  it('rejects mismatched query sets, missing metrics and n < 2', () => {
    expect(() => compare({ a: { m: 1 }, b: { m: 1 } }, { a: { m: 1 }, c: { m: 1 } }, 'm')).toThrow(/same queries/);
    expect(() => compare({ a: { m: 1 }, b: { m: 1 } }, { a: { m: 1 }, b: { m: 1 } }, 'ndcg@10')).toThrow(/missing/);
    expect(() => compare({ a: { m: 1 } }, { a: { m: 1 } }, 'm')).toThrow(/at least 2/);
  });
});
