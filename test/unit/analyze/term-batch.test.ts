// Batch analysis (src/analyze/term-batch.ts, native/analyze.cc) against its definition: for every
// document, the terms of the native batch and of its TS twin equal the english analyser's
// `terms()` (itself checked against the TOKEN regex and wink's stemmer in word-scan.test.ts and
// porter2.test.ts); counting a batch document equals countTerms over those terms, staged ids
// included; a BM25 channel fed by batches equals one fed unit by unit.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, countTerms, TermVocabulary } from '../../../src/analyze/index.js';
import { analyzeEnglishBatch, countTermList, termsOf } from '../../../src/analyze/term-batch.js';
import { bmpClasses } from '../../../src/analyze/word-scan.js';
import { nativeAnalyze } from '../../../src/kernels/index.js';
import { Bm25Channel } from '../../../src/channels/bm25-channel.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { devDir } from '../sparse/beir.js';
import { porterWord } from '../../helpers/porter-words.js';

const english = createAnalyzer('english', { version: 3 });
const hasNative = nativeAnalyze() !== null;

/** Both implementations' terms of every document, checked against the analyser. */
function expectBatchEqualsAnalyser(texts: string[]): void {
  const want = texts.map((t) => english.terms(t));
  const ts = analyzeEnglishBatch(texts, { native: false });
  texts.forEach((t, d) => {
    expect(termsOf(ts, d), `TS twin, document ${JSON.stringify(t)}`).toEqual(want[d]);
  });
  if (!hasNative) return;
  const nat = analyzeEnglishBatch(texts);
  texts.forEach((t, d) => {
    expect(termsOf(nat, d), `native, document ${JSON.stringify(t)}`).toEqual(want[d]);
  });
}

/** Pieces that hit every rule: separators, apostrophes, numbers, marks, other scripts, astral code points, lone surrogates, stop words, suffixes. */
const PIECES = [
  'a',
  'Z',
  'x',
  '0',
  '7',
  '.',
  ',',
  "'",
  '’',
  ' ',
  ' ',
  ' ',
  '-',
  '/',
  'é',
  'e\u0301',
  '\u0301',
  'İ',
  'ß',
  '٣',
  '²',
  'Ⅻ',
  '½',
  '𝑥',
  '😀',
  '\ud800',
  '\udc00',
  '東',
  'ภ',
  'Ω',
  '_',
  '\n',
  "n't",
  "'s",
  "'ll",
  'the',
  'and',
  'running',
  'generously',
  'skies',
  'ational',
  'ization',
  'y',
  'ies',
  'eed',
  'ing',
  'ly',
  '1.5',
  '2,000',
  'sky',
  'news',
];
const doc = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((a) => a.join(''));

describe('analyzeEnglishBatch = the english analyser, document by document', () => {
  it('hand-picked documents (apostrophes, numbers, stop words, astral and lone surrogates, long words)', () => {
    expectBatchEqualsAnalyser([
      "The runners were running; they're generously skiing. Don't o'brien's dogs' 1.5mg 2,000 x1,000,000y covid-19",
      'İstanbul café naïvely Ωmega 𝑥 + 😀 résumé e\u0301te',
      '\ud800a\udc00 lone surrogates',
      `${'a'.repeat(300)} ${'b'.repeat(255)} ${'ab'.repeat(130)}ing`,
      '',
      'yellow sky skies dying yearly 3ay x3y idly early canning proceed',
      'The the THE a an',
    ]);
  });

  it('random documents, batched (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 12 }), (texts) => expectBatchEqualsAnalyser(texts)),
      { numRuns: 400, seed: 11 },
    );
  });

  it('generated words through the native Porter2 (suffixes each step handles)', () => {
    fc.assert(
      fc.property(fc.array(porterWord, { minLength: 50, maxLength: 50 }), (words) => expectBatchEqualsAnalyser([words.join(' '), ...words])),
      { numRuns: 200, seed: 7 },
    );
  });

  it.skipIf(!existsSync(join(devDir('scifact'), 'corpus.jsonl')) || !existsSync(join(devDir('nfcorpus'), 'corpus.jsonl')))('every document of the English dev corpora', () => {
    for (const set of ['scifact', 'nfcorpus']) {
      const texts = readFileSync(join(devDir(set), 'corpus.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => {
          const d = JSON.parse(l) as { title?: string; text: string };
          return d.title ? `${d.title} ${d.text}` : d.text;
        });
      expectBatchEqualsAnalyser(texts);
    }
  });
});

describe('countTermList = countTerms over the same terms', () => {
  it('same vectors and the same staged ids, in first-seen order', () => {
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 10 }), fc.boolean(), (texts, native) => {
        const batch = analyzeEnglishBatch(texts, { native });
        const a = new TermVocabulary();
        const b = new TermVocabulary();
        const idOfA = (t: string) => a.idOf(t, true);
        const idOfB = (t: string) => b.idOf(t, true);
        texts.forEach((_, d) => {
          const got = countTermList({ batch, doc: d }, idOfA);
          const want = countTerms(termsOf(batch, d), idOfB);
          expect([...got.ids]).toEqual([...want.ids]);
          expect([...got.weights]).toEqual([...want.weights]);
        });
        expect(a.toJSON()).toEqual(b.toJSON());
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe('Bm25Channel.prepareBatch', () => {
  for (const [analyzer, astral] of [
    ['english', true],
    ['auto', true],
    ['english', false],
    ['auto', false],
  ] as const) {
    it(`a batch-fed channel equals a unit-fed one (analyser ${analyzer}, CJK and Thai texts included, ${astral ? 'a document the addon leaves to TS' : 'every document native'})`, () => {
      const spec = { name: 'bm25', kind: 'bm25' as const, analyzer, analyzerVersion: 3, k1: 1.2, b: 0.75 };
      const texts = ['The cats are running home', '東京タワーの夜景 and Tokyo tower', 'ภาษาไทยง่าย running', "o'brien's dogs 1.5mg", 'generously running cats', 'skies news atlas', 'the end', 'cats and dogs', astral ? '𝑥 variable cats atlas' : 'x variable', 'final document'];
      const units = texts.map((text, i) => ({ doc: i, text, dense: null, sparse: null, multivector: null, vectors: undefined }));
      const batched = new Bm25Channel(spec as never);
      const single = new Bm25Channel(spec as never);
      const values = batched.prepareBatch(units as never);
      batched.begin();
      batched.addBatch(Uint32Array.from(texts.keys()), values);
      batched.commit();
      single.begin();
      single.addBatch(
        Uint32Array.from(texts.keys()),
        units.map((u) => single.prepare(u as never)),
      );
      single.commit();
      expect(batched.vocab.toJSON()).toEqual(single.vocab.toJSON());
      for (const q of ['running cats', 'tokyo 東京', 'ภาษา', 'dogs atlas']) {
        const qa = batched.query({ text: q } as never)!;
        const qb = single.query({ text: q } as never)!;
        const ids = Uint32Array.from(texts.keys());
        expect([...batched.score(qa, ids)]).toEqual([...single.score(qb, ids)]);
      }
    });
  }

  it('a rolled-back batch leaves no term behind', () => {
    const spec = { name: 'bm25', kind: 'bm25' as const, analyzer: 'english', analyzerVersion: 3, k1: 1.2, b: 0.75 };
    const ch = new Bm25Channel(spec as never);
    const texts = Array.from({ length: 10 }, (_, i) => `word${i} shared`);
    const values = ch.prepareBatch(texts.map((text, i) => ({ doc: i, text }) as never));
    ch.begin();
    ch.addBatch(Uint32Array.from(texts.keys()), values);
    for (const id of texts.keys()) ch.remove(id);
    ch.rollback();
    expect(ch.vocab.size).toBe(0);
  });
});

describe.skipIf(!hasNative)('native analyzeEnglish arguments', () => {
  it('refuses wrong types, a short class table and document ends past the text (typed error)', () => {
    const a = nativeAnalyze()!;
    const text = Uint16Array.from('abc', (c) => c.charCodeAt(0));
    expect(() => a.analyzeEnglish(text, Uint32Array.of(3), new Uint8Array(10), new Uint16Array(0), 255)).toThrow(InvalidArgumentError);
    expect(() => a.analyzeEnglish(text, Uint32Array.of(4), bmpClasses(), new Uint16Array(0), 255)).toThrow(InvalidArgumentError);
    expect(() => a.analyzeEnglish(text, Uint32Array.of(2, 1), bmpClasses(), new Uint16Array(0), 255)).toThrow(InvalidArgumentError);
    expect(() => (a.analyzeEnglish as (...x: unknown[]) => unknown)('abc', Uint32Array.of(3), bmpClasses(), new Uint16Array(0), 255)).toThrow(InvalidArgumentError);
  });
});

describe('bmpClasses', () => {
  it('classifies every BMP code unit as the one-code-point regexes do (surrogates: other)', () => {
    const table = bmpClasses();
    const bad: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      const want = c >= 0xd800 && c <= 0xdfff ? 0 : /^\p{N}$/u.test(ch) ? 1 : /^[\p{L}\p{M}]$/u.test(ch) ? 2 : 0;
      if (table[c] !== want) bad.push(c);
    }
    expect(bad).toEqual([]);
  });
});
