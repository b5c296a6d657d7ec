/**
 * Each M3 rule on its own (shared/M3-SPEC.md), on the tiny fixture model. Oracles:
 * goldens.json (sentencepiece ids, float64 numpy forward pass incl. raw hidden states)
 * and brute-force recomputation from the un-pooled per-token output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'node:fs';
import { loadEncoder, type Encoder } from '../../../src/encode/index.js';
import { goldens, maxAbsDiff, MODELS, norm, tokenizerCases } from './helpers.js';

const H = goldens.shape.hiddenSize;
let enc: Encoder; // backbone layout: exposes hidden states
let three: Encoder; // three-output layout

beforeAll(async () => {
  enc = await loadEncoder(join(MODELS, 'tiny-m3'), { threads: 1 });
  three = await loadEncoder(join(MODELS, 'tiny-m3-aapot'), { threads: 1 });
});
afterAll(async () => {
  await enc?.close();
  await three?.close();
});

const texts = tokenizerCases.filter((c) => c.maxLength === 64).map((c) => c.text);

describe('dense', () => {
  it('is the CLS hidden state, L2-normalised', async () => {
    const [tl] = await enc.encodeTokens(['What is BGE M3?'], { maxLength: 64 });
    const cls = Float64Array.from(tl!.hidden!.subarray(0, H));
    const n = norm(cls);
    expect(
      maxAbsDiff(
        tl!.dense,
        Array.from(cls, (x) => x / n),
      ),
    ).toBeLessThan(1e-6);
    for (const o of await enc.encode(texts)) expect(Math.abs(norm(o.dense) - 1)).toBeLessThan(1e-5);
  });
});

describe('hidden state', () => {
  it('matches the float64 reference (position ids start at 2, right padding)', async () => {
    for (const g of goldens.lastHiddenState) {
      const [tl] = await enc.encodeTokens([tokenizerCases.find((c) => c.name === g.name && c.maxLength === g.maxLength)!.text], { maxLength: g.maxLength });
      expect(Array.from(tl!.tokenIds)).toEqual(g.inputIds);
      expect(maxAbsDiff(tl!.hidden!, g.values.flat())).toBeLessThanOrEqual(goldens.tolerances.fp32);
    }
  });
  it('is null for layouts that do not expose it', async () => {
    const [tl] = await three.encodeTokens(['hello']);
    expect(tl!.hidden).toBeNull();
  });
});

describe('sparse', () => {
  it('drops ids 0-3 and non-positive weights and keeps the max per repeated id', async () => {
    for (const e of [enc, three]) {
      const tls = await e.encodeTokens(texts, { maxLength: 64 });
      const pooled = await e.encode(texts, { maxLength: 64 });
      let sawRepeat = false;
      tls.forEach((tl, i) => {
        const best = new Map<number, number>();
        const seen = new Map<number, Set<number>>();
        tl.tokenIds.forEach((id, t) => {
          const w = tl.tokenWeights[t]!;
          if (!seen.has(id)) seen.set(id, new Set());
          seen.get(id)!.add(w);
          if (id <= 3 || w <= 0) return;
          best.set(id, Math.max(best.get(id) ?? 0, w));
        });
        for (const ws of seen.values()) if (ws.size > 1) sawRepeat = true;
        const ids = [...best.keys()].sort((a, b) => a - b);
        const sp = pooled[i]!.sparse;
        expect(Array.from(sp.ids)).toEqual(ids);
        expect(Array.from(sp.weights)).toEqual(ids.map((id) => Math.fround(best.get(id)!)));
        expect(sp.ids.every((id) => id > 3)).toBe(true);
        expect(sp.weights.every((w) => w > 0)).toBe(true);
        // special positions carry weight 0 in the token-level output
        expect(tl.tokenWeights[0]).toBe(0);
        expect(tl.tokenWeights[tl.tokenWeights.length - 1]).toBe(0);
      });
      expect(sawRepeat).toBe(true); // the 'repeated' case has one id with different weights
    }
  });
});

describe('multi-vector', () => {
  it('drops CLS, keeps </s>, normalises each row and equals colbert_linear(H[1:])', async () => {
    const out = await enc.encode(texts, { maxLength: 64 });
    const tls = await enc.encodeTokens(texts, { maxLength: 64 });
    out.forEach((o, i) => {
      const tl = tls[i]!;
      expect(o.multivector.count).toBe(o.tokenCount - 1);
      expect(o.multivector.tokenIds[0]).not.toBe(goldens.specialIds.cls);
      expect(o.multivector.tokenIds[o.multivector.count - 1]).toBe(goldens.specialIds.eos);
      expect(Array.from(o.multivector.tokenIds)).toEqual(Array.from(tl.tokenIds.subarray(1)));
      for (let r = 0; r < o.multivector.count; r++) {
        expect(Math.abs(norm(o.multivector.data.subarray(r * H, (r + 1) * H)) - 1)).toBeLessThan(1e-5);
      }
      expect(maxAbsDiff(o.multivector.data, tl.colbert)).toBe(0);
    });
  });
});

describe('batching and padding', () => {
  it('batched results equal one-by-one results (right padding, length buckets)', async () => {
    for (const e of [enc, three]) {
      const batched = await e.encode(texts, { maxLength: 64, batchSize: 16 });
      for (let i = 0; i < texts.length; i++) {
        const [one] = await e.encode([texts[i]!], { maxLength: 64, batchSize: 1 });
        expect(maxAbsDiff(batched[i]!.dense, one!.dense)).toBeLessThan(1e-5);
        expect(Array.from(batched[i]!.sparse.ids)).toEqual(Array.from(one!.sparse.ids));
        expect(maxAbsDiff(batched[i]!.sparse.weights, one!.sparse.weights)).toBeLessThan(1e-5);
        expect(maxAbsDiff(batched[i]!.multivector.data, one!.multivector.data)).toBeLessThan(1e-5);
      }
    }
  });
});

describe('truncation', () => {
  const tok = new Tokenizer(JSON.parse(readFileSync(join(MODELS, 'tiny-m3', 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(MODELS, 'tiny-m3', 'tokenizer_config.json'), 'utf8')));
  it('counts both specials and flags the result', async () => {
    const text = goldens.cases.find((c) => c.name === 'long')!.text;
    const full = tok.encode(text).ids;
    expect(full.length).toBeGreaterThan(20);
    const n = full.length;
    const [exact, cut, cut16] = await enc
      .encode(
        [text, text, text].map((t) => t),
        { maxLength: n },
      )
      .then(async (a) => [a[0]!, (await enc.encode([text], { maxLength: n - 1 }))[0]!, (await enc.encode([text], { maxLength: 16 }))[0]!]);
    expect(exact!.truncated).toBe(false);
    expect(exact!.tokenCount).toBe(n);
    expect(cut!.truncated).toBe(true);
    expect(cut!.tokenCount).toBe(n - 1);
    expect(cut16!.tokenCount).toBe(16);
    expect(Array.from(cut16!.multivector.tokenIds)).toEqual([...full.slice(1, 15), goldens.specialIds.eos]);
  });
  it('cuts a multi-megabyte text quickly and exactly like full tokenization', async () => {
    const base = goldens.cases.find((c) => c.name === 'long')!.text;
    const huge = `${base} `.repeat(Math.ceil(2_000_000 / base.length));
    const expected = tok.encode(huge.slice(0, 5000)).ids.slice(0, 63);
    const t0 = performance.now();
    const [o] = await enc.encodeTokens([huge], { maxLength: 64 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(o!.truncated).toBe(true);
    expect(Array.from(o!.tokenIds)).toEqual([...expected, goldens.specialIds.eos]);
    // the longest input the positions allow (max_position_embeddings - 2) runs
    const [full] = await enc.encode([huge], { maxLength: goldens.shape.maxPositionEmbeddings - 2 });
    expect(full!.tokenCount).toBe(goldens.shape.maxPositionEmbeddings - 2);
    expect(full!.multivector.count).toBe(goldens.shape.maxPositionEmbeddings - 3);
  });
});
