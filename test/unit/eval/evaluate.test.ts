import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, evaluate, evaluateRun, formatTable, latencyStats, runConfigurations, writeJson, type Dataset, type Retriever } from '../../../src/eval/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trident-eval-run-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Three judged queries: q1 relevant d1, q2 relevant d2 (grade 2) and d3, q3 only non-relevant judgements.
async function toy(): Promise<Dataset> {
  return createDataset({
    name: 'toy',
    corpus: ['d1', 'd2', 'd3', 'd4'].map((id) => ({ _id: id, text: id })),
    queries: [
      { _id: 'q1', text: 'find d1' },
      { _id: 'q2', text: 'find d2 d3' },
      { _id: 'q3', text: 'nothing' },
      { _id: 'q4', text: 'unjudged' },
    ],
    qrels: [
      { queryId: 'q1', docId: 'd1', score: 1 },
      { queryId: 'q2', docId: 'd2', score: 2 },
      { queryId: 'q2', docId: 'd3', score: 1 },
      { queryId: 'q3', docId: 'd4', score: 0 },
    ],
  });
}

/** Returns the docs named in the query text, best first, then d4. */
const echo: Retriever = {
  async search(q, k) {
    const named = q.split(' ').filter((w) => /^d\d$/.test(w));
    return [...named, 'd4']
      .filter((d, i, a) => a.indexOf(d) === i)
      .slice(0, k)
      .map((id, i) => ({ id, score: 10 - i }));
  },
};

describe('evaluate', () => {
  it('averages per-query values over judged queries, queries without relevant docs scoring 0 (trec_eval)', async () => {
    const ds = await toy();
    const calls: Array<[string, number]> = [];
    const spy: Retriever = {
      search: (q, k) => {
        calls.push([q, k]);
        return echo.search(q, k);
      },
    };
    const res = await evaluate(spy, ds, { k: [1, 10], metrics: ['ndcg', 'recall'] });
    expect(calls.map((c) => c[1])).toEqual([10, 10, 10]); // depth = max k; q4 (unjudged) not run
    expect(res.perQuery.q1).toEqual({ 'ndcg@1': 1, 'ndcg@10': 1, 'recall@1': 1, 'recall@10': 1 });
    expect(res.perQuery.q2!['recall@1']).toBe(0.5);
    expect(res.perQuery.q3).toEqual({ 'ndcg@1': 0, 'ndcg@10': 0, 'recall@1': 0, 'recall@10': 0 });
    expect(res.metrics['recall@1']).toBeCloseTo((1 + 0.5 + 0) / 3, 14);
    expect(res.config).toMatchObject({ dataset: 'toy', k: [1, 10], queries: 3, excluded: 0, queriesWithoutRelevant: 1, gain: 'linear', depth: 10 });
    expect(res.latency.n).toBe(3);
    expect(res.latency.p50).toBeGreaterThanOrEqual(0);
  });

  it("withoutRelevant: 'exclude' leaves such queries out and says so", async () => {
    const res = await evaluate(echo, await toy(), { k: [1], metrics: ['recall'], withoutRelevant: 'exclude' });
    expect(Object.keys(res.perQuery)).toEqual(['q1', 'q2']);
    expect(res.metrics['recall@1']).toBeCloseTo(0.75, 14);
    expect(res.config.excluded).toBe(1);
  });

  it('rejects runs trec_eval would reject and bad options', async () => {
    const ds = await toy();
    const dup: Retriever = {
      search: async () => [
        { id: 'd1', score: 1 },
        { id: 'd1', score: 0.5 },
      ],
    };
    await expect(evaluate(dup, ds)).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
    const nan: Retriever = { search: async () => [{ id: 'd1', score: Number.NaN }] };
    await expect(evaluate(nan, ds)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(evaluate(echo, ds, { k: [0] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(evaluate(echo, ds, { metrics: ['bleu' as never] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(evaluate({} as Retriever, ds)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('limit and warmup: only the first queries are scored; warmup calls are not timed', async () => {
    let calls = 0;
    const counting: Retriever = {
      search: (q, k) => {
        calls++;
        return echo.search(q, k);
      },
    };
    const res = await evaluate(counting, await toy(), { k: [1], limit: 2, warmup: 2 });
    expect(calls).toBe(4);
    expect(res.latency.n).toBe(2);
    expect(Object.keys(res.perQuery)).toEqual(['q1', 'q2']);
    expect(res.config.excluded).toBe(1);
  });
});

describe('evaluateRun', () => {
  it('scores a query missing from the run as 0 (trec_eval -c)', () => {
    const qrels = new Map([
      ['a', new Map([['x', 1]])],
      ['b', new Map([['y', 1]])],
    ]);
    const run = new Map([['a', [{ id: 'x', score: 1 }]]]);
    const r = evaluateRun(run, qrels, { k: [1], metrics: ['precision'] });
    expect(r.perQuery).toEqual({ a: { 'precision@1': 1 }, b: { 'precision@1': 0 } });
    expect(r.metrics['precision@1']).toBe(0.5);
  });
  it('truncates at depth after re-sorting', () => {
    const qrels = new Map([['a', new Map([['x', 1]])]]);
    const run = new Map([
      [
        'a',
        [
          { id: 'z', score: 0 },
          { id: 'x', score: 1 },
        ],
      ],
    ]);
    expect(evaluateRun(run, qrels, { k: [2], metrics: ['map'], depth: 1 }).metrics.map).toBe(1);
  });
});

describe('latencyStats', () => {
  it('uses nearest-rank percentiles', () => {
    const ms = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 shuffled order
    expect(latencyStats(ms)).toEqual({ p50: 50, p99: 99, mean: 50.5, min: 1, max: 100, n: 100 });
    expect(latencyStats([5])).toMatchObject({ p50: 5, p99: 5 });
  });
});

describe('runConfigurations, formatTable, writeJson', () => {
  it('produces one row per configuration, a Markdown table and a JSON file', async () => {
    const ds = await toy();
    // Same docs as echo (all of them, whatever k), scored in reverse order: d4 comes first.
    const reversed: Retriever = { search: async (q) => (await echo.search(q, 10)).map((h, i) => ({ id: h.id, score: i })) };
    const table = await runConfigurations(
      [
        { name: 'echo', retriever: echo },
        { name: 'reversed', retriever: reversed },
      ],
      ds,
      { k: [1], metrics: ['ndcg'] },
    );
    expect(table.rows.map((r) => r.name)).toEqual(['echo', 'reversed']);
    expect(table.rows[0]!.result.metrics['ndcg@1']).toBeCloseTo(2 / 3, 14);
    expect(table.rows[1]!.result.metrics['ndcg@1']).toBe(0);
    const md = formatTable(table);
    const lines = md.trim().split('\n');
    expect(lines[0]).toMatch(/^\| config\s+\| ndcg@1 \| p50 ms \| p99 ms \| mean ms \| queries \|$/);
    expect(lines[1]).toMatch(/^\|:-+\|-+:\|/);
    expect(lines[2]).toContain(`| ${(2 / 3).toFixed(4)} |`);
    expect(lines).toHaveLength(4);
    expect(formatTable(table, { style: 'console', latency: false }).split('\n')[0]).toMatch(/^config\s+ndcg@1\s+queries$/);
    await expect(
      runConfigurations(
        [
          { name: 'a', retriever: echo },
          { name: 'a', retriever: echo },
        ],
        ds,
      ),
    ).rejects.toMatchObject({ code: 'DUPLICATE_ID' });

    const file = join(root, 'nested', 'res.json');
    await writeJson(file, table);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(table)));
  });
});
