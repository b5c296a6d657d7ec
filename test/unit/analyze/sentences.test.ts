import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { sentenceSpans } from '../../../src/analyze/index.js';

function expectTiles(text: string, spans: { start: number; end: number }[]) {
  if (text.length === 0) return expect(spans).toEqual([]);
  expect(spans[0]!.start).toBe(0);
  expect(spans[spans.length - 1]!.end).toBe(text.length);
  for (let i = 0; i < spans.length; i++) {
    expect(spans[i]!.end).toBeGreaterThan(spans[i]!.start);
    if (i > 0) expect(spans[i]!.start).toBe(spans[i - 1]!.end);
  }
  expect(spans.map((s) => text.slice(s.start, s.end)).join('')).toBe(text);
}

const pieces = (text: string, lang?: string) => sentenceSpans(text, lang).map((s) => text.slice(s.start, s.end));

describe('sentenceSpans', () => {
  it('splits English with wink-nlp, attaching whitespace to the previous sentence', () => {
    expect(pieces('  Hello there.  How are you? I am fine.\n\nNew paragraph here.', 'en')).toEqual(['  Hello there.  ', 'How are you? ', 'I am fine.\n\n', 'New paragraph here.']);
  });
  it('splits Japanese and Chinese at 。！？ and newlines', () => {
    expect(pieces('今日は晴れ。明日は雨！本当？\n次の行', 'ja')).toEqual(['今日は晴れ。', '明日は雨！', '本当？\n', '次の行']);
    expect(pieces('我爱北京。你呢？', 'zh')).toEqual(['我爱北京。', '你呢？']);
    // no language given: CJK-heavy text uses the Unicode splitter
    expect(pieces('我爱北京。你呢？')).toEqual(['我爱北京。', '你呢？']);
  });
  it('keeps closing quotes with their sentence and does not split decimals', () => {
    expect(pieces('Er sagte „Ja!" Dann ging er. Es kostet 3.5 Euro.', 'de')).toEqual(['Er sagte „Ja!" ', 'Dann ging er. ', 'Es kostet 3.5 Euro.']);
  });
  it('covers any text exactly, for every splitter', () => {
    const alphabet = fc.constantFrom('a', 'B', ' ', '.', '!', '?', '\n', '。', '日', '本', '"', '」', '3', '\t', 'é', '😀', 'Dr.', ' Mr. ');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.constantFrom(undefined, 'en', 'ja', 'zh', 'fr'), (parts, lang) => {
        const text = parts.join('');
        expectTiles(text, sentenceSpans(text, lang));
      }),
      { numRuns: 300 },
    );
  });
});
