import { describe, expect, it } from 'vitest';
import { percentile, qps, speedup, summarize } from '../../../bench/lib/stats.js';
import { latencyStats } from '../../../src/eval/index.js';

describe('bench stats', () => {
  it('nearest-rank percentiles match hand-computed values', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(s, 0.5)).toBe(5); // ceil(5) − 1 = index 4
    expect(percentile(s, 0.9)).toBe(9); // ceil(9) − 1 = 8
    expect(percentile(s, 0.99)).toBe(10); // ceil(9.9) − 1 = 9
    expect(percentile(s, 1)).toBe(10);
    expect(percentile([7], 0.5)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile(s, 0)).toThrow(RangeError);
    expect(() => percentile(s, 1.5)).toThrow(RangeError);
  });

  it('summarize does not reorder its input and agrees with src/eval latencyStats', () => {
    const sample = [12, 3, 7, 1, 9, 4, 100, 2];
    const copy = [...sample];
    const s = summarize(sample);
    expect(sample).toEqual(copy);
    // sorted: 1 2 3 4 7 9 12 100 → p50 = index ceil(4)−1 = 3 → 4; p99 = index 7 → 100
    expect(s).toMatchObject({ n: 8, p50: 4, p99: 100, min: 1, max: 100 });
    expect(s.mean).toBeCloseTo(138 / 8, 12);
    const e = latencyStats(sample);
    expect([s.p50, s.p99, s.mean, s.min, s.max]).toEqual([e.p50, e.p99, e.mean, e.min, e.max]);
  });

  it('summarize of an empty sample is NaN, not a crash', () => {
    const s = summarize([]);
    expect(s.n).toBe(0);
    expect(s.p50).toBeNaN();
  });

  it('qps and speedup', () => {
    expect(qps(300, 1500)).toBe(200);
    expect(qps(5, 0)).toBeNaN();
    expect(speedup(2, 10)).toBe(5);
    expect(speedup(0, 10)).toBeNaN();
    expect(speedup(1, Number.NaN)).toBeNaN();
  });
});
