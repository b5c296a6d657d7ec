/**
 * Property test (fast-check) of char-span alignment on random mixed-script text: never
 * throws, one span per token, spans inside the text and in order, specials [0, 0], and
 * for every token whose normalised source equals its piece, the slice gives the piece
 * back (checked on plain ASCII/CJK words where that must hold).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { loadEncoder, type Encoder } from '../../../src/encode/index.js';
import { MODELS } from './helpers.js';

let enc: Encoder;
beforeAll(async () => {
  enc = await loadEncoder(join(MODELS, 'tiny-m3-aapot'), { threads: 1 });
});
afterAll(async () => {
  await enc?.close();
});

const pieces = ['the', 'cat', 'BGE', 'M3', ' ', '  ', '\t', '\n', ',', '!', '...', '東京', '日本', '我们', '公园', '🍕', '☕', 'é', 'e\u0301', 'ｆｕｌｌ', '\u0000', '\uD800', '\uDFFF', 'ꙮ', '½', 'ﬁ', 'Größe', '123'];
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(''));

describe('char spans (property)', () => {
  it('are well-formed for arbitrary mixed text', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const [tl] = await enc.encodeTokens([t], { maxLength: 128 });
        const T = tl!.tokenIds.length;
        expect(tl!.charSpans.length).toBe(T);
        expect(tl!.charSpans[0]).toEqual([0, 0]);
        expect(tl!.charSpans[T - 1]).toEqual([0, 0]);
        let prev = 0;
        for (let i = 1; i < T - 1; i++) {
          const [s, e] = tl!.charSpans[i]!;
          expect(s).toBeGreaterThanOrEqual(prev);
          expect(e).toBeGreaterThanOrEqual(s);
          expect(e).toBeLessThanOrEqual(t.length);
          prev = s;
        }
      }),
      { numRuns: 150, seed: 42 },
    );
  });
  it('slice back to the piece for space-separated ASCII and CJK words', async () => {
    const words = fc.array(fc.constantFrom('the', 'cat', 'retrieval', 'model', '東京', '日本', '我们', 'BM25', '?'), { minLength: 1, maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(words, fc.constantFrom(' ', '  ', '\t'), async (ws, sep) => {
        const t = ws.join(sep);
        const [tl] = await enc.encodeTokens([t], { maxLength: 128 });
        const p = enc.decodeTokens(tl!.tokenIds);
        for (let i = 1; i < p.length - 1; i++) {
          const [s, e] = tl!.charSpans[i]!;
          expect(t.slice(s, e)).toBe(p[i]!.replaceAll('\u2581', ''));
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
