import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bm42TermId, idfWeightedQuery, loadFamilyEncoder, murmur3 } from '../../../../src/encode/index.js';
import { FIX, G, TOL, maxAbs } from './goldens.js';

describe('SPLADE (tiny BertForMaskedLM)', () => {
  it('max_t log(1 + relu(logits)) over the vocabulary matches the numpy goldens', async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'naver/splade-v3' });
    expect(enc.info.heads).toEqual({ dense: false, sparse: true, multivector: false });
    expect(enc.info.fusionWeights).toEqual([0, 1, 0]);
    const V = enc.info.vocabSize;
    for (const L of [16, 64]) {
      const cs = (G.splade.cases as Array<{ name: string; text: string; maxLength: number; sparse: { ids: number[]; weights: number[] } }>).filter((c) => c.maxLength === L);
      const out = await enc.encode(
        cs.map((c) => c.text),
        { maxLength: L, batchSize: 4 },
      );
      cs.forEach((c, i) => {
        const got = new Float64Array(V);
        const want = new Float64Array(V);
        const s = out[i]!.sparse;
        for (let k = 1; k < s.ids.length; k++) expect(s.ids[k]!).toBeGreaterThan(s.ids[k - 1]!);
        s.ids.forEach((id, k) => {
          got[id] = s.weights[k]!;
        });
        c.sparse.ids.forEach((id, k) => {
          want[id] = c.sparse.weights[k]!;
        });
        expect(maxAbs(got, want), c.name).toBeLessThan(TOL);
        expect(s.ids.length).toBeGreaterThan(0);
      });
    }
    await enc.close();
  });

  it("doc-only SPLADE: queries are their tokens with weight 1 (spladeQuery: 'tokens')", async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { kind: 'splade', spladeQuery: 'tokens' });
    const c = (G.bertSt.cases as Array<{ name: string; prefix: string; text: string; maxLength: number; inputIds: number[] }>).find((x) => x.name === 'repeated' && x.prefix === '' && x.maxLength === 64)!;
    const [q] = await enc.encode([c.text], { role: 'query' });
    const specials = new Set(Object.values(G.specialIds) as number[]);
    const want = [...new Set(c.inputIds.filter((id) => !specials.has(id)))].sort((a, b) => a - b);
    expect([...q!.sparse.ids]).toEqual(want);
    expect([...q!.sparse.weights].every((w) => w === 1)).toBe(true);
    await enc.close();
  });
});

describe('BM42 (tiny BERT with attention output)', () => {
  it('murmur3 matches mmh3.hash reference values', () => {
    expect(murmur3('hello')).toBe(613153351);
    expect(murmur3('foo')).toBe(-156908512);
    expect(murmur3('')).toBe(0);
    expect(bm42TermId('foo')).toBe(156908512);
  });

  it('document weights (CLS attention, words, stop-words, Porter2 stems, max, log^0.5) and unit query terms', async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-bm42'), { preset: 'Qdrant/bm42-all-minilm-l6-v2-attentions' });
    const cs = G.bm42.cases as Array<{ name: string; text: string; document: { ids: number[]; weights: number[] }; query: { ids: number[] } }>;
    const docs = await enc.encode(
      cs.map((c) => c.text),
      { role: 'document' },
    );
    const qs = await enc.encode(
      cs.map((c) => c.text),
      { role: 'query' },
    );
    cs.forEach((c, i) => {
      expect([...docs[i]!.sparse.ids], c.name).toEqual(c.document.ids);
      expect(maxAbs(docs[i]!.sparse.weights, c.document.weights), c.name).toBeLessThan(TOL);
      expect([...qs[i]!.sparse.ids], c.name).toEqual(c.query.ids);
      expect([...qs[i]!.sparse.weights].every((w) => w === 1)).toBe(true);
    });
    // term ids are one-way hashes: stems seen by this process decode, others show as #id
    expect(enc.decodeTokens([bm42TermId('rank'), 1])).toEqual(['rank', '#1']);
    expect(() => enc.decodeTokens([-1])).toThrow(/BM42 term id/);
    await enc.close();
  });

  it('idfWeightedQuery multiplies by ln(1 + (N - df + 0.5)/(df + 0.5))', () => {
    const q = { ids: Uint32Array.of(3, 9), weights: Float32Array.of(1, 1) };
    const df = new Map([
      [3, 1],
      [9, 10],
    ]);
    const w = idfWeightedQuery(q, (id) => df.get(id) ?? 0, 10);
    expect(w.weights[0]).toBeCloseTo(Math.log(1 + 9.5 / 1.5), 6);
    expect(w.weights[1]).toBeCloseTo(Math.log(1 + 0.5 / 10.5), 6);
  });
});

describe('ColBERT / PyLate conventions (tiny BERT + 1_Dense projection)', () => {
  it('markers, [MASK] expansion, skip-list, projection, normalisation match the numpy goldens', async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-colbert'));
    const cb = enc.config.colbert!;
    expect(cb).toMatchObject({ queryMarker: '[unused0]', documentMarker: '[unused1]', queryLength: G.colbert.queryLength, attendToExpansion: false });
    expect(enc.info.dim).toBe(16);
    expect(enc.info.heads).toEqual({ dense: false, sparse: false, multivector: true });
    const cs = G.colbert.cases as Array<{ name: string; text: string; queryIds: number[]; queryVectors: number[][]; documentIds: number[]; documentKept: number[]; documentVectors: number[][] }>;
    const qs = await enc.encode(
      cs.map((c) => c.text),
      { role: 'query', batchSize: 3 },
    );
    const ds = await enc.encode(
      cs.map((c) => c.text),
      { role: 'document', batchSize: 3 },
    );
    cs.forEach((c, i) => {
      const q = qs[i]!.multivector;
      expect([...q.tokenIds], c.name).toEqual(c.queryIds);
      expect(q.count).toBe(G.colbert.queryLength);
      expect(maxAbs(q.data, c.queryVectors.flat()), c.name).toBeLessThan(TOL);
      const d = ds[i]!.multivector;
      expect([...d.tokenIds], c.name).toEqual(c.documentKept.map((k) => c.documentIds[k]!));
      expect(maxAbs(d.data, c.documentVectors.flat()), c.name).toBeLessThan(TOL);
    });
    await enc.close();
  });
});
