/**
 * English analysis from analyser version 3: our own tokeniser (no wink-nlp tokenisation), the
 * same stop list (src/analyze/stop-words.ts) and the same Porter2 stemmer as versions 1–2
 * (wink-eng-lite-web-model's `porter-stemmer.js`, the function behind wink's `its.stem`, whose
 * output src/analyze/porter2.ts reproduces without regular expressions).
 *
 * Tokens, on the lower-cased text (one regex scan, linear in the text's length):
 * - a number with inner separators stays one token: `1.5`, `0.05`, `2,000` (kept as they are,
 *   not stemmed) unless a letter follows (`1.5mg` → `1`, `5mg`);
 * - otherwise a word is a run of letters, digits and combining marks (`\p{L}\p{N}\p{M}`), joined
 *   across inner apostrophes (' or ’): everything else (spaces, punctuation, hyphens, slashes,
 *   symbols, emoji) separates words, so `covid-19` → `covid`, `19`;
 * - apostrophes: a possessive or contraction suffix goes (`dog's`, `we'll`, `they're`, `I've`,
 *   `he'd`, `I'm` → the word before it), `n't` leaves the verb (`don't` → `do`, a stop word),
 *   any other apostrophe is removed (`o'brien` → `obrien`); a trailing apostrophe is punctuation.
 *
 * A word that is a stop word (after the suffix rules) is dropped, other words are stemmed;
 * words longer than {@link MAX_WORD_LENGTH} are dropped before stemming (the analyser drops
 * such terms anyway, and the stemmer's regexes are quadratic in a word's length). Each distinct
 * word's term is memoised (bounded: words of up to 64 characters, at most 200,000 entries).
 * Tokens are found by a hand-written scanner equivalent to {@link TOKEN} (src/analyze/word-scan.ts).
 */
import { stemPorter2 } from './porter2.js';
import { STOP_WORDS } from './stop-words.js';
import { RangeMemo, scanWords } from './word-scan.js';

/** Longest word that is stemmed and kept (UTF-16 units), as the analysers' term cap. */
export const MAX_WORD_LENGTH = 255;

/** The tokens of version 3 (the definition the scanner of word-scan.ts implements); internal. */
export const TOKEN = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu;
const NUMBER = /^\p{N}+(?:[.,]\p{N}+)+$/u;
const APOSTROPHE = /['’]/;
const DROPPED_SUFFIX = new Set(['s', 'll', 're', 've', 'd', 'm']);

/** Word → term ('' = dropped), looked up by character range (no allocation on a hit). */
const cache = new RangeMemo(200_000);
const CACHE_WORD_LENGTH = 64;

/** Empties the word cache (benchmarks time a cold analyser); internal. */
export function resetEnglishV3Cache(): void {
  cache.clear();
}

/**
 * Terms of English text (analyser version 3): see the module doc; internal. Tokens are those of
 * {@link TOKEN} over the lower-cased text, found by the equivalent scanner of word-scan.ts.
 */
export function englishTermsV3(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  scanWords(lower, (start, end) => {
    let term = cache.get(lower, start, end);
    if (term === undefined) {
      const tok = lower.slice(start, end);
      term = wordTerm(tok);
      if (tok.length <= CACHE_WORD_LENGTH) cache.set(tok, term);
    }
    if (term.length > 0) out.push(term);
  });
  return out;
}

/** The term of one lower-case token ('' when dropped); exported for tests. */
export function wordTerm(tok: string): string {
  if (tok.length > MAX_WORD_LENGTH) return '';
  let word = tok;
  if (APOSTROPHE.test(tok)) {
    const parts = tok.split(APOSTROPHE);
    const base = parts[0]!;
    const suffix = parts.slice(1).join('');
    if (parts.length === 2 && DROPPED_SUFFIX.has(suffix)) word = base;
    else if (parts.length === 2 && suffix === 't' && base.length > 1 && base.endsWith('n')) word = base.slice(0, -1);
    else word = parts.join('');
  }
  if (STOP_WORDS.has(word)) return '';
  if (NUMBER.test(word)) return word;
  return stemPorter2(word);
}
