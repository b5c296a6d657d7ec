/**
 * Late chunking with family encoders (jina-embeddings-v2 style: mean pooling of contextual
 * token embeddings per chunk, over one pass of the whole document). Oracle: a brute-force
 * pooling over the encoder's raw token states (whose correctness is tied to the numpy goldens
 * in the first test), with the BERT layout known by construction ([CLS] prefix text [SEP]).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeEncoders, loadFamilyEncoder, type FamilyEncoder } from '../../../../src/encode/index.js';
import { HybridIndex } from '../../../../src/hybrid/index.js';
import { prepareDocuments } from '../../../../src/hybrid/chunking.js';
import { FIX, G, maxAbs } from './goldens.js';

const DOC = 'BM25 is a bag-of-words retrieval function that ranks documents. The cat and the dog and the cat. ' + 'The runners were running quickly; the runner runs. What is BM25?';
const DOCS = [DOC, 'The dog runs. A cat sat on the mat with another cat. Retrieval ranks documents by words.', 'Café déjà vu: naïve façade! The runner runs quickly. BM25 is a function.'];

let jina: FamilyEncoder;
let e5: FamilyEncoder;
beforeAll(async () => {
  jina = await loadFamilyEncoder(join(FIX, 'tiny-bert-st'), { preset: 'jina-v2' });
  e5 = await loadFamilyEncoder(join(FIX, 'tiny-bert-st'), { preset: 'e5' });
});
afterAll(async () => {
  await jina.close();
  await e5.close();
});

function l2(v: Float64Array): Float64Array {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

/** Brute force: chunk vector = normalised mean of the hidden rows of text tokens inside [start, end). */
async function oracleChunks(enc: FamilyEncoder, text: string, units: Array<{ start: number; end: number }>): Promise<Float64Array[]> {
  const [t] = await enc.encodeTokens([text]);
  const [empty] = await enc.encodeTokens(['']);
  const prefixTokens = empty!.tokenIds.length - 2; // [CLS] prefix [SEP]
  const T = t!.tokenIds.length;
  const H = t!.hidden!.length / T;
  return units.map(({ start, end }) => {
    const sum = new Float64Array(H);
    let n = 0;
    for (let p = 1 + prefixTokens; p < T - 1; p++) {
      const [s, e] = t!.charSpans[p]!;
      if (e > s && s >= start && e <= end) {
        for (let d = 0; d < H; d++) sum[d]! += t!.hidden![p * H + d]!;
        n++;
      }
    }
    expect(n, `chunk [${start}, ${end})`).toBeGreaterThan(0);
    return l2(sum);
  });
}

describe('late chunking with a mean-pooling family encoder', () => {
  it("the token states it pools are the model's: their full mean equals the numpy golden", async () => {
    const c = (G.bertSt.cases as Array<{ name: string; prefix: string; text: string; maxLength: number; pooled: { mean: number[] } }>).find((x) => x.name === 'english' && x.prefix === '' && x.maxLength === 64)!;
    const [t] = await jina.encodeTokens([c.text], { maxLength: 64 });
    const T = t!.tokenIds.length;
    const H = t!.hidden!.length / T;
    const mean = new Float64Array(H);
    for (let p = 0; p < T; p++) for (let d = 0; d < H; d++) mean[d]! += t!.hidden![p * H + d]! / T;
    expect(maxAbs(mean, c.pooled.mean)).toBeLessThan(G.tolerance);
  });

  for (const [name, by] of [
    ['sentences', { kind: 'late', by: 'sentence', size: 1 }],
    ['token windows with overlap', { kind: 'late', by: 'tokens', size: 6, overlap: 2 }],
  ] as const) {
    it(`chunk vectors = normalised mean of the chunk's contextual token states (${name}; jina-v2 and E5 with its "passage: " prefix)`, async () => {
      for (const enc of [jina, e5]) {
        const [doc] = await prepareDocuments(enc, [{ id: 'd', text: DOC }], { chunking: by, batchSize: 8, needSparse: false, onProgress: undefined });
        expect(doc!.chunked).toBe(true);
        expect(doc!.units.length).toBeGreaterThan(2);
        const want = await oracleChunks(enc, DOC, doc!.units);
        doc!.units.forEach((u, i) => {
          expect(u.sparse).toBeNull();
          expect(u.multivector).toBeNull();
          expect(maxAbs(u.dense!, want[i]!), `${enc.config.family} chunk ${i}`).toBeLessThan(1e-5);
        });
        // late ≠ ordinary: the chunk vectors saw the whole document
        const ordinary = await enc.encode(doc!.units.map((u) => DOC.slice(u.start, u.end)));
        expect(doc!.units.some((u, i) => maxAbs(u.dense!, ordinary[i]!.dense) > 1e-3)).toBe(true);
      }
    });
  }

  it('HybridIndex.add with late chunking, then search: each hit is the best chunk by the oracle', async () => {
    const index = await HybridIndex.create({ encoder: jina });
    await index.add(
      DOCS.map((text, i) => ({ id: `d${i}`, text })),
      { chunking: { kind: 'late', by: 'sentence', size: 1 } },
    );
    const chunks = await Promise.all(
      DOCS.map(async (text) => {
        const [d] = await prepareDocuments(jina, [{ id: 'x', text }], { chunking: { kind: 'late', by: 'sentence', size: 1 }, batchSize: 8, needSparse: false, onProgress: undefined });
        return { units: d!.units, vecs: await oracleChunks(jina, text, d!.units) };
      }),
    );
    for (const query of ['the cat and the dog', 'what ranks documents', 'runners running']) {
      const [q] = await jina.encode([query], { role: 'query' });
      const hits = await index.search(query, { mode: 'dense', k: 3, exhaustive: true });
      expect(hits.length).toBe(3);
      for (const h of hits) {
        const d = Number(String(h.id).slice(1));
        const scores = chunks[d]!.vecs.map((v) => v.reduce((s, x, j) => s + x * q!.dense[j]!, 0));
        const best = scores.indexOf(Math.max(...scores));
        expect(h.score).toBeCloseTo(scores[best]!, 5);
        expect(h.chunk!.index).toBe(best);
        expect(h.chunk!.text).toBe(DOCS[d]!.slice(chunks[d]!.units[best]!.start, chunks[d]!.units[best]!.end));
      }
    }
    await index.close();
  });

  it("a composed E5 + SPLADE encoder: dense pooled late, sparse from each chunk's text (the SPLADE model)", async () => {
    const splade = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'splade' });
    const enc = composeEncoders({ dense: e5, sparse: splade });
    const [doc] = await prepareDocuments(enc, [{ id: 'd', text: DOC }], { chunking: { kind: 'late', by: 'sentence', size: 1 }, batchSize: 8, needSparse: true, onProgress: undefined });
    const want = await oracleChunks(e5, DOC, doc!.units);
    const sp = await splade.encode(doc!.units.map((u) => DOC.slice(u.start, u.end)));
    doc!.units.forEach((u, i) => {
      expect(maxAbs(u.dense!, want[i]!)).toBeLessThan(1e-5);
      expect([...u.sparse!.ids]).toEqual([...sp[i]!.sparse.ids]);
      expect([...u.sparse!.weights]).toEqual([...sp[i]!.sparse.weights]);
      expect(u.sparse!.ids.length).toBeGreaterThan(0);
    });
    await splade.close();
  });

  it('documents longer than the model run in macro-windows; chunks of the first window equal the single-pass oracle', async () => {
    const long = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'The cat and the dog and the cat.' : 'BM25 is a bag-of-words retrieval function that ranks documents.')).join(' ');
    const [t] = await jina.encodeTokens([long]);
    expect(t!.truncated).toBe(true); // 128 positions: the text does not fit
    const [doc] = await prepareDocuments(jina, [{ id: 'l', text: long }], { chunking: { kind: 'late', by: 'sentence', size: 1 }, batchSize: 8, needSparse: false, onProgress: undefined });
    expect(doc!.units.length).toBe(12);
    for (const u of doc!.units) {
      expect(u.dense!.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...u.dense!)).toBeCloseTo(1, 5);
    }
    // the first sentence lies inside the kept part of the first window: same as one pass over the truncated text
    const want = await oracleChunks(jina, long, doc!.units.slice(0, 1));
    expect(maxAbs(doc!.units[0]!.dense!, want[0]!)).toBeLessThan(1e-5);
  });

  it('encoders without token states are refused with a typed error and nothing is added', async () => {
    const colbert = await loadFamilyEncoder(join(FIX, 'tiny-colbert'));
    const index = await HybridIndex.create({ encoder: colbert });
    await expect(index.add([{ id: 1, text: DOC }], { chunking: { kind: 'late', by: 'sentence' } })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(index.size).toBe(0);
    await index.close();
    await colbert.close();
  });
});
