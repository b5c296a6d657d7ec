import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { averagePrecision, compareCodePoints, evaluateRun, mrrAt, ndcgAt, precisionAt, queryMetrics, rankHits, recallAt } from '../../../src/eval/index.js';

// q: d1 grade 2, d2 grade 1, d3 judged non-relevant, d4 grade 1 (never retrieved). R = 3.
const judged = new Map([
  ['d1', 2],
  ['d2', 1],
  ['d3', 0],
  ['d4', 1],
]);
// Ranks: 1 x, 2 d2, 3 d1, 4 d3, 5 y.
const ranked = ['x', 'd2', 'd1', 'd3', 'y'];
const L3 = Math.log2(3);

describe('metrics: hand-computed case', () => {
  it('nDCG with linear (trec_eval) and exponential gains', () => {
    expect(ndcgAt(ranked, judged, 5)).toBeCloseTo((1 / L3 + 2 / 2) / (2 + 1 / L3 + 1 / 2), 14);
    expect(ndcgAt(ranked, judged, 2)).toBeCloseTo(1 / L3 / (2 + 1 / L3), 14);
    expect(ndcgAt(ranked, judged, 1)).toBe(0);
    expect(ndcgAt(ranked, judged, 5, 'exponential')).toBeCloseTo((1 / L3 + 3 / 2) / (3 + 1 / L3 + 1 / 2), 14);
    expect(ndcgAt(['d1', 'd2', 'd4'], judged, 10)).toBeCloseTo(1, 14);
  });
  it('recall, precision, MRR, AP and AP@k', () => {
    expect(recallAt(ranked, judged, 2)).toBeCloseTo(1 / 3, 14);
    expect(recallAt(ranked, judged, 5)).toBeCloseTo(2 / 3, 14);
    expect(precisionAt(ranked, judged, 2)).toBe(1 / 2);
    expect(precisionAt(ranked, judged, 5)).toBe(2 / 5);
    expect(precisionAt(ranked, judged, 10)).toBe(2 / 10); // divides by k, not by the 5 retrieved
    expect(mrrAt(ranked, judged, 1)).toBe(0);
    expect(mrrAt(ranked, judged, 2)).toBe(1 / 2);
    expect(averagePrecision(ranked, judged)).toBeCloseTo((1 / 2 + 2 / 3) / 3, 14);
    expect(averagePrecision(ranked, judged, 2)).toBeCloseTo(1 / 2 / 3, 14); // map_cut divides by R
  });
  it('queryMetrics keys every family at every cut-off plus uncut map', () => {
    const m = queryMetrics(ranked, judged, [2, 5]);
    expect(Object.keys(m).sort()).toEqual(['map', 'map@2', 'map@5', 'mrr@2', 'mrr@5', 'ndcg@2', 'ndcg@5', 'precision@2', 'precision@5', 'recall@2', 'recall@5'].sort());
    expect(m['recall@5']).toBeCloseTo(2 / 3, 14);
  });
  it('a query without relevant docs scores 0 everywhere', () => {
    const none = new Map([['d3', 0]]);
    const m = queryMetrics(['d3', 'x'], none, [1, 10]);
    for (const v of Object.values(m)) expect(v).toBe(0);
  });
  it('negative grades (trec_eval "unjudged in pool") are neither relevant nor gain', () => {
    const j = new Map([
      ['a', -1],
      ['b', 1],
    ]);
    expect(ndcgAt(['a', 'b'], j, 10)).toBeCloseTo(1 / L3, 14);
    expect(recallAt(['a', 'b'], j, 10)).toBe(1);
  });
});

describe('ranking like trec_eval', () => {
  it('sorts by score descending, ties by id descending', () => {
    expect(
      rankHits([
        { id: 'a', score: 1 },
        { id: 'c', score: 1 },
        { id: 'b', score: 1 },
        { id: 'z', score: 0.5 },
        { id: 'm', score: 2 },
      ]),
    ).toEqual(['m', 'c', 'b', 'a', 'z']);
  });
  it('ignores the order the retriever returned', () => {
    const hits = [
      { id: 'd3', score: 0.1 },
      { id: 'd1', score: 0.9 },
      { id: 'd2', score: 0.5 },
    ];
    expect(rankHits(hits)).toEqual(['d1', 'd2', 'd3']);
  });
  it('compares ids by code point (strcmp on UTF-8), not UTF-16 units', () => {
    const astral = '\u{1F600}';
    const bmpHigh = '\uFF61';
    expect(astral < bmpHigh).toBe(true); // UTF-16 order
    expect(compareCodePoints(astral, bmpHigh)).toBeGreaterThan(0); // UTF-8 byte order
    expect(
      rankHits([
        { id: bmpHigh, score: 1 },
        { id: astral, score: 1 },
      ]),
    ).toEqual([astral, bmpHigh]);
  });
  it('matches UTF-8 byte comparison on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const want = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        expect(Math.sign(compareCodePoints(a, b))).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
  it('ties decide the metric exactly as trec_eval would', () => {
    const qrels = new Map([['q', new Map([['a', 1]])]]);
    // 'a' and 'b' tie; trec_eval puts 'b' first, so 'a' is at rank 2.
    const run = new Map([
      [
        'q',
        [
          { id: 'a', score: 3 },
          { id: 'b', score: 3 },
        ],
      ],
    ]);
    expect(evaluateRun(run, qrels, { k: [1, 10], metrics: ['mrr'] }).metrics).toEqual({ 'mrr@1': 0, 'mrr@10': 0.5 });
  });
});

// Independent oracles: IDCG as the best DCG over every permutation of the judged docs,
// ranking via UTF-8 byte comparison, the other metrics from their set definitions.
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
function dcgNaive(grades: number[], k: number, exp: boolean): number {
  return grades.slice(0, k).reduce((s, g, i) => s + (g > 0 ? (exp ? 2 ** g - 1 : g) : 0) / Math.log2(i + 2), 0);
}

describe('randomised check against naive definitions', () => {
  const idArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'é', '\u{1F600}', 'Z');
  const caseArb = fc.record({
    judged: fc.dictionary(idArb, fc.integer({ min: 0, max: 3 }), { maxKeys: 6 }),
    hits: fc.uniqueArray(fc.record({ id: idArb, score: fc.integer({ min: 0, max: 3 }) }), { selector: (h) => h.id, maxLength: 8 }),
    k: fc.integer({ min: 1, max: 10 }),
    exp: fc.boolean(),
  });
  it('nDCG == DCG/IDCG with brute-force IDCG; recall, P, MRR, AP from set definitions', () => {
    fc.assert(
      fc.property(caseArb, ({ judged: j, hits, k, exp }) => {
        const judgedMap = new Map(Object.entries(j));
        const order = [...hits].sort((p, q) => q.score - p.score || Buffer.compare(Buffer.from(q.id), Buffer.from(p.id)));
        const ids = order.map((h) => h.id);
        const grades = ids.map((id) => judgedMap.get(id) ?? 0);
        const idcg = Math.max(...permutations([...judgedMap.values()]).map((p) => dcgNaive(p, k, exp)));
        const want = idcg > 0 ? dcgNaive(grades, k, exp) / idcg : 0;
        expect(rankHits(hits)).toEqual(ids);
        expect(ndcgAt(ids, judgedMap, k, exp ? 'exponential' : 'linear')).toBeCloseTo(want, 12);

        const rel = new Set([...judgedMap].filter(([, g]) => g >= 1).map(([d]) => d));
        const topK = ids.slice(0, k);
        const hitsK = topK.filter((d) => rel.has(d)).length;
        expect(recallAt(ids, judgedMap, k)).toBeCloseTo(rel.size ? hitsK / rel.size : 0, 12);
        expect(precisionAt(ids, judgedMap, k)).toBeCloseTo(hitsK / k, 12);
        const first = topK.findIndex((d) => rel.has(d));
        expect(mrrAt(ids, judgedMap, k)).toBe(first < 0 ? 0 : 1 / (first + 1));
        let ap = 0;
        ids.forEach((d, i) => {
          if (rel.has(d)) ap += ids.slice(0, i + 1).filter((x) => rel.has(x)).length / (i + 1);
        });
        expect(averagePrecision(ids, judgedMap)).toBeCloseTo(rel.size ? ap / rel.size : 0, 12);
      }),
      { numRuns: 400 },
    );
  });
});
