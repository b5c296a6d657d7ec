/**
 * Paired significance tests between two evaluations over the same queries:
 * Student's paired t-test and a paired randomisation (sign-flip permutation) test.
 */
import { invalid } from '../errors.js';
import type { EvalResult } from './evaluate.js';
import { seededRandom, studentTQuantile, studentTTwoSided } from './stats.js';

/**
 * Options of {@link compare}.
 *
 * @example
 * ```ts
 * compare(a, b, 'ndcg@10', { permutations: 20_000, seed: 7 });
 * ```
 */
export interface CompareOptions {
  /** Random sign-flip permutations (default 10,000). If 2^n ≤ this, all 2^n are enumerated (exact test). */
  permutations?: number;
  /** PRNG seed (default 42). */
  seed?: number;
  /** |a − b| ≤ this counts as a tie (default 1e-12). */
  tieTolerance?: number;
}

/**
 * Result of {@link compare}; differences are A − B.
 *
 * @example
 * ```ts
 * const { meanDiff, ci95, tTest, permutation } = compare(a, b, 'ndcg@10');
 * ```
 */
export interface Comparison {
  metric: string;
  /** Number of paired queries. */
  n: number;
  meanA: number;
  meanB: number;
  meanDiff: number;
  /** 95% confidence interval of the mean difference (t distribution, n − 1 df). */
  ci95: [number, number];
  /** Paired t-test: t = mean(d) / (sd(d) / √n), df = n − 1, two-sided p. */
  tTest: { t: number; df: number; p: number };
  /**
   * Randomisation test: p = (1 + #{perm: |Σ s_i d_i| ≥ |Σ d_i|}) / (1 + N) with random signs s_i
   * (Phipson & Smyth), or the exact proportion over all 2^n sign vectors when `exact`.
   */
  permutation: { p: number; permutations: number; exact: boolean; seed: number };
  /** Queries where A > B, A = B (within tolerance), A < B. */
  wins: number;
  ties: number;
  losses: number;
}

type PerQuery = Record<string, Record<string, number>>;

function perQueryOf(x: EvalResult | PerQuery, label: string): PerQuery {
  if (x === null || typeof x !== 'object') invalid('INVALID_ARGUMENT', `${label} must be an EvalResult or a perQuery record`);
  const pq = 'perQuery' in x && typeof (x as EvalResult).perQuery === 'object' ? (x as EvalResult).perQuery : (x as PerQuery);
  return pq;
}

/**
 * Paired values of `metric`, in A's query order; throws if query sets or the metric differ.
 *
 * @example
 * ```ts
 * const { ids, xa, xb } = pairValues(resultA, resultB, 'ndcg@10'); // xa[i], xb[i] belong to query ids[i]
 * ```
 */
export function pairValues(a: EvalResult | PerQuery, b: EvalResult | PerQuery, metric: string): { ids: string[]; xa: number[]; xb: number[] } {
  const pa = perQueryOf(a, 'resultA');
  const pb = perQueryOf(b, 'resultB');
  const ids = Object.keys(pa);
  const onlyA = ids.filter((q) => !(q in pb));
  const onlyB = Object.keys(pb).filter((q) => !(q in pa));
  if (onlyA.length > 0 || onlyB.length > 0) {
    invalid('INVALID_ARGUMENT', `paired comparison needs the same queries: ${onlyA.length} only in A (e.g. ${onlyA.slice(0, 3).join(', ')}), ${onlyB.length} only in B (e.g. ${onlyB.slice(0, 3).join(', ')}); evaluate both on the same data set and options`);
  }
  if (ids.length < 2) invalid('INVALID_ARGUMENT', `paired comparison needs at least 2 queries, got ${ids.length}`);
  const xa: number[] = [];
  const xb: number[] = [];
  for (const q of ids) {
    const va = pa[q]![metric];
    const vb = pb[q]![metric];
    if (typeof va !== 'number' || typeof vb !== 'number') {
      invalid('INVALID_ARGUMENT', `metric '${metric}' is missing for query '${q}' (available: ${Object.keys(pa[q]!).join(', ')})`);
    }
    xa.push(va);
    xb.push(vb);
  }
  return { ids, xa, xb };
}

function signFlipP(d: readonly number[], permutations: number, seed: number): { p: number; exact: boolean; permutations: number } {
  const n = d.length;
  const observed = Math.abs(d.reduce((s, x) => s + x, 0));
  const scale = d.reduce((s, x) => s + Math.abs(x), 0);
  const eps = 1e-12 * Math.max(1, scale);
  if (n <= 30 && 2 ** n <= permutations) {
    let count = 0;
    const total = 2 ** n;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i]! : d[i]!;
      if (Math.abs(s) >= observed - eps) count++;
    }
    return { p: count / total, exact: true, permutations: total };
  }
  const next = seededRandom(seed);
  let count = 0;
  for (let p = 0; p < permutations; p++) {
    let s = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 31) === 0) bits = next();
      s += bits & (1 << (i & 31)) ? -d[i]! : d[i]!;
    }
    if (Math.abs(s) >= observed - eps) count++;
  }
  return { p: (count + 1) / (permutations + 1), exact: false, permutations };
}

/**
 * Compares two evaluations on `metric` (e.g. `'ndcg@10'`) over their paired
 * per-query values. Both must cover exactly the same queries. Zero variance
 * of the differences gives t = 0, p = 1 if they are all 0, else t = ±∞, p = 0.
 *
 * @example
 * ```ts
 * const c = compare(hybridResult, bm25Result, 'ndcg@10');
 * console.log(c.meanDiff, c.ci95, c.tTest.p, c.permutation.p, c.wins, c.losses);
 * ```
 */
export function compare(a: EvalResult | PerQuery, b: EvalResult | PerQuery, metric: string, opts: CompareOptions = {}): Comparison {
  const permutations = opts.permutations ?? 10_000;
  const seed = opts.seed ?? 42;
  const tol = opts.tieTolerance ?? 1e-12;
  if (!Number.isInteger(permutations) || permutations < 1) invalid('INVALID_ARGUMENT', `permutations must be a positive integer, got ${String(permutations)}`);
  if (!Number.isInteger(seed)) invalid('INVALID_ARGUMENT', `seed must be an integer, got ${String(seed)}`);
  if (!(tol >= 0)) invalid('INVALID_ARGUMENT', `tieTolerance must be ≥ 0, got ${String(tol)}`);
  const { xa, xb } = pairValues(a, b, metric);
  const n = xa.length;
  const d = xa.map((v, i) => v - xb[i]!);
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const meanDiff = mean(d);
  const variance = d.reduce((s, x) => s + (x - meanDiff) ** 2, 0) / (n - 1);
  const se = Math.sqrt(variance / n);
  const df = n - 1;
  let t: number;
  let p: number;
  if (se === 0) {
    t = meanDiff === 0 ? 0 : meanDiff > 0 ? Infinity : -Infinity;
    p = meanDiff === 0 ? 1 : 0;
  } else {
    t = meanDiff / se;
    p = studentTTwoSided(t, df);
  }
  const q = studentTQuantile(0.975, df);
  let wins = 0;
  let ties = 0;
  let losses = 0;
  for (const x of d) {
    if (Math.abs(x) <= tol) ties++;
    else if (x > 0) wins++;
    else losses++;
  }
  return {
    metric,
    n,
    meanA: mean(xa),
    meanB: mean(xb),
    meanDiff,
    ci95: [meanDiff - q * se, meanDiff + q * se],
    tTest: { t, df, p },
    permutation: { ...signFlipP(d, permutations, seed), seed },
    wins,
    ties,
    losses,
  };
}
