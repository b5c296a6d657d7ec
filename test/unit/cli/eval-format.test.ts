import { describe, expect, it } from 'vitest';
import { compare, type EvalResult, type ResultTable } from '../../../src/eval/index.js';
import { compareTables, evalTable, formatComparisons, TABLE_WIDTH } from '../../../src/cli/eval-format.js';
import { chooseConfigs, DEFAULT_EVAL_CONFIGS, EVAL_CONFIGS, metricCutoff, supportsConfig } from '../../../src/cli/eval-command.js';
import { EVAL_CONFIG_NAMES } from '../../../src/cli/specs.js';
import { TridentError } from '../../../src/errors.js';

/** A result with per-query nDCG@10 values (seeded, distinct per name). */
function result(name: string, seed: number, queries = 30): EvalResult {
  const perQuery: Record<string, Record<string, number>> = {};
  let s = seed;
  for (let q = 0; q < queries; q++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    perQuery[`q${q}`] = { 'ndcg@10': (s % 1000) / 1000, 'recall@100': ((s >> 3) % 1000) / 1000 };
  }
  const mean = (m: string) => Object.values(perQuery).reduce((a, r) => a + r[m]!, 0) / queries;
  return {
    metrics: { 'ndcg@10': mean('ndcg@10'), 'recall@100': mean('recall@100'), 'mrr@10': 0.5 },
    perQuery,
    latency: { p50: 12.3456, p99: 123.456, mean: 20, min: 1, max: 200 },
    config: { name, queries, k: [10, 100] },
  } as unknown as EvalResult;
}

const table = (names: string[], seed: number): ResultTable => ({ dataset: 'toy', rows: names.map((n, i) => ({ name: n, result: result(n, seed + i) })) });

describe('evalTable', () => {
  it('fits 100 columns, even with long configuration names', () => {
    const t = table(['dense', 'all (ordinary chunking)', 'a configuration with a very long name indeed, longer than any real one'], 1);
    const text = evalTable(t, 'ndcg@10');
    for (const line of text.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(text).toContain('| all (ordinary chunking)');
    expect(text).toContain('ndcg@10');
    expect(text).toContain('recall@100');
    expect(text).toContain('p50 ms');
    // a custom metric leads the columns
    expect(evalTable(t, 'recall@100').split('\n')[0]).toMatch(/config\s+\| recall@100 \| ndcg@10/);
  });
});

describe('compareTables / formatComparisons', () => {
  it('compares every configuration present in both files, each with compare() on its own rows', () => {
    const a = table(['dense', 'sparse', 'all', 'bm25'], 10);
    const b = table(['sparse', 'dense', 'all-rrf', 'all'], 20);
    const c = compareTables(a, b, 'ndcg@10', { labelA: 'a.json', labelB: 'b.json' });
    expect(c.rows.map((r) => r.name)).toEqual(['dense', 'sparse', 'all']);
    for (const r of c.rows) {
      const ra = a.rows!.find((x) => x.name === r.name)!.result;
      const rb = b.rows!.find((x) => x.name === r.name)!.result;
      expect(r.comparison).toEqual(compare(ra, rb, 'ndcg@10'));
    }
    expect(c.onlyA).toEqual(['bm25']);
    expect(c.onlyB).toEqual(['all-rrf']);
    const text = formatComparisons(c, { labelA: 'a.json', labelB: 'b.json', metric: 'ndcg@10' });
    expect(text).toContain('A = a.json');
    expect(text).toContain('B = b.json');
    expect(text).toMatch(/\| config\s+\| A ndcg@10 \| B ndcg@10 \|\s+Δ B−A/);
    expect(text).toContain('only in A (not compared): bm25');
    expect(text).toContain('only in B (not compared): all-rrf');
    // Δ printed is B − A and wins are B's
    const dense = c.rows[0]!.comparison;
    const line = text.split('\n').find((l) => l.startsWith('| dense'))!;
    const delta = dense.meanB - dense.meanA;
    expect(line).toContain(`${delta >= 0 ? '+' : ''}${delta.toFixed(4)}`);
    expect(line).toContain(`${dense.losses}/${dense.ties}/${dense.wins}`);
  });
  it('restricts to --configs and refuses files with nothing in common', () => {
    const a = table(['dense', 'sparse'], 1),
      b = table(['dense', 'sparse'], 2);
    expect(compareTables(a, b, 'ndcg@10', { only: ['sparse'] }).rows.map((r) => r.name)).toEqual(['sparse']);
    expect(() => compareTables(table(['dense'], 1), table(['bm25'], 2), 'ndcg@10')).toThrow(/no configuration is in both files/);
    expect(() => compareTables({} as never, b, 'ndcg@10', { labelA: 'x.json' })).toThrow(/x.json is not a trident eval result/);
  });
  it('accepts bare EvalResults (one configuration each)', () => {
    const c = compareTables(result('dense', 1), result('dense', 2), 'ndcg@10');
    expect(c.rows).toHaveLength(1);
  });
});

describe('eval configurations vs the index', () => {
  const noBm25 = { dense: true, sparse: true, multivector: true, bm25: false };
  it('--configs accepts exactly the configurations eval defines', () => {
    expect([...EVAL_CONFIG_NAMES].sort()).toEqual(Object.keys(EVAL_CONFIGS).sort());
  });
  it('defaults to the configurations the index supports', () => {
    expect(chooseConfigs(undefined, noBm25)).toEqual(DEFAULT_EVAL_CONFIGS.filter((n) => n !== 'bm25' && n !== 'hybrid'));
    expect(chooseConfigs(undefined, null)).toEqual([...DEFAULT_EVAL_CONFIGS]); // a new index gets every store
    expect(chooseConfigs(undefined, { dense: false, sparse: false, multivector: false, bm25: true })).toEqual(['bm25']);
    expect(supportsConfig('multivector', { ...noBm25, multivector: false })).toBe(false);
  });
  it('refuses an explicitly requested configuration the index cannot run', () => {
    let err: unknown;
    try {
      chooseConfigs(['dense', 'bm25'], noBm25, 'idx');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TridentError);
    expect((err as Error).message).toMatch(/index at idx has no store for 'bm25'.*--bm25/);
  });
});

describe('--metric', () => {
  it('accepts the names eval computes and refuses others before any work', () => {
    expect(metricCutoff('ndcg@10')).toBe(10);
    expect(metricCutoff('recall@1000')).toBe(1000);
    expect(metricCutoff('map')).toBeUndefined();
    expect(metricCutoff('map@100')).toBe(100);
    for (const bad of ['ndcg', 'ndcg@0', 'NDCG@10', 'f1@10', 'ndcg@ten', '']) expect(() => metricCutoff(bad), bad).toThrow(/is not a metric eval computes/);
  });
});
