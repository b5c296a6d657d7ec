// The english analyser's hand-written scanner and range memo (src/analyze/word-scan.ts) against
// their definitions: the TOKEN regex (tokens) and a Map (memo). The analyser's terms equal those
// of the regex implementation it replaced, on every dev text and on random Unicode text.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { englishTermsV3, resetEnglishV3Cache, TOKEN, wordTerm } from '../../../src/analyze/english-v3.js';
import { RangeMemo, scanWords } from '../../../src/analyze/word-scan.js';
import { devDir } from '../sparse/beir.js';

const scanned = (s: string): string[] => {
  const out: string[] = [];
  scanWords(s, (a, b) => out.push(s.slice(a, b)));
  return out;
};
const regexTokens = (s: string): string[] => s.match(TOKEN) ?? [];
/** Version 3 as first written: the regex, then wordTerm per token (no memo). */
const reference = (text: string): string[] =>
  regexTokens(text.toLowerCase())
    .map(wordTerm)
    .filter((t) => t.length > 0);

/** Pieces chosen to hit every rule: separators, apostrophes, marks, other scripts' digits, astral code points, lone surrogates. */
const PIECES = ['a', 'Z', 'x', '0', '7', '.', ',', "'", '’', ' ', '-', '/', 'é', 'e\u0301', '\u0301', 'İ', 'ß', '٣', '²', 'Ⅻ', '½', '𝑥', '𠀀', '𝟙', '\ud800', '\udc00', '東', 'ภ', '\u0e31', 'Ω', '_', '😀', '\n', "n't", "'s"];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((a) => a.join(''));

describe('scanWords = the TOKEN regex', () => {
  it('hand-picked cases', () => {
    for (const s of ['1.5mg', 'covid-19', 'a1.5', '1.5.', 'x1,000,000y', "dog's", "dogs'", '²³.4', '12.a', '\u0301abc', '𝟙.𝟚', "o'brien’s", "''a''", '1,,2', '.5', '\ud800a\udc00']) {
      expect(scanned(s.toLowerCase()), s).toEqual(regexTokens(s.toLowerCase()));
    }
  });
  it('random Unicode text (fast-check)', () => {
    fc.assert(
      fc.property(text, (s) => {
        const l = s.toLowerCase();
        expect(scanned(l)).toEqual(regexTokens(l));
      }),
      { numRuns: 3000 },
    );
  });
  it('random strings of any code units, lone surrogates included (fast-check)', () => {
    const units = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0x20, max: 0x7e })), { maxLength: 60 });
    fc.assert(
      fc.property(
        units.map((u) => String.fromCharCode(...u)),
        (s) => {
          expect(scanned(s)).toEqual(regexTokens(s));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('englishTermsV3 = the regex implementation', () => {
  it('random text, cold and warm memo', () => {
    fc.assert(
      fc.property(text, (s) => {
        const want = reference(s);
        expect(englishTermsV3(s)).toEqual(want);
        expect(englishTermsV3(s)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
    resetEnglishV3Cache();
  });
  const sets = ['scifact', 'nfcorpus', 'jsquad-ja', 'cmrc2018-zh'].filter((s) => existsSync(join(devDir(s), 'corpus.jsonl')));
  it.skipIf(sets.length === 0)(
    `every dev text (${sets.join(', ')})`,
    () => {
      resetEnglishV3Cache();
      let n = 0;
      for (const set of sets) {
        for (const f of ['corpus.jsonl', 'queries.jsonl']) {
          for (const line of readFileSync(join(devDir(set), f), 'utf8').split('\n')) {
            if (!line) continue;
            const d = JSON.parse(line) as { title?: string; text?: string };
            const t = `${d.title ?? ''} ${d.text ?? ''}`;
            const got = englishTermsV3(t);
            const want = reference(t);
            if (got.length !== want.length || got.some((x, i) => x !== want[i])) expect(got, t.slice(0, 80)).toEqual(want);
            n++;
          }
        }
      }
      expect(n).toBeGreaterThan(10_000);
    },
    120_000,
  );
});

describe('RangeMemo', () => {
  it('agrees with a Map under random sets and range look-ups, across growth and the size cap', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.boolean()), { maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (ops, max) => {
        const memo = new RangeMemo(max);
        let ref = new Map<string, string>();
        for (const [k, isSet] of ops) {
          const pad = `<${k}>`;
          if (isSet) {
            if (!ref.has(k) && ref.size >= max) ref = new Map(); // full: a new word starts afresh
            memo.set(k, `v${k}`);
            ref.set(k, `v${k}`);
          }
          expect(memo.get(pad, 1, 1 + k.length)).toBe(ref.get(k));
          expect(memo.size).toBe(ref.size);
        }
      }),
      { numRuns: 300 },
    );
  });
});
