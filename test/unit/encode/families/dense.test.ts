import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFamilyEncoder } from '../../../../src/encode/index.js';
import { FIX, G, TOL, maxAbs, norm } from './goldens.js';

const ST = join(FIX, 'tiny-bert-st');
const cases = G.bertSt.cases as Array<{ name: string; prefix: string; text: string; maxLength: number; inputIds: number[]; pooled: Record<string, number[]> }>;
const pick = (prefix: string, L: number) => cases.filter((c) => c.prefix === prefix && c.maxLength === L);
const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe('sentence-transformers layout (tiny BERT, WordPiece)', () => {
  it('reads mean pooling + Normalize from modules.json / 1_Pooling and matches the numpy goldens (batched, padded)', async () => {
    const enc = await loadFamilyEncoder(ST);
    expect(enc.config.pooling).toBe('mean');
    expect(enc.config.normalize).toBe(true);
    expect(enc.info.heads).toEqual({ dense: true, sparse: false, multivector: false });
    expect(enc.info.dim).toBe(32);
    for (const L of [16, 64]) {
      const cs = pick('', L);
      const out = await enc.encode(
        cs.map((c) => c.text),
        { maxLength: L, batchSize: 3 },
      );
      const toks = await enc.encodeTokens(
        cs.map((c) => c.text),
        { maxLength: L },
      );
      cs.forEach((c, i) => {
        expect([...toks[i]!.tokenIds], c.name).toEqual(c.inputIds);
        expect(maxAbs(out[i]!.dense, norm(c.pooled.mean!)), c.name).toBeLessThan(TOL);
        expect(out[i]!.tokenCount).toBe(c.inputIds.length);
      });
    }
    await enc.close();
    await expect(enc.encode(['x'])).rejects.toMatchObject({ code: 'ENCODER_CLOSED', name: 'EncoderClosedError' });
  });

  it('every pooling mode, with and without normalisation', async () => {
    const cs = pick('', 64);
    for (const [mode, key] of [
      ['cls', 'cls'],
      ['max', 'max'],
      ['mean_sqrt_len', 'mean_sqrt_len'],
      ['last_token', 'lasttoken'],
    ] as const) {
      const enc = await loadFamilyEncoder(ST, { pooling: mode, normalize: false });
      const out = await enc.encode(
        cs.map((c) => c.text),
        { maxLength: 64 },
      );
      cs.forEach((c, i) => {
        expect(maxAbs(out[i]!.dense, c.pooled[key]!), `${mode} ${c.name}`).toBeLessThan(TOL);
      });
      await enc.close();
    }
  });

  it('follows a different 1_Pooling config and a missing Normalize module', async () => {
    const d = await mkdtemp(join(tmpdir(), 'trident-st-'));
    tmp.push(d);
    await cp(ST, d, { recursive: true });
    await writeFile(join(d, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: 32, pooling_mode_cls_token: true }));
    await writeFile(
      join(d, 'modules.json'),
      JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      ]),
    );
    const enc = await loadFamilyEncoder(d);
    expect(enc.config.pooling).toBe('cls');
    expect(enc.config.normalize).toBe(false);
    const c = pick('', 64)[0]!;
    const [o] = await enc.encode([c.text], { maxLength: 64 });
    expect(maxAbs(o!.dense, c.pooled.cls!)).toBeLessThan(TOL);
    await enc.close();
  });

  it("E5 preset: 'query: ' / 'passage: ' prefixes, mean pooling, normalised", async () => {
    const enc = await loadFamilyEncoder(ST, { preset: 'intfloat/multilingual-e5-small' });
    expect(enc.config.prefixes).toEqual({ query: 'query: ', document: 'passage: ' });
    for (const [role, prefix] of [
      ['query', 'query: '],
      ['document', 'passage: '],
    ] as const) {
      const cs = pick(prefix, 64);
      const out = await enc.encode(
        cs.map((c) => c.text),
        { role, maxLength: 64 },
      );
      cs.forEach((c, i) => {
        expect(maxAbs(out[i]!.dense, norm(c.pooled.mean!)), `${role} ${c.name}`).toBeLessThan(TOL);
      });
    }
    // char spans refer to the caller's text, not to the prefix
    const [t] = await enc.encodeTokens(['BM25 ranks'], { role: 'query' });
    const spans = t!.charSpans.filter(([s, e]) => e > s).map(([s, e]) => 'BM25 ranks'.slice(s, e));
    expect(spans).toEqual(['BM25', 'ranks']);
    await enc.close();
  });

  it('GTE preset: mean pooling, no prefixes', async () => {
    const enc = await loadFamilyEncoder(ST, { preset: 'thenlper/gte-base' });
    const cs = pick('', 64);
    const out = await enc.encode(
      cs.map((c) => c.text),
      { role: 'query', maxLength: 64 },
    );
    cs.forEach((c, i) => {
      expect(maxAbs(out[i]!.dense, norm(c.pooled.mean!))).toBeLessThan(TOL);
    });
    await enc.close();
  });

  it('rejects bad input and options with typed errors', async () => {
    const enc = await loadFamilyEncoder(ST);
    await expect(enc.encode([null as unknown as string])).rejects.toMatchObject({ code: 'INVALID_TEXT' });
    await expect(enc.encode(['x'], { maxLength: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(enc.encode(['x'], { role: 'other' as 'query' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await enc.close();
    await expect(loadFamilyEncoder(ST, { preset: 'no-such-preset' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(loadFamilyEncoder(join(FIX, 'missing-dir'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});

describe('RoFormer (rotary) with Japanese presets', () => {
  const rc = G.roformer.cases as Array<{ name: string; prefix: string; text: string; maxLength: number; inputIds: number[]; mean: number[] }>;
  it("Ruri 'クエリ: ' / '文章: ' and RoSEtta 'query: ' / 'passage: '", async () => {
    for (const [preset, q, d] of [
      ['cl-nagoya/ruri-base', 'クエリ: ', '文章: '],
      ['pkshatech/RoSEtta-base-ja', 'query: ', 'passage: '],
    ] as const) {
      const enc = await loadFamilyEncoder(join(FIX, 'tiny-roformer'), { preset });
      for (const [role, prefix] of [
        ['query', q],
        ['document', d],
      ] as const) {
        const cs = rc.filter((c) => c.prefix === prefix);
        const out = await enc.encode(
          cs.map((c) => c.text),
          { role, maxLength: 64 },
        );
        cs.forEach((c, i) => {
          expect(maxAbs(out[i]!.dense, norm(c.mean)), `${preset} ${role} ${c.name}`).toBeLessThan(TOL);
        });
      }
      await enc.close();
    }
  });

  it('runs 1024-token inputs (RoSEtta length) and truncates to them', async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-roformer'), { preset: 'pkshatech/RoSEtta-base-ja', prefixes: { document: '' } });
    expect(enc.info.maxLength).toBe(1024);
    const c = rc.find((x) => x.name === 'long')!;
    const [o] = await enc.encode([c.text], { maxLength: 1024 });
    expect(o!.tokenCount).toBe(1024);
    expect(o!.truncated).toBe(true);
    expect(maxAbs(o!.dense, norm(c.mean))).toBeLessThan(TOL);
    await enc.close();
  });
});
