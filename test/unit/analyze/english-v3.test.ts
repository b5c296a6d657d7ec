// Analyser version 3's own English tokeniser: hand-written expected terms, and versions 1–2
// (wink-nlp tokens) kept for indexes that recorded them.
import { describe, it, expect } from 'vitest';
import { createAnalyzer, ANALYZER_VERSION } from '../../../src/analyze/index.js';

const v3 = createAnalyzer('english', { version: 3 });

describe('english analyser version 3', () => {
  it('is the current version', () => expect(ANALYZER_VERSION).toBe(3));
  it('drops possessives and contraction suffixes, stop words, and stems', () => {
    expect(v3.terms("The dog's fields and the dogs' owners")).toEqual(['dog', 'field', 'dog', 'owner']);
    expect(v3.terms("Don't we'll they're I've he'd I'm O'Brien")).toEqual(['obrien']);
    expect(v3.terms('The runners were running')).toEqual(['runner', 'run']);
  });
  it('splits hyphens and slashes, keeps decimal numbers whole', () => {
    expect(v3.terms('COVID-19 IL-6/CD4+ p<0.05 2,000 1.5mg')).toEqual(['covid', '19', 'il', '6', 'cd4', 'p', '0.05', '2,000', '1.5', 'mg']);
  });
  it('keeps Unicode letters and marks, lower-cased', () => {
    expect(v3.terms('Naïve Zürich café Ελληνικά')).toEqual(['naïv', 'zürich', 'café', 'ελληνικά']);
    expect(v3.terms('e\u0301te\u0301')).toEqual(['e\u0301te\u0301']);
  });
  it('drops words over 255 characters and returns [] for punctuation only', () => {
    expect(v3.terms(`${'a'.repeat(256)} cats`)).toEqual(['cat']);
    expect(v3.terms('... --- !!!')).toEqual([]);
  });
  it('auto (version 3) still bigrams CJK and splits Thai, English part through the new tokeniser', () => {
    const auto = createAnalyzer('auto', { version: 3 });
    expect(auto.terms('東京タワー')).toEqual(['東京', '京タ', 'タワ', 'ワー']);
    expect(auto.terms('ภาษาไทยง่าย')).toEqual(['ภาษา', 'ไทย', 'ง่าย']);
    expect(auto.terms("COVID-19 dog's 東京")).toEqual(['covid', '19', 'dog', '東京']);
  });
  it('versions 1 and 2 keep wink-nlp tokens (hyphenated words whole)', () => {
    for (const version of [1, 2]) {
      expect(createAnalyzer('english', { version }).terms('COVID-19 IL-6')).toEqual(['covid-19', 'il-6']);
      expect(createAnalyzer('auto', { version }).terms('COVID-19 東京')).toEqual(['covid-19', '東京']);
    }
  });
});

describe('english analyser version 3 limits', () => {
  it('a 10 MB word and 1 MB of base64 analyse in bounded time, terms capped at 255', () => {
    expect(v3.terms('z'.repeat(10_000_000))).toEqual([]);
    const b64 = Buffer.from(Array.from({ length: 786_432 }, (_, i) => (i * 7919) % 256)).toString('base64');
    const terms = v3.terms(b64);
    expect(terms.every((t) => t.length <= 255)).toBe(true);
  });
});
