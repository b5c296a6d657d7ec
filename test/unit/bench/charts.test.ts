import { describe, expect, it } from 'vitest';
import { benchCharts, e2eLatencyQualityRows, scaleRows } from '../../../bench/lib/charts.js';
import { extractRows } from '../../../bench/lib/summary.js';

const e2e = {
  dataset: 'dev/scifact',
  model: { id: 'm1' },
  backend: { kind: 'native', isa: 'avx2' },
  modes: [
    { mode: 'bm25', latencyMs: { p50: 0.2 }, ndcg10: 0.68, perQueryNdcg10: { q1: 1, q2: 0, q3: 0.5 } },
    { mode: 'all', latencyMs: { p50: 20 }, ndcg10: 0.62, perQueryNdcg10: { q1: 0.5, q2: 0.25, q3: 0.5 } },
  ],
  allWithEncoding: { latencyMs: { p50: 30 }, ndcg10: 0.62 },
};
const scale = {
  points: [
    { store: 'dense', config: 'f16 1024-d', n: 10_000, latencyMs: { p50: 0.2 }, baseline: { name: 'exact oracle', latencyMs: { p50: 2 } } },
    { store: 'dense', config: 'f16 1024-d', n: 100_000, latencyMs: { p50: 0.4 }, baseline: { name: 'exact oracle', latencyMs: { p50: 20 } } },
    { store: 'multivector', config: 'i8 128-d, 100–300 vectors/doc', n: 100_000, latencyMs: { p50: 3 }, baseline: { name: 'exhaustive MaxSim', skipped: 'too slow' } },
  ],
};

describe('bench charts', () => {
  it('maps e2e modes to latency/quality points with groups', () => {
    expect(e2eLatencyQualityRows(e2e)).toEqual([
      { name: 'bm25', latencyMs: 0.2, quality: 0.68, group: 'lexical' },
      { name: 'all', latencyMs: 20, quality: 0.62, group: 'hybrid' },
      { name: 'all + encoding', latencyMs: 30, quality: 0.62, group: 'hybrid' },
    ]);
  });

  it('maps scale points to one line per store and per measured baseline', () => {
    expect(scaleRows(scale)).toEqual([
      { mode: 'dense f16 HNSW', size: 10_000, latencyMs: 0.2 },
      { mode: 'dense f16 exact', size: 10_000, latencyMs: 2 },
      { mode: 'dense f16 HNSW', size: 100_000, latencyMs: 0.4 },
      { mode: 'dense f16 exact', size: 100_000, latencyMs: 20 },
      { mode: 'mv128 rerank', size: 100_000, latencyMs: 3 },
    ]);
  });

  it('renders the three SVGs, with the per-query wins and losses counted', async () => {
    const charts = await benchCharts({ e2e, scale });
    expect(charts.map((c) => c.file)).toEqual(['e2e-latency-quality.svg', 'e2e-delta-all-vs-bm25.svg', 'scale-latency-vs-n.svg']);
    for (const c of charts) expect(c.svg.startsWith('<svg')).toBe(true);
    // all − bm25: q1 −0.5, q2 +0.25, q3 0 → all better on 1, bm25 on 1, 1 tie
    expect(charts[1]!.svg).toContain('all better on 1, bm25 better on 1, tied on 1 of 3 queries');
    expect(charts[0]!.svg).toContain('all + encoding');
    expect(await benchCharts({ e2e: { skipped: 'no data' } })).toEqual([]);
  });
});

describe('bench summary of row arrays', () => {
  it('splits rows by their discriminating fields and pairs each row with the closest baseline', () => {
    const rows = extractRows({
      rows: [
        { dtype: 'fp32', threads: 1, task: 'pipeline: batch', medianMs: 40 },
        { dtype: 'fp32', threads: 1, task: 'baseline: bare batch', medianMs: 38 },
        { dtype: 'fp32', threads: 1, task: 'pipeline: query', medianMs: 3 },
        { dtype: 'fp32', threads: 1, task: 'baseline: bare query', medianMs: 2 },
        { dtype: 'int8', threads: 1, task: 'pipeline: batch', medianMs: 10 },
        { dtype: 'int8', threads: 1, task: 'baseline: bare batch', medianMs: 20 },
      ],
    });
    const get = (t: string) => rows.find((r) => r.task === t)!;
    expect(get('rows [fp32, threads 1] / pipeline: query')).toMatchObject({ baseline: 'baseline: bare query', speedup: 2 / 3 });
    expect(get('rows [fp32, threads 1] / pipeline: batch')).toMatchObject({ baseline: 'baseline: bare batch', speedup: 38 / 40 });
    expect(get('rows [int8, threads 1] / pipeline: batch')).toMatchObject({ baseline: 'baseline: bare batch', speedup: 2 });
  });
});
