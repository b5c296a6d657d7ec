/**
 * SPLADE with separate query and document encoders (efficient-splade -query/-doc style) and
 * document-only SPLADE whose queries are tokenised and weighted by idf.json (opensearch doc-*).
 * Oracles: the numpy goldens of the two tiny MLMs (tiny-splade = document model,
 * tiny-splade-query = query model, same WordPiece vocabulary) and the golden token ids.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeByRole, loadByRole, loadFamilyEncoder } from '../../../../src/encode/index.js';
import { HybridIndex } from '../../../../src/hybrid/index.js';
import type { Encoder } from '../../../../src/encode/types.js';
import { FIX, G, TOL, maxAbs } from './goldens.js';

interface SpladeCase {
  name: string;
  text: string;
  maxLength: number;
  inputIds: number[];
  sparse: { ids: number[]; weights: number[] };
}
const docCases = (G.splade.cases as SpladeCase[]).filter((c) => c.maxLength === 64);
const queryCases = (G.spladeQuery.cases as SpladeCase[]).filter((c) => c.maxLength === 64);

function dense(ids: ArrayLike<number>, weights: ArrayLike<number>, V: number): Float64Array {
  const out = new Float64Array(V);
  for (let i = 0; i < ids.length; i++) out[ids[i]!] = weights[i]!;
  return out;
}

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-splade-roles-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('composeByRole / loadByRole: SPLADE query model + document model', () => {
  it('queries go through the query model, documents through the document model (numpy goldens)', async () => {
    const enc = await loadByRole(join(FIX, 'tiny-splade-query'), join(FIX, 'tiny-splade'), { preset: 'naver/efficient-splade-VI-BT-large-query' });
    expect(enc.info.heads).toEqual({ dense: false, sparse: true, multivector: false });
    const V = enc.info.vocabSize;
    const qs = await enc.encode(
      queryCases.map((c) => c.text),
      { role: 'query', maxLength: 64 },
    );
    const ds = await enc.encode(
      docCases.map((c) => c.text),
      { role: 'document', maxLength: 64 },
    );
    const dflt = await enc.encode(
      docCases.map((c) => c.text),
      { maxLength: 64 },
    ); // no role = document
    queryCases.forEach((c, i) => {
      expect(maxAbs(dense(qs[i]!.sparse.ids, qs[i]!.sparse.weights, V), dense(c.sparse.ids, c.sparse.weights, V)), c.name).toBeLessThan(TOL);
    });
    docCases.forEach((c, i) => {
      expect(maxAbs(dense(ds[i]!.sparse.ids, ds[i]!.sparse.weights, V), dense(c.sparse.ids, c.sparse.weights, V)), c.name).toBeLessThan(TOL);
      expect([...dflt[i]!.sparse.ids]).toEqual([...ds[i]!.sparse.ids]);
    });
    // the two models really differ (else this test could not tell them apart)
    expect(maxAbs(dense(queryCases[0]!.sparse.ids, queryCases[0]!.sparse.weights, V), dense(docCases[0]!.sparse.ids, docCases[0]!.sparse.weights, V))).toBeGreaterThan(0.01);
    await enc.close();
    await enc.close(); // idempotent
    await expect(enc.encode(['x'])).rejects.toMatchObject({ code: 'ENCODER_CLOSED', name: 'EncoderClosedError' });
  });

  it('one HybridIndex indexes with the document model and searches with the query model', async () => {
    const enc = await loadByRole(join(FIX, 'tiny-splade-query'), join(FIX, 'tiny-splade'), { preset: 'splade' });
    const index = await HybridIndex.create({ encoder: enc, path: join(tmp, 'pair') });
    const docs = docCases.filter((c) => c.text !== '');
    const added = await index.add(docs.map((c, i) => ({ id: i, text: c.text })));
    expect(added.truncated).toBe(0);
    const V = enc.info.vocabSize;
    for (const q of queryCases.filter((c) => c.text !== '')) {
      const qv = dense(q.sparse.ids, q.sparse.weights, V);
      const want = docs.map((d) => d.sparse.ids.reduce((s, id, k) => s + qv[id]! * d.sparse.weights[k]!, 0));
      const hits = await index.search(q.text, { mode: 'sparse', k: docs.length, exhaustive: true });
      expect(hits.length).toBe(docs.length);
      for (const h of hits) expect(h.scores.sparse!, `${q.name} → ${h.id}`).toBeCloseTo(want[h.id as number]!, 3);
      const best = want.indexOf(Math.max(...want));
      expect(want[hits[0]!.id as number]!).toBeCloseTo(want[best]!, 3);
    }
    await index.save();
    await index.close();
    // the identity combines both models: the document model alone cannot open this index
    const docOnly = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'splade' });
    await expect(HybridIndex.open(join(tmp, 'pair'), { encoder: docOnly })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH' });
    await docOnly.close();
    await enc.close();
  });

  it('rejects pairs that cannot share an index (heads, vocabulary), naming the problem', async () => {
    const splade = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'splade' });
    const bert = await loadFamilyEncoder(join(FIX, 'tiny-bert-st'));
    expect(() => composeByRole({ query: bert, document: splade })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/heads/) }));
    const shifted: Encoder = { ...splade, info: splade.info, encode: splade.encode.bind(splade), encodeTokens: splade.encodeTokens.bind(splade), close: splade.close.bind(splade), decodeTokens: (ids) => splade.decodeTokens(ids).map((t) => `${t}x`) };
    expect(() => composeByRole({ query: shifted, document: splade })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/token id \d+/) }));
    const smaller: Encoder = { ...shifted, info: { ...splade.info, vocabSize: splade.info.vocabSize - 1 } };
    expect(() => composeByRole({ query: smaller, document: splade })).toThrow(/vocabulary/);
    expect(() => composeByRole({ query: splade } as never)).toThrow(/document/);
    await splade.close();
    await bert.close();
    await expect(loadByRole(join(FIX, 'tiny-splade'), join(tmp, 'missing'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});

describe('document-only SPLADE (opensearch-neural-sparse-encoding-doc-*): idf.json query weights', () => {
  it('queries are the distinct non-special tokens weighted by idf.json (absent tokens dropped); documents run the MLM', async () => {
    const dir = join(tmp, 'doc-only');
    await fsp.cp(join(FIX, 'tiny-splade'), dir, { recursive: true });
    const vocab = (JSON.parse(await fsp.readFile(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
    const idf: Record<string, number> = {};
    // weight every other token (by id), value depending on the id; leave the rest out
    for (const [tok, id] of Object.entries(vocab)) if (id % 2 === 0) idf[tok] = 0.25 + (id % 7) / 4;
    idf.notInVocabulary = 3;
    await fsp.writeFile(join(dir, 'idf.json'), JSON.stringify(idf));
    const enc = await loadFamilyEncoder(dir, { preset: 'opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill' });
    expect(enc.config.spladeQuery).toBe('tokens');
    const specials = new Set(Object.values(G.specialIds) as number[]);
    const bert = (G.bertSt.cases as Array<{ name: string; prefix: string; maxLength: number; text: string; inputIds: number[] }>).filter((c) => c.prefix === '' && c.maxLength === 64);
    const qs = await enc.encode(
      bert.map((c) => c.text),
      { role: 'query' },
    );
    let nonEmpty = 0;
    bert.forEach((c, i) => {
      const ids = [...new Set(c.inputIds.filter((id) => !specials.has(id) && id % 2 === 0))].sort((a, b) => a - b);
      expect([...qs[i]!.sparse.ids], c.name).toEqual(ids);
      expect([...qs[i]!.sparse.weights], c.name).toEqual(ids.map((id) => Math.fround(0.25 + (id % 7) / 4)));
      if (ids.length) nonEmpty++;
    });
    expect(nonEmpty).toBeGreaterThan(3);
    const ds = await enc.encode(
      docCases.map((c) => c.text),
      { maxLength: 64 },
    );
    docCases.forEach((c, i) => {
      expect(maxAbs(dense(ds[i]!.sparse.ids, ds[i]!.sparse.weights, enc.info.vocabSize), dense(c.sparse.ids, c.sparse.weights, enc.info.vocabSize)), c.name).toBeLessThan(TOL);
    });
    // the weights are part of the identity: another idf.json is another encoder
    const plain = await loadFamilyEncoder(join(FIX, 'tiny-splade'), { preset: 'opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill' });
    expect(plain.info.id).not.toBe(enc.info.id);
    await plain.close();
    await enc.close();
    await fsp.writeFile(join(dir, 'idf.json'), '{"a": -1}');
    await expect(loadFamilyEncoder(dir, { preset: 'opensearch-doc' })).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/idf\.json.*>= 0/) });
    await fsp.writeFile(join(dir, 'idf.json'), '{oops');
    await expect(loadFamilyEncoder(dir, { preset: 'opensearch-doc' })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});
