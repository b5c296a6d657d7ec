/**
 * Cross-check against an independent implementation: tools/trec_eval_ref.py re-implements
 * trec_eval's measure code (form_res_rels / m_ndcg_cut / m_map_cut / ...) in Python; its
 * output on a random fixture (graded qrels, tied scores, non-ASCII ids, a query missing from
 * the run, queries without relevant docs) is committed as expected.json. Regenerate with:
 *   python3 tools/trec_eval_ref.py --generate test/fixtures/eval/trec-ref 7
 *   python3 tools/trec_eval_ref.py test/fixtures/eval/trec-ref/{qrels.tsv,run.trec} 1,3,5,10,20 > test/fixtures/eval/trec-ref/expected.json
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateRun, loadQrels, loadTrecRun, writeTrecRun } from '../../../src/eval/index.js';

const dir = fileURLToPath(new URL('../../fixtures/eval/trec-ref/', import.meta.url));
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'trident-eval-trec-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('agreement with the Python trec_eval re-implementation', () => {
  it('every per-query value and mean matches to 1e-12', async () => {
    const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as {
      metrics: Record<string, number>;
      perQuery: Record<string, Record<string, number>>;
    };
    const qrels = await loadQrels(join(dir, 'qrels.tsv'));
    const run = await loadTrecRun(join(dir, 'run.trec'));
    const got = evaluateRun(run, qrels, { k: [1, 3, 5, 10, 20], depth: 1000 });
    expect(Object.keys(got.perQuery).sort()).toEqual(Object.keys(expected.perQuery).sort());
    let compared = 0;
    for (const [q, values] of Object.entries(expected.perQuery)) {
      expect(Object.keys(got.perQuery[q]!).sort()).toEqual(Object.keys(values).sort());
      for (const [k, v] of Object.entries(values)) {
        expect(Math.abs(got.perQuery[q]![k]! - v), `${q} ${k}`).toBeLessThan(1e-12);
        compared++;
      }
    }
    expect(compared).toBe(60 * 26);
    for (const [k, v] of Object.entries(expected.metrics)) expect(got.metrics[k]).toBeCloseTo(v, 12);
    expect(got.config.queriesWithoutRelevant).toBeGreaterThan(0); // the fixture exercises that case
  });

  it('writeTrecRun → loadTrecRun round-trips a run and its metrics', async () => {
    const qrels = await loadQrels(join(dir, 'qrels.tsv'));
    const run = await loadTrecRun(join(dir, 'run.trec'));
    const file = join(tmp, 'rt.trec');
    await writeTrecRun(file, run);
    const back = await loadTrecRun(file);
    expect(evaluateRun(back, qrels, { k: [10] }).perQuery).toEqual(evaluateRun(run, qrels, { k: [10] }).perQuery);
  });

  it('TREC run errors: wrong column count, bad score, duplicate doc', async () => {
    const f = join(tmp, 'bad.trec');
    await writeFile(f, 'q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 t\n');
    await expect(loadTrecRun(f)).rejects.toMatchObject({ code: 'PARSE_ERROR', line: 2 });
    const issues: Array<{ line: number }> = [];
    const run = await loadTrecRun(f, { onError: 'skip', issues: issues as never });
    expect(run.get('q1')).toEqual([{ id: 'd1', score: 0.5 }]);
    expect(issues.map((i) => i.line)).toEqual([2]);
    await writeFile(f, 'q1 Q0 d1 1 NaN t\n');
    await expect(loadTrecRun(f)).rejects.toMatchObject({ code: 'PARSE_ERROR', line: 1 });
    await writeFile(f, 'q1 Q0 d1 1 1 t\nq1 Q0 d1 2 0.5 t\n');
    await expect(loadTrecRun(f)).rejects.toMatchObject({ code: 'DUPLICATE_ID', line: 2 });
  });
});
