import { describe, it, expect } from 'vitest';
import { createAnalyzer, TermVocabulary, termFrequencies, cjkRatio, countTokenIds } from '../../../src/analyze/index.js';
import { InvalidArgumentError, StorageError } from '../../../src/errors.js';

describe('plain analyser', () => {
  it('lower-cases Unicode word runs', () => {
    expect(createAnalyzer('plain').terms('Hello, WORLD! Ünïcode_x 3.5')).toEqual(['hello', 'world', 'ünïcode_x', '3', '5']);
  });
});

describe('english analyser', () => {
  const a = createAnalyzer('english');
  it('removes stop-words and punctuation and applies Porter2 stems', () => {
    // Porter2 reference stems (snowball): running→run, runners→runner, generously→generous, cats→cat
    expect(a.terms('The runners were running generously, with the cats!')).toEqual(['runner', 'run', 'generous', 'cat']);
  });
  it('keeps numbers in normal form and is deterministic across calls (stem cache)', () => {
    const t = a.terms('Dosage of 3.5 mg in 2019 studies');
    expect(t).toContain('3.5');
    expect(t).toContain('2019');
    expect(t).toContain('studi');
    expect(a.terms('Dosage of 3.5 mg in 2019 studies')).toEqual(t);
  });
  it('rejects non-strings with INVALID_TEXT', () => {
    expect(() => a.terms(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('bigram analyser', () => {
  const a = createAnalyzer('bigram');
  it('makes overlapping bigrams of CJK runs, keeps single characters and Latin words (NFKC)', () => {
    expect(a.terms('東京タワーは高い。日 ＡＢＣ Tokyo-3')).toEqual(['東京', '京タ', 'タワ', 'ワー', 'ーは', 'は高', '高い', '日', 'abc', 'tokyo', '3']);
  });
  it('counts code points, not UTF-16 units (astral Han)', () => {
    expect(a.terms('𠮷野家')).toEqual(['𠮷野', '野家']);
  });
  it('handles Chinese and Korean', () => {
    expect(a.terms('北京大学')).toEqual(['北京', '京大', '大学']);
    expect(a.terms('한국어 책')).toEqual(['한국', '국어', '책']);
  });
});

describe('auto analyser', () => {
  const a = createAnalyzer('auto');
  it('is the english analyser on text without CJK', () => {
    const s = 'The runners were running';
    expect(a.terms(s)).toEqual(createAnalyzer('english').terms(s));
  });
  it('bigrams CJK runs and analyses the rest as English', () => {
    expect(a.terms('東京タワー is running')).toEqual(['東京', '京タ', 'タワ', 'ワー', 'run']);
  });
  it('cjkRatio counts CJK letters', () => {
    expect(cjkRatio('東京 tower')).toBeCloseTo(2 / 7, 12);
    expect(cjkRatio('...')).toBe(0);
  });
});

describe('createAnalyzer', () => {
  it('rejects unknown kinds', () => {
    expect(() => createAnalyzer('french' as 'plain')).toThrow(InvalidArgumentError);
  });
});

describe('TermVocabulary and termFrequencies', () => {
  it('assigns ids in first-seen order and counts term frequencies', () => {
    const v = new TermVocabulary();
    const tf = termFrequencies(['b', 'a', 'b', 'c', 'b'], v, true);
    expect(Array.from(tf.ids)).toEqual([0, 1, 2]);
    expect(Array.from(tf.weights)).toEqual([3, 1, 1]);
    expect(v.termOf(1)).toBe('a');
    expect(v.size).toBe(3);
    const q = termFrequencies(['a', 'zzz', 'a'], v, false);
    expect(Array.from(q.ids)).toEqual([1]);
    expect(Array.from(q.weights)).toEqual([2]);
    expect(v.size).toBe(3);
    expect(v.idOf('zzz', false)).toBe(-1);
  });
  it('sorts ids numerically beyond 10 terms', () => {
    const v = new TermVocabulary();
    const terms = Array.from({ length: 12 }, (_, i) => `t${i}`);
    termFrequencies(terms, v, true);
    const tf = termFrequencies(['t11', 't2', 't10'], v, false);
    expect(Array.from(tf.ids)).toEqual([2, 10, 11]);
  });
  it('round-trips through JSON and rejects bad JSON with StorageError', () => {
    const v = new TermVocabulary();
    for (const t of ['x', 'y', 'z']) v.idOf(t, true);
    const back = TermVocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect([0, 1, 2].map((i) => back.termOf(i))).toEqual(['x', 'y', 'z']);
    expect(back.idOf('y', false)).toBe(1);
    expect(() => TermVocabulary.fromJSON({ terms: [] })).toThrow(StorageError);
    expect(() => TermVocabulary.fromJSON({ ...v.toJSON(), formatVersion: 99 })).toThrow(/FORMAT_VERSION_UNSUPPORTED/);
    expect(() => TermVocabulary.fromJSON({ ...v.toJSON(), terms: ['a', 'a'] })).toThrow(/CORRUPT_FILE/);
    expect(() => v.termOf(3)).toThrow(/UNKNOWN_ID/);
  });
});

describe('countTokenIds', () => {
  it('counts model token ids, dropping XLM-R specials by default', () => {
    const v = countTokenIds([0, 581, 9, 581, 2, 3, 1]);
    expect(Array.from(v.ids)).toEqual([9, 581]);
    expect(Array.from(v.weights)).toEqual([1, 2]);
    expect(Array.from(countTokenIds([0, 5, 0], []).ids)).toEqual([0, 5]);
    expect(() => countTokenIds([1.5])).toThrow(/INVALID_ARGUMENT/);
  });
});
