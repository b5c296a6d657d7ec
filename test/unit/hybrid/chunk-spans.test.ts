import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunkSpans } from '../../../src/hybrid/index.js';

describe('chunkSpans', () => {
  it('tiles the text with no gaps or overlaps (sentences, no overlap)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('Alpha beta.', 'Gamma!', ' Delta epsilon?', '\n', '日本語です。', '中文。', 'x'), { minLength: 0, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (parts, size) => {
        const text = parts.join(' ');
        const spans = chunkSpans(text, { kind: 'late', by: 'sentence', size });
        expect(spans[0]!.start).toBe(0);
        expect(spans[spans.length - 1]!.end).toBe(text.length);
        for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBe(spans[i - 1]!.end);
        expect(spans.map((s) => text.slice(s.start, s.end)).join('')).toBe(text);
      }),
    );
  });
  it('token windows respect size and overlap', () => {
    const tokens: Array<[number, number]> = Array.from({ length: 20 }, (_, i) => [i * 2, i * 2 + 1]);
    const text = 'a '.repeat(20);
    const spans = chunkSpans(text, { kind: 'late', by: 'tokens', size: 6, overlap: 2 }, tokens);
    // windows start every 4 tokens: 0, 4, 8, 12, 16 (the last reaches token 19)
    expect(spans.length).toBe(5);
    expect(spans[1]!.start).toBe(8);
    expect(spans[0]!.end).toBe(11);
    expect(spans[4]!.end).toBe(text.length);
  });
});
