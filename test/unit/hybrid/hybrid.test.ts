import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { TridentError } from '../../../src/errors.js';
import { FakeEncoder, fakeEncode, FAKE_DIM } from '../../helpers/fake-encoder.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');
function makeDocs(n: number, seed = 1) {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 5 + Math.floor(r() * 20) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' '),
    metadata: { year: 2000 + (i % 25), lang: i % 3 === 0 ? 'de' : 'en' },
  }));
}

/** The oracle: the fused score of every document computed from scratch in float64. */
function oracle(query: string, docs: { id: string; text: string }[], w: [number, number, number]) {
  const q = fakeEncode(query);
  return docs
    .map((d) => {
      const e = fakeEncode(d.text);
      let dense = 0;
      for (let i = 0; i < FAKE_DIM; i++) dense += q.dense[i]! * e.dense[i]!;
      let sparse = 0;
      q.sparse.ids.forEach((id, i) => {
        const j = Array.from(e.sparse.ids).indexOf(id);
        if (j >= 0) sparse += q.sparse.weights[i]! * e.sparse.weights[j]!;
      });
      let mv = 0;
      for (let a = 0; a < q.multivector.count; a++) {
        let best = -Infinity;
        for (let b = 0; b < e.multivector.count; b++) {
          let s = 0;
          for (let i = 0; i < FAKE_DIM; i++) s += q.multivector.data[a * FAKE_DIM + i]! * e.multivector.data[b * FAKE_DIM + i]!;
          best = Math.max(best, s);
        }
        mv += e.multivector.count ? best : 0;
      }
      mv = q.multivector.count ? mv / q.multivector.count : 0;
      return { id: d.id, dense, sparse, mv, fused: (w[0] * dense + w[1] * sparse + w[2] * mv) / (w[0] + w[1] + w[2]) };
    })
    .sort((a, b) => b.fused - a.fused);
}

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-hybrid-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const f32 = { dense: { dtype: 'f32' as const }, multivector: { dtype: 'f32' as const } };

describe('HybridIndex', () => {
  it('default pipeline equals an exhaustive fused ranking when N ≥ collection size', async () => {
    const docs = makeDocs(120);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32, candidates: 500 });
    await index.add(docs);
    for (const query of ['alpha beta', 'omega psi chi', 'kappa kappa lambda mu nu']) {
      const hits = await index.search(query, { k: 10 });
      const ref = oracle(query, docs, [1, 0.3, 1]).slice(0, 10);
      expect(hits.map((h) => h.id)).toEqual(ref.map((r) => r.id));
      hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(ref[i]!.fused, 5);
        expect(h.scores.dense).toBeCloseTo(ref[i]!.dense, 5);
        expect(h.scores.sparse).toBeCloseTo(ref[i]!.sparse, 5);
        expect(h.scores.multivector).toBeCloseTo(ref[i]!.mv, 5);
      });
      const exhaustive = await index.search(query, { k: 10, exhaustive: true });
      expect(exhaustive.map((h) => h.id)).toEqual(ref.map((r) => r.id));
    }
  });

  it('single modes rank by their own exact score', async () => {
    const docs = makeDocs(80, 7);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add(docs);
    const ref = oracle('gamma delta', docs, [1, 0.3, 1]);
    const sparse = await index.search('gamma delta', { k: 5, mode: 'sparse' });
    const bySparse = [...ref].sort((a, b) => b.sparse - a.sparse);
    sparse.forEach((h, i) => {
      expect(h.score).toBeCloseTo(bySparse[i]!.sparse, 5);
    });
    const dense = await index.search('gamma delta', { k: 5, mode: 'dense' });
    const byDense = [...ref].sort((a, b) => b.dense - a.dense);
    dense.forEach((h, i) => {
      expect(h.score).toBeCloseTo(byDense[i]!.dense, 5);
    });
    const ds = await index.search('gamma delta', { k: 5, mode: 'dense+sparse', candidates: 1000 });
    const byDs = [...ref].map((r) => ({ ...r, f: (r.dense + 0.3 * r.sparse) / 1.3 })).sort((a, b) => b.f - a.f);
    ds.forEach((h, i) => {
      expect(h.score).toBeCloseTo(byDs[i]!.f, 5);
    });
  });

  it('gives identical results before and after save/open, and refuses another encoder', async () => {
    const docs = makeDocs(60, 3);
    const p = path.join(dir, 'idx');
    const enc = new FakeEncoder();
    const index = await HybridIndex.create({ encoder: enc, path: p, bm25: { analyzer: 'plain' } });
    await index.add(docs);
    await index.delete(['d3', 'd5']);
    const before = await index.search('sigma tau upsilon', { k: 10 });
    await index.save();
    // BM25 statistics (N, avgdl, df) count deleted documents until compaction, which save() runs
    const beforeBm25 = await index.search('sigma tau upsilon', { k: 10, mode: 'bm25' });
    expect(await index.search('sigma tau upsilon', { k: 10 })).toEqual(before);
    await index.close();
    await index.close(); // idempotent
    await expect(index.search('x')).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
    const again = await HybridIndex.open(p, { encoder: enc });
    expect(again.size).toBe(58);
    expect(await again.search('sigma tau upsilon', { k: 10 })).toEqual(before);
    expect(await again.search('sigma tau upsilon', { k: 10, mode: 'bm25' })).toEqual(beforeBm25);
    // open → add → save works
    await again.add([{ id: 'new', text: 'sigma sigma sigma tau' }]);
    await again.save();
    // a reader beside the writer sees the saved generation
    const third = await HybridIndex.open(p, { encoder: enc, readOnly: true });
    expect(third.size).toBe(59);
    await again.close();
    await expect(HybridIndex.open(p, { encoder: new FakeEncoder('other-model') })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH' });
    await third.close();
  });

  it('applies metadata filters (equality, in, ranges) with k survivors', async () => {
    const docs = makeDocs(100, 11);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32, candidates: 10 });
    await index.add(docs);
    const hits = await index.search('alpha omega', { k: 7, filter: { lang: 'de', year: { gte: 2010, lt: 2020 } } });
    const allowed = docs.filter((d) => d.metadata.lang === 'de' && d.metadata.year >= 2010 && d.metadata.year < 2020);
    expect(hits.length).toBe(Math.min(7, allowed.length));
    for (const h of hits) expect(allowed.map((d) => d.id)).toContain(h.id);
    const ref = oracle('alpha omega', allowed, [1, 0.3, 1]);
    const exhaustive = await index.search('alpha omega', { k: 7, exhaustive: true, filter: { lang: { in: ['de'] }, year: { gte: 2010, lt: 2020 } } });
    expect(exhaustive.map((h) => h.id)).toEqual(ref.slice(0, 7).map((r) => r.id));
    await expect(index.search('x', { filter: { year: { near: 3 } } as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects bad calls without changing anything', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add(makeDocs(10));
    await expect(index.add([{ id: 'd1', text: 'dup' }])).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
    await expect(
      index.add([
        { id: 'x', text: 'a' },
        { id: 'x', text: 'b' },
      ]),
    ).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
    await expect(index.add([{ id: 'y', text: 3 as never }])).rejects.toMatchObject({ code: 'INVALID_TEXT' });
    await expect(index.search('alpha', { k: 0 })).rejects.toBeInstanceOf(TridentError);
    await expect(index.search('alpha', { k: 1.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(index.search('alpha', { mode: 'nope' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(index.size).toBe(10);
    expect((await index.search('alpha', { k: 1000 })).length).toBe(10);
    expect(await index.delete(['nope', 'd1'])).toEqual({ deleted: 1, unknown: 1 });
    expect(index.size).toBe(9);
  });

  it('late and ordinary chunking cover the text, roll up to documents and report the chunk', async () => {
    const long = Array.from({ length: 12 }, (_, i) => `Sentence ${WORDS[i]} ${WORDS[(i * 5) % WORDS.length]} here.`).join(' ');
    for (const kind of ['late', 'ordinary'] as const) {
      const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
      await index.add([{ id: 'long', text: long }, ...makeDocs(20)], { chunking: { kind, by: 'sentence', size: 2 } });
      const hits = await index.search('lambda', { k: 25 });
      expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length); // one hit per document
      const longHit = hits.find((h) => h.id === 'long');
      expect(longHit?.chunk?.text).toContain('lambda');
      const byTokens = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
      await byTokens.add([{ id: 'long', text: long }], { chunking: { kind, by: 'tokens', size: 7, overlap: 2 } });
      expect((await byTokens.search('omega', { k: 1 }))[0]?.chunk).toBeDefined();
    }
  });

  it('searches during an add see each document entirely or not at all', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add(makeDocs(30));
    const adding = index.add(makeDocs(200, 99).map((d) => ({ ...d, id: `n${d.id}` })));
    const during = await Promise.all([index.search('alpha', { k: 300 }), index.search('beta', { k: 300, mode: 'sparse' })]);
    await adding;
    for (const hits of during) for (const h of hits) expect(h.scores).toBeDefined();
    expect([30, 230]).toContain(during[0]!.length);
    expect(index.size).toBe(230);
  });

  it('explains hits with matched tokens and MaxSim alignments', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add([
      { id: 'a', text: 'alpha beta gamma' },
      { id: 'b', text: 'delta epsilon' },
    ]);
    const [hit] = await index.search('alpha gamma', { k: 1, explain: true });
    expect(hit!.id).toBe('a');
    const ex = hit!.explanation!;
    expect(ex.sparseMatches.length).toBe(2);
    const sum = ex.sparseMatches.reduce((s, m) => s + m.contribution, 0);
    expect(sum).toBeCloseTo(hit!.scores.sparse!, 5);
    expect(ex.alignments[0]!.score).toBeCloseTo(1, 5); // identical token vectors align exactly
    expect(['alpha', 'gamma']).toContain(ex.alignments[0]!.docText);
  });

  it('calibrate() fits weights and never reports a worse nDCG than it started from', async () => {
    const docs = makeDocs(80, 5);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add(docs);
    const queries = docs.slice(0, 10).map((d) => ({ query: d.text.split(' ').slice(0, 3).join(' '), relevant: [d.id] }));
    const report = await index.calibrate(queries);
    expect(report.after.ndcg).toBeGreaterThanOrEqual(report.before.ndcg);
    expect(report.queries).toBe(10);
  });
});

describe('HybridIndex rerank and query expansion', () => {
  it('reranks the fused top N with the given model and keeps k', async () => {
    const docs = makeDocs(40, 21);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add(docs);
    const byLength = { info: { id: 'len', kind: 'test', scale: 'logit' as const }, rerank: async (_q: string, texts: readonly string[]) => texts.map((t) => t.length), close: async () => {} };
    const fused = await index.search('alpha beta', { k: 20 });
    const hits = await index.search('alpha beta', { k: 5, rerank: { model: byLength, topN: 20 } });
    const expected = [...fused].sort((a, b) => docs.find((d) => d.id === b.id)!.text.length - docs.find((d) => d.id === a.id)!.text.length || fused.indexOf(a) - fused.indexOf(b)).slice(0, 5);
    expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    expect(hits[0]!.rerankScore).toBe(docs.find((d) => d.id === hits[0]!.id)!.text.length);
  });
  it('fuses expansion queries with 1-based RRF', async () => {
    const docs = makeDocs(40, 22);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), ...f32 });
    await index.add(docs);
    const a = await index.search('alpha', { k: 40 });
    const b = await index.search('omega', { k: 40 });
    const hits = await index.search('alpha', { k: 5, expand: () => ['omega'] });
    const rrf = new Map<unknown, number>();
    a.forEach((h, i) => {
      rrf.set(h.id, (rrf.get(h.id) ?? 0) + 1 / (61 + i));
    });
    b.forEach((h, i) => {
      rrf.set(h.id, (rrf.get(h.id) ?? 0) + 1 / (61 + i));
    });
    hits.forEach((h) => {
      expect(h.score).toBeCloseTo(rrf.get(h.id)!, 12);
    });
    const best = Math.max(...rrf.values());
    expect(hits[0]!.score).toBeCloseTo(best, 12);
  });
});
