/**
 * Summary rows for suites whose raw latencies are not comparable as they stand: `kernels`
 * times each implementation on a different number of documents (slow ones on fewer), so its
 * per-document / per-row figures are used; `multivector` times its serial / js baselines on
 * fewer candidates and scales them, so its own scaled figures and ratios are used.
 */
import type { SummaryRow } from './summary.js';

type Lat = { p50: number; p99: number };
type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Kernel rows per unit of work (ms per document for MaxSim, per 1000 rows for dots): p50 from
 * the suite's normalised figure, p99 scaled by the same work count; baseline = naive TS loop.
 *
 * @example
 * ```ts
 * kernelRows({ maxsim: { usPerDoc: { 'naive-ts f32': 100, 'avx2 f32': 10 }, latencyMs: { … } } });
 * ```
 */
export function kernelRows(json: unknown): SummaryRow[] | undefined {
  if (!isObj(json)) return undefined;
  const rows: SummaryRow[] = [];
  const groups: Array<[string, string, number, string]> = [
    ['maxsim', 'usPerDoc', 1e-3, 'MaxSim, per document'],
    ['dots', 'nsPerRow', 1e-3, 'dots, per 1000 rows'],
  ];
  for (const [key, field, toMs, label] of groups) {
    const g = json[key];
    if (!isObj(g) || !isObj(g[field])) continue;
    const per = g[field] as Record<string, number>;
    const lat = (isObj(g.latencyMs) ? g.latencyMs : {}) as Record<string, Lat>;
    const base = Object.keys(per).find((k) => /naive/i.test(k));
    for (const [impl, v] of Object.entries(per)) {
      const p50 = v * toMs;
      const l = lat[impl];
      // units of work per timed call = call p50 / normalised p50
      const work = l && p50 > 0 ? l.p50 / p50 : undefined;
      const row: SummaryRow = { task: `${label}: ${impl}`, p50Ms: p50 };
      if (l && work) row.p99Ms = l.p99 / work;
      if (base && base !== impl) {
        row.baseline = base;
        row.speedup = (per[base]! * toMs) / p50;
      }
      rows.push(row);
    }
  }
  return rows.length ? rows : undefined;
}

/**
 * Multi-vector re-rank rows per dtype: p50/p99 of re-ranking the configured candidates, the
 * serial-kernel baseline scaled to the same candidates (ratio from the suite), the
 * exhaustive scan, and agreement with f32 as quality.
 *
 * @example
 * ```ts
 * multivectorRows(JSON.parse(readFileSync('bench/results/multivector.json', 'utf8')));
 * ```
 */
export function multivectorRows(json: unknown): SummaryRow[] | undefined {
  if (!isObj(json) || !isObj(json.rerank)) return undefined;
  const cfg = isObj(json.config) ? json.config : {};
  const cands = typeof cfg.CANDIDATES === 'number' ? cfg.CANDIDATES : undefined;
  const rows: SummaryRow[] = [];
  for (const [dtype, r] of Object.entries(json.rerank as Obj)) {
    if (!isObj(r) || !isObj(r.msPerQuery)) continue;
    const lat = r.msPerQuery as Lat;
    const scaled = isObj(r.baselineMsScaledToCandidates) ? (r.baselineMsScaledToCandidates as Record<string, number>) : {};
    const agr = isObj(r.agreement) ? (r.agreement as Record<string, number>) : {};
    const quality = typeof agr.spearmanVsF32 === 'number' ? `vs f32: ρ ${agr.spearmanVsF32.toFixed(5)}, top-10 overlap ${(agr.top10OverlapVsF32 ?? Number.NaN).toFixed(3)}` : undefined;
    rows.push({
      task: `re-rank ${cands ?? ''} candidates, ${dtype}`.replace('  ', ' '),
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      ...(typeof scaled.serial === 'number' ? { baseline: `serial kernels (${scaled.serial.toFixed(0)} ms, scaled)`, speedup: scaled.serial / lat.p50 } : {}),
      ...(quality ? { quality } : {}),
    });
    if (typeof scaled.js === 'number') rows.push({ task: `re-rank, ${dtype}, vs TS kernels`, baseline: `js kernels (${scaled.js.toFixed(0)} ms, scaled)`, speedup: scaled.js / lat.p50 });
    if (isObj(r.exhaustiveMsPerQuery)) {
      const ex = r.exhaustiveMsPerQuery as Lat;
      rows.push({ task: `exhaustive scan of the store, ${dtype}`, p50Ms: ex.p50, p99Ms: ex.p99 });
    }
  }
  return rows.length ? rows : undefined;
}

/** Adapter per suite name (the result file's base name). */
export const ADAPTERS: Record<string, (json: unknown) => SummaryRow[] | undefined> = {
  kernels: kernelRows,
  multivector: multivectorRows,
};
