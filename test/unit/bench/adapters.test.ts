import { describe, expect, it } from 'vitest';
import { kernelRows, multivectorRows } from '../../../bench/lib/adapters.js';
import { suiteSection } from '../../../bench/lib/summary.js';

describe('bench summary adapters', () => {
  it('kernels: per-document figures, p99 scaled by the work per call, ratio to the naive loop', () => {
    // naive: 3 docs per call (30 ms → 10 ms/doc); avx2: 200 docs per call (20 ms → 0.1 ms/doc)
    const json = {
      maxsim: {
        usPerDoc: { 'naive-ts f32': 10_000, 'avx2 f32': 100 },
        latencyMs: { 'naive-ts f32': { p50: 30, p99: 36 }, 'avx2 f32': { p50: 20, p99: 40 } },
      },
    };
    const rows = kernelRows(json)!;
    expect(rows[0]).toMatchObject({ task: 'MaxSim, per document: naive-ts f32', p50Ms: 10 });
    expect(rows[0]!.p99Ms).toBeCloseTo(12, 9);
    expect(rows[1]).toMatchObject({ task: 'MaxSim, per document: avx2 f32', p50Ms: 0.1, baseline: 'naive-ts f32' });
    expect(rows[1]!.p99Ms).toBeCloseTo(0.2, 9);
    expect(rows[1]!.speedup).toBeCloseTo(100, 9);
    expect(suiteSection('kernels', json)).toContain('| MaxSim, per document: avx2 f32 | 0.100 | 0.200 | naive-ts f32 | ×100 | – |');
    expect(kernelRows({ other: 1 })).toBeUndefined();
  });

  it('multivector: the suite’s scaled baselines and agreement', () => {
    const rows = multivectorRows({
      config: { CANDIDATES: 200 },
      rerank: { i8: { msPerQuery: { p50: 10, p99: 12 }, baselineMsScaledToCandidates: { serial: 500, js: 2000 }, agreement: { spearmanVsF32: 0.99995, top10OverlapVsF32: 0.995 } } },
    })!;
    expect(rows).toEqual([
      { task: 're-rank 200 candidates, i8', p50Ms: 10, p99Ms: 12, baseline: 'serial kernels (500 ms, scaled)', speedup: 50, quality: 'vs f32: ρ 0.99995, top-10 overlap 0.995' },
      { task: 're-rank, i8, vs TS kernels', baseline: 'js kernels (2000 ms, scaled)', speedup: 200 },
    ]);
  });
});
