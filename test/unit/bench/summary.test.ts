import { describe, expect, it } from 'vitest';
import { extractRows, fmt, markdownTable, suiteSection } from '../../../bench/lib/summary.js';
import { parseRunArgs, suiteEnv, SUITES } from '../../../bench/lib/suites.js';

describe('bench summary', () => {
  it('extracts latency rows, picks the baseline by name and computes baseline/p50', () => {
    const json = {
      backend: { kind: 'native', isa: 'avx2' },
      scifact: {
        ndcg10: 0.6816,
        latencyMs: { maxscore: { p50: 0.5, p99: 2 }, exhaustive: { p50: 4, p99: 9 } },
      },
      rows: [
        { task: 'baseline', medianMs: 10 },
        { task: 'colbert', medianMs: 15 },
      ],
      config: { p50: 123 }, // config blocks are not results
    };
    const rows = extractRows(json);
    expect(rows).toEqual([
      { task: 'scifact / latencyMs / maxscore', p50Ms: 0.5, p99Ms: 2, baseline: 'exhaustive', speedup: 8, quality: 'ndcg10 0.6816' },
      { task: 'scifact / latencyMs / exhaustive', p50Ms: 4, p99Ms: 9, quality: 'ndcg10 0.6816' },
      { task: 'rows / baseline', p50Ms: 10 },
      { task: 'rows / colbert', p50Ms: 15, baseline: 'baseline', speedup: 10 / 15 },
    ]);
  });

  it('renders a suite summary block, a skip, and escapes pipes', () => {
    const md = suiteSection('e2e', {
      backend: { kind: 'js', isa: 'js' },
      summary: { notes: ['model m'], rows: [{ task: 'all', p50Ms: 1.5, p99Ms: 3, baseline: 'exhaustive', speedup: 20, quality: 'nDCG@10 0.7' }], tables: [{ title: 'QPS', columns: ['mode', 'qps'], rows: [['a|b', 12]] }] },
    });
    expect(md).toContain('backend js/js');
    expect(md).toContain('| all | 1.50 | 3.00 | exhaustive | ×20.00 | nDCG@10 0.7 |');
    expect(md).toContain('| a\\|b | 12 |');
    expect(suiteSection('scale', { skipped: 'no data' })).toContain('Skipped: no data');
    expect(markdownTable(['x'], [[1]])).toBe('| x |\n|---|\n| 1 |');
    expect(fmt(0.012345)).toBe('0.0123');
    expect(fmt(undefined)).toBe('–');
  });
});

describe('bench runner arguments', () => {
  it('defaults to the quick set, accepts names, comma lists, env and all', () => {
    const quick = SUITES.filter((s) => s.inQuick).map((s) => s.name);
    expect(parseRunArgs([], {}).suites).toEqual(quick);
    expect(parseRunArgs(['scale,e2e', '--plot'], {})).toMatchObject({ suites: ['e2e', 'scale'], plot: true, updateCharts: false });
    expect(parseRunArgs([], { TRIDENT_BENCH_SUITES: 'kernels' }).suites).toEqual(['kernels']);
    expect(parseRunArgs(['all'], {}).suites).toEqual(SUITES.map((s) => s.name));
    expect(parseRunArgs(['--full'], {}).suites).toEqual(SUITES.map((s) => s.name));
    expect(parseRunArgs(['--update-charts'], {})).toMatchObject({ plot: true, updateCharts: true });
    expect(() => parseRunArgs(['nope'], {})).toThrow(/unknown suite 'nope'/);
    expect(() => parseRunArgs(['--fast'], {})).toThrow(/unknown option/);
  });

  it('quick defaults never override what the user set', () => {
    const s = SUITES.find((x) => x.name === 'scale')!;
    expect(suiteEnv(s, 'quick', {}).TRIDENT_BENCH_SCALE_SIZES).toBe('2000,20000');
    expect(suiteEnv(s, 'quick', { TRIDENT_BENCH_SCALE_SIZES: '500' }).TRIDENT_BENCH_SCALE_SIZES).toBe('500');
    expect(suiteEnv(s, 'full', {}).TRIDENT_BENCH_SCALE_SIZES).toBeUndefined();
  });
});
