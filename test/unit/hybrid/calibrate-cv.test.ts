// calibrate(): fits the weight of every default channel (BM25 included) and reports k-fold
// cross-validated nDCG@10 — checked against an independent recomputation through the public
// API: fit on the other folds with calibrate(), search the held-out queries with those
// weights, score them with our own nDCG.
import { describe, expect, it } from 'vitest';
import { HybridIndex, type SearchHit } from '../../../src/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');

function ndcg10(hits: SearchHit[], relevant: Set<string>): number {
  let dcg = 0;
  hits.slice(0, 10).forEach((h, i) => {
    dcg += relevant.has(String(h.id)) ? 1 / Math.log2(i + 2) : 0;
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

describe('calibrate() with cross-validation', () => {
  it('fits BM25 with the vector channels; in-sample and k-fold figures match an independent recomputation', async () => {
    const r = rng(3);
    const docs = Array.from({ length: 150 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 4 + Math.floor(r() * 8) }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' ') }));
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), multivector: { dtype: 'f32' }, bm25: { analyzer: 'plain' }, wal: false });
    await index.add(docs);
    // relevant: documents holding both query words (a lexical truth BM25 should win on)
    const queries = Array.from({ length: 16 }, (_, i) => {
      const a = WORDS[(i * 5) % 12]!;
      const b = WORDS[(i * 7 + 3) % 12]!;
      const rel = docs.filter((d) => d.text.split(' ').includes(a) && d.text.split(' ').includes(b)).map((d) => d.id);
      return { query: `${a} ${b}`, relevant: rel };
    }).filter((q) => q.relevant.length > 0);
    expect(queries.length).toBeGreaterThanOrEqual(8);
    const folds = 4;
    const report = await index.calibrate(queries, { apply: false, folds });
    expect(Object.keys(report.after.weights).sort()).toEqual(['bm25', 'dense', 'multivector', 'sparse']);
    expect(report.crossValidated.folds).toBe(folds);

    const meanNdcg = async (qs: typeof queries, fusion?: { kind: 'weighted' | 'dbsf' | 'minmax'; weights: Record<string, number> }) => {
      let s = 0;
      for (const q of qs) s += ndcg10(await index.search(q.query, { k: 10, ...(fusion ? { fusion } : {}) }), new Set(q.relevant));
      return s / qs.length;
    };
    expect(report.before.ndcg).toBeCloseTo(await meanNdcg(queries), 10);
    expect(report.after.ndcg).toBeCloseTo(await meanNdcg(queries, { kind: report.after.kind as 'weighted', weights: report.after.weights }), 10);
    expect(report.after.ndcg).toBeGreaterThanOrEqual(report.before.ndcg);

    let held = 0;
    let heldBefore = 0;
    for (let f = 0; f < folds; f++) {
      const train = queries.filter((_q, i) => i % folds !== f);
      const test = queries.filter((_q, i) => i % folds === f);
      const fit = await index.calibrate(train, { apply: false, folds: 2 });
      held += (await meanNdcg(test, { kind: fit.after.kind as 'weighted', weights: fit.after.weights })) * test.length;
      heldBefore += (await meanNdcg(test)) * test.length;
    }
    expect(report.crossValidated.after).toBeCloseTo(held / queries.length, 10);
    expect(report.crossValidated.before).toBeCloseTo(heldBefore / queries.length, 10);

    // apply: the fitted weights become the default search's
    await index.calibrate(queries, { folds });
    expect(index.config.fusion.weights).toEqual(report.after.weights);
    expect(await meanNdcg(queries)).toBeCloseTo(report.after.ndcg, 10);
    await index.close();
  });

  it('refuses folds outside 2..queries', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), wal: false });
    await index.add([
      { id: 'a', text: 'alpha' },
      { id: 'b', text: 'beta' },
    ]);
    const q = [
      { query: 'alpha', relevant: ['a'] },
      { query: 'beta', relevant: ['b'] },
    ];
    await expect(index.calibrate(q, { folds: 3 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(index.calibrate(q, { folds: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await index.calibrate(q, { apply: false })).crossValidated.folds).toBe(2);
    await index.close();
  });
});
