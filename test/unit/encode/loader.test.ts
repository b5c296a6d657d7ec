/**
 * The one loader: `loadEncoder` picks the backend from the preset, `opts.kind` or the model's
 * files; every family is a preset of it; `loadFamilyEncoder` is a deprecated alias. Identities
 * are pinned to the values the two separate loaders computed before they were merged (so
 * indexes built before still open: ENCODER_MISMATCH otherwise).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FamilyEncoder, M3Encoder } from '../../../src/encode/index.js';
import { findPreset, loadEncoder, loadFamilyEncoder, PRESETS, type LoadEncoderOptions } from '../../../src/index.js';

const F = join(import.meta.dirname, '..', '..', 'fixtures', 'families');
const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

// computed with the code before the merge (src/encode/load.ts + src/families/load.ts)
const PINNED: Array<[string, LoadEncoderOptions, string]> = [
  ['tiny-bert-st', {}, 'sentence-transformers-dense-fp32-a8b0cf8b6ca4a87f'],
  ['tiny-splade', { preset: 'splade' }, 'splade-splade-fp32-efcb3985b96f189f'],
  ['tiny-bm42', { preset: 'bm42' }, 'bm42-bm42-fp32-60cda98f0919e044'],
  ['tiny-colbert', { preset: 'colbertv2' }, 'colbert-colbert-fp32-0124f2b05099ddfe'],
  ['tiny-splade', { kind: 'splade' }, 'sentence-transformers-splade-fp32-a10c1d95b28e73f3'],
  ['tiny-mistral', { preset: 'e5-mistral' }, 'decoder-dense-fp32-7088bd2e59956d07'],
];

describe('loadEncoder: one loader, families as presets', () => {
  it('identities are unchanged by the merge (built-in M3 model and every family backend kind)', async () => {
    const m3 = await loadEncoder('builtin:static-en');
    expect(m3).toBeInstanceOf(M3Encoder);
    expect(m3.info.id).toBe('bge-m3-fp32-f94bbf587dcff93c');
    await m3.close();
    for (const [dir, opts, id] of PINNED) {
      const e = await loadEncoder(join(F, dir), opts);
      expect(e, dir).toBeInstanceOf(FamilyEncoder);
      expect(e.info.id, `${dir} ${JSON.stringify(opts)}`).toBe(id);
      await e.close();
    }
  });

  it('loadFamilyEncoder (deprecated) gives the same encoder and outputs as loadEncoder', async () => {
    const a = await loadEncoder(join(F, 'tiny-colbert'), { preset: 'colbertv2' });
    const b = await loadFamilyEncoder(join(F, 'tiny-colbert'), { preset: 'colbertv2' });
    expect(b.info).toEqual(a.info);
    const [x] = await a.encode(['late interaction'], { role: 'query' });
    const [y] = await b.encode(['late interaction'], { role: 'query' });
    expect([...y!.multivector.data]).toEqual([...x!.multivector.data]);
    await a.close();
    await b.close();
    await expect(loadFamilyEncoder('builtin:static-en', { kind: 'm3' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('every family is a preset; the M3 layouts and built-in models are presets of kind m3', () => {
    expect(findPreset('BAAI/bge-m3')?.config.kind).toBe('m3');
    expect(findPreset('Xenova/bge-m3')?.name).toBe('bge-m3');
    expect(findPreset('builtin:static-en')?.config.kind).toBe('m3');
    expect(findPreset('prithivida/Splade_PP_en_v1')?.config.kind).toBe('splade');
    expect(findPreset('Qdrant/bm42-all-minilm-l6-v2-attentions')?.config.kind).toBe('bm42');
    expect(findPreset('colbert-ir/colbertv2.0')?.config.kind).toBe('colbert');
    expect(findPreset('intfloat/multilingual-e5-small')?.config.kind).toBeUndefined(); // dense (the default kind)
    // names are unique and every representative id finds its own preset
    expect(new Set(PRESETS.map((p) => p.name)).size).toBe(PRESETS.length);
    for (const p of PRESETS) for (const id of p.ids) expect(findPreset(id)?.name, id).toBe(p.name);
  });

  it('detects the kind from the files when no preset matches', async () => {
    // sentence-transformers files → dense family backend (mean pooling + Normalize from its files)
    const st = await loadEncoder(join(F, 'tiny-bert-st'));
    expect(st.info.heads).toEqual({ dense: true, sparse: false, multivector: false });
    await st.close();
    // stopwords.txt (BM42 layout) without a preset → family backend (kind dense); { kind } picks bm42
    const plain = await loadEncoder(join(F, 'tiny-bm42'));
    expect(plain).toBeInstanceOf(FamilyEncoder);
    await plain.close();
    const bm42 = await loadEncoder(join(F, 'tiny-bm42'), { kind: 'bm42' });
    expect(bm42.info.sparseModifier).toBe('idf');
    await bm42.close();
    // a family-only option routes a marker-less directory to the family backend
    const d = await mkdtemp(join(tmpdir(), 'trident-loader-'));
    tmp.push(d);
    await cp(join(F, 'tiny-mistral'), d, { recursive: true });
    const dec = await loadEncoder(d, { appendEos: true, padding: 'left', pooling: 'last_token' });
    expect(dec).toBeInstanceOf(FamilyEncoder);
    await dec.close();
  });

  it('M3 layouts take the shared overrides (prefixes, fusionWeights, maxLength) and refuse family-only ones', async () => {
    const base = await loadEncoder('builtin:static-en');
    const pre = await loadEncoder('builtin:static-en', { prefixes: { query: 'search: ' }, fusionWeights: [1, 1, 0], maxLength: 64 });
    expect(pre.info.fusionWeights).toEqual([1, 1, 0]);
    expect(pre.info.maxLength).toBe(64);
    expect(pre.info.id).not.toBe(base.info.id); // prefixes are part of the identity
    const [a] = await pre.encode(['bm25 ranking'], { role: 'query' });
    const [b] = await base.encode(['search: bm25 ranking'], { role: 'query' });
    expect([...a!.dense]).toEqual([...b!.dense]);
    const [c] = await pre.encode(['bm25 ranking'], { role: 'document' }); // documents get no prefix
    const [e] = await base.encode(['bm25 ranking'], { role: 'document' });
    expect([...c!.dense]).toEqual([...e!.dense]);
    await pre.close();
    await base.close();
    for (const o of [{ wordSplitter: { name: 'x', split: (t: string) => [t] } }, { colbert: { queryLength: 8 } }, { pooling: 'max' as const }]) {
      await expect(loadEncoder('builtin:static-en', o)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', name: 'InvalidArgumentError' });
    }
  });

  it('bad option values are refused before any file is read', async () => {
    for (const o of [
      { kind: 'lstm' },
      { pooling: 'median' },
      { maxLength: 1 },
      { fusionWeights: [1, 2] },
      { prefixes: { query: 3 } },
      { threads: 0 },
      { normalize: 'yes' },
      { sparseModifier: 'bm25' },
      { spladeQuery: 'x' },
      { padding: 'top' },
      { appendEos: 1 },
      { task: 3 },
      { colbert: null },
    ] as unknown as LoadEncoderOptions[]) {
      await expect(loadEncoder('/definitely/not/here', o), JSON.stringify(o)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await expect(loadEncoder('/definitely/not/here')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
