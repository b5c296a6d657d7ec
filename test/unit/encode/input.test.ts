/**
 * Input handling: char spans, empty / whitespace / surrogate / NUL texts, bad arguments,
 * close(). Oracles: goldens.json ids and the text itself (spans must slice back to the piece).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TridentError } from '../../../src/errors.js';
import { loadEncoder, type Encoder } from '../../../src/encode/index.js';
import { goldens, maxAbsDiff, MODELS, tokenizerCases } from './helpers.js';

let enc: Encoder;
beforeAll(async () => {
  enc = await loadEncoder(join(MODELS, 'tiny-m3-aapot'), { threads: 1 });
});
afterAll(async () => {
  await enc?.close();
});

const META = '\u2581';

describe('char spans', () => {
  const byName = (n: string): string => goldens.cases.find((c) => c.name === n)!.text;
  for (const name of ['english', 'query', 'punctuation', 'japanese', 'chinese', 'emoji', 'accents', 'repeated']) {
    it(`slice back to each piece (${name})`, async () => {
      const text = byName(name);
      const [tl] = await enc.encodeTokens([text], { maxLength: 64 });
      const pieces = enc.decodeTokens(tl!.tokenIds);
      const T = tl!.tokenIds.length;
      expect(tl!.charSpans[0]).toEqual([0, 0]);
      expect(tl!.charSpans[T - 1]).toEqual([0, 0]);
      let prevEnd = 0;
      for (let t = 1; t < T - 1; t++) {
        const [s, e] = tl!.charSpans[t]!;
        expect(s).toBeGreaterThanOrEqual(prevEnd);
        expect(e).toBeGreaterThanOrEqual(s);
        prevEnd = e;
        if (tl!.tokenIds[t] === goldens.specialIds.unk) continue;
        expect(text.slice(s, e).normalize('NFKC'), `token ${t} ${pieces[t]}`).toBe(pieces[t]!.replaceAll(META, ''));
      }
    });
  }
  it('map full-width text back to the original characters', async () => {
    const text = goldens.cases.find((c) => c.name === 'fullwidth')!.text;
    const [tl] = await enc.encodeTokens([text], { maxLength: 64 });
    const pieces = enc.decodeTokens(tl!.tokenIds);
    for (let t = 1; t < tl!.tokenIds.length - 1; t++) {
      const [s, e] = tl!.charSpans[t]!;
      if (tl!.tokenIds[t] === goldens.specialIds.unk) continue;
      expect(text.slice(s, e).normalize('NFKC')).toBe(pieces[t]!.replaceAll(META, ''));
    }
  });
  it('give the unknown-token span the unknown characters', async () => {
    const text = goldens.cases.find((c) => c.name === 'unknown')!.text;
    const [tl] = await enc.encodeTokens([text], { maxLength: 64 });
    const t = Array.from(tl!.tokenIds).indexOf(goldens.specialIds.unk);
    expect(t).toBeGreaterThan(0);
    const [s, e] = tl!.charSpans[t]!;
    expect(text.slice(s, e)).toBe('\ua66e'); // the glyph the vocabulary lacks
  });
  it('are aligned with multi-vector rows in encode()', async () => {
    const text = goldens.cases.find((c) => c.name === 'english')!.text;
    const [o] = await enc.encode([text]);
    const [tl] = await enc.encodeTokens([text]);
    expect(o!.multivector.charSpans).toEqual(tl!.charSpans.slice(1));
  });
});

describe('edge-case texts', () => {
  it('empty text encodes <s></s>: one multi-vector (</s>), no sparse weights', async () => {
    const [o] = await enc.encode(['']);
    expect(o!.tokenCount).toBe(2);
    expect(o!.truncated).toBe(false);
    expect(o!.sparse.ids.length).toBe(0);
    expect(Array.from(o!.multivector.tokenIds)).toEqual([goldens.specialIds.eos]);
    const g = goldens.cases.find((c) => c.name === 'empty')!;
    expect(maxAbsDiff(o!.dense, g.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
  });
  it('whitespace-only text gives what tokenizer.json gives', async () => {
    const g = tokenizerCases.find((c) => c.name === 'whitespace')!;
    const [o] = await enc.encode([g.text]);
    expect(o!.tokenCount).toBe(g.tokenizerJsonIds.length);
    expect(maxAbsDiff(o!.dense, g.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
  });
  it('replaces lone surrogates with U+FFFD', async () => {
    const [a, b, c] = await enc.encodeTokens(['ab\uD800cd', 'ab\uFFFDcd', 'x\uDFFF']);
    expect(Array.from(a!.tokenIds)).toEqual(Array.from(b!.tokenIds));
    expect(maxAbsDiff(a!.dense, b!.dense)).toBe(0);
    expect(c!.tokenIds.length).toBeGreaterThanOrEqual(3);
    for (const [, e] of a!.charSpans) expect(e).toBeLessThanOrEqual(6);
  });
  it('accepts NUL and control characters', async () => {
    const [o] = await enc.encodeTokens(['a\u0000b\u0001c\u0000']);
    expect(o!.tokenIds[0]).toBe(goldens.specialIds.cls);
    expect(Number.isFinite(o!.dense[0])).toBe(true);
    for (const [s, e] of o!.charSpans) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(e).toBeLessThanOrEqual(6);
    }
  });
});

describe('bad arguments', () => {
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'resolved';
    } catch (e) {
      return e instanceof TridentError ? e.code : `untyped ${e}`;
    }
  };
  it('rejects non-string texts with INVALID_TEXT', async () => {
    expect(await code(enc.encode([42 as unknown as string]))).toBe('INVALID_TEXT');
    expect(await code(enc.encode(['ok', null as unknown as string]))).toBe('INVALID_TEXT');
    expect(await code(enc.encode('text' as unknown as string[]))).toBe('INVALID_ARGUMENT');
  });
  it('rejects bad options with INVALID_ARGUMENT', async () => {
    expect(await code(enc.encode(['a'], { maxLength: 1 }))).toBe('INVALID_ARGUMENT');
    expect(await code(enc.encode(['a'], { maxLength: 10_000 }))).toBe('INVALID_ARGUMENT');
    // XLM-R: max_position_embeddings 514 leaves 512 usable positions (ids start at 2)
    expect(goldens.shape.maxPositionEmbeddings).toBe(514);
    expect(await code(enc.encode(['a'], { maxLength: 512 }))).toBe('resolved');
    expect(await code(enc.encode(['a'], { maxLength: 513 }))).toBe('INVALID_ARGUMENT');
    expect(await code(enc.encode(['a'], { maxLength: 2.5 }))).toBe('INVALID_ARGUMENT');
    expect(await code(enc.encode(['a'], { batchSize: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await code(enc.encode(['a'], { role: 'passage' as 'query' }))).toBe('INVALID_ARGUMENT');
    expect(() => enc.decodeTokens([-1])).toThrow(TridentError);
    expect(() => enc.decodeTokens([goldens.shape.vocabSize])).toThrow(TridentError);
  });
  it('maxLength 2 keeps only the specials', async () => {
    const [o] = await enc.encode(['hello world'], { maxLength: 2 });
    expect(o!.tokenCount).toBe(2);
    expect(o!.truncated).toBe(true);
    expect(Array.from(o!.multivector.tokenIds)).toEqual([goldens.specialIds.eos]);
  });
  it('empty input list gives an empty result', async () => {
    expect(await enc.encode([])).toEqual([]);
  });
});

describe('close', () => {
  it('is idempotent and later calls throw a typed error', async () => {
    const e = await loadEncoder(join(MODELS, 'tiny-m3-aapot'), { threads: 1 });
    await e.close();
    await e.close();
    await expect(e.encode(['x'])).rejects.toBeInstanceOf(TridentError);
    await expect(e.encodeTokens(['x'])).rejects.toBeInstanceOf(TridentError);
    expect(() => e.decodeTokens([5])).toThrow(TridentError);
  });
  it('waits for a running batch and stops the remaining ones with a typed error', async () => {
    const e = await loadEncoder(join(MODELS, 'tiny-m3-aapot'), { threads: 1 });
    const texts = Array.from({ length: 40 }, (_, i) => `text number ${i} `.repeat(1 + (i % 5)));
    const running = e.encode(texts, { batchSize: 1 }).then(
      () => 'done',
      (err) => err,
    );
    await new Promise((r) => setTimeout(r, 1));
    await e.close();
    const r = await running;
    if (r !== 'done') expect(r).toBeInstanceOf(TridentError);
  });
});
