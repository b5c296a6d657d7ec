/**
 * Porter2 (Snowball English) stemming with exactly the output of the stemmer the english
 * analysers are defined with — wink-eng-lite-web-model's `porter-stemmer.js`, quirks included —
 * written without regular expressions: index arithmetic on the word instead of about forty
 * regex tests and replacements per word, which made stemming most of a cold BM25 build.
 *
 * The reference's behaviour, kept here on purpose (it defines analyser versions 1–3):
 * - `y` after a vowel becomes a consonant only at its first occurrence (`([aeiou])y`, no `g`);
 * - steps 2–4 accept a suffix when R1 (R2) *contains* it anywhere, not only as its end;
 * - step 3 then strips `ative` when R2 contains `ative`; step 5 drops a final `e` when R2 holds
 *   an `e`, or R1 holds one and the rest is not a short syllable;
 * - regions: after the first vowel run followed by a non-vowel with at least one letter after
 *   it (`[aeiouy]+([^aeiouy].+)`); `gener`, `commun`, `arsen` are R1's prefixes.
 * Words holding a line terminator (which the reference's `.` does not match) are passed to the
 * reference itself; the english tokenisers never produce them. `test/unit/analyze/porter2.test.ts`
 * compares the two on every word of the dev corpora and on generated words.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The reference implementation (wink's, as `its.stem` uses). */
const reference = require('wink-eng-lite-web-model/dist/porter-stemmer.js') as (word: string) => string;

const EXCEPTIONS1 = new Map<string, string>([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
]);
const EXCEPTIONS2 = new Set(['inning', 'outing', 'canning', 'herring', 'proceed', 'exceed', 'succeed', 'earring']);
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** a e i o u y (the regions' and most steps' vowels). */
function isV(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || c === 121;
}

/**
 * Start of the region after `from` (`[aeiouy]+([^aeiouy].+)` on `s.slice(from)`): after the first
 * vowel run's following non-vowel, when at least one character follows it; `s.length` otherwise.
 */
function regionStart(s: string, from: number): number {
  const n = s.length;
  let i = from;
  while (i < n && !isV(s.charCodeAt(i))) i++;
  if (i >= n) return n;
  while (i < n && isV(s.charCodeAt(i))) i++;
  // s[i] is the non-vowel; at least one character must follow it
  return Math.min(i + 1, n);
}

/** R1 and R2 starts as the reference's markRegions computes them. */
function regions(s: string): { r1: number; r2: number } {
  let r1 = regionStart(s, 0);
  if (r1 === s.length) return { r1, r2: r1 };
  if (s.startsWith('gener') || s.startsWith('arsen')) r1 = 5;
  else if (s.startsWith('commun')) r1 = 6;
  return { r1, r2: regionStart(s, r1) };
}

/** `[^aeiouy][aeiouy][^aeiouywx3]$` or `^[aeiouy][^aeiouy]?$`. */
function isShort(s: string): boolean {
  const n = s.length;
  if (n >= 3) {
    const c = s.charCodeAt(n - 1);
    if (!isV(s.charCodeAt(n - 3)) && isV(s.charCodeAt(n - 2)) && !isV(c) && c !== 119 && c !== 120 && c !== 51) return true;
  }
  if (n === 1) return isV(s.charCodeAt(0));
  if (n === 2) return isV(s.charCodeAt(0)) && !isV(s.charCodeAt(1));
  return false;
}

function prelude(s0: string): string {
  let s = s0;
  if (s.charCodeAt(0) === 121) s = `3${s.slice(1)}`;
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c === 97 || c === 101 || c === 105 || c === 111 || c === 117) && s.charCodeAt(i + 1) === 121) {
      s = `${s.slice(0, i + 1)}3${s.slice(i + 2)}`;
      break;
    }
  }
  if (s.endsWith("'s") || s.endsWith('’s')) s = s.slice(0, -2);
  if (s.endsWith("s'") || s.endsWith('s’')) s = s.slice(0, -2);
  if (s.endsWith("'") || s.endsWith('’')) s = s.slice(0, -1);
  return s;
}

function step1a(s: string): string {
  const n = s.length;
  if (n >= 5 && s.endsWith('sses')) return `${s.slice(0, -4)}ss`;
  if (s.endsWith('ied') || s.endsWith('ies')) {
    if (n >= 5) return `${s.slice(0, -3)}i`;
    if (n === 4) return `${s.slice(0, -3)}ie`;
  }
  if (n >= 3 && (s.endsWith('us') || s.endsWith('ss'))) return s;
  if (n >= 2 && s.charCodeAt(n - 1) === 115) {
    // the word without its s must hold a vowel with at least one character after it
    for (let i = 0; i + 1 < n - 1; i++) if (isV(s.charCodeAt(i))) return s.slice(0, -1);
  }
  return s;
}

const DOUBLES = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);

function step1b(s: string): string {
  const n = s.length;
  if (s.endsWith('eed') || s.endsWith('eedly')) {
    const cut = s.endsWith('eedly') ? 5 : 3;
    // R1 (a suffix of s) ends with eed / eedly iff it is at least that long
    return n - regions(s).r1 >= cut ? `${s.slice(0, n - cut)}ee` : s;
  }
  const cut = s.endsWith('ed') ? 2 : s.endsWith('ing') ? 3 : s.endsWith('edly') ? 4 : s.endsWith('ingly') ? 5 : 0;
  if (cut === 0) return s;
  const q = n - cut;
  let vowel = false;
  for (let i = 0; i < q; i++) {
    if (isV(s.charCodeAt(i))) {
      vowel = true;
      break;
    }
  }
  if (!vowel) return s;
  const sd = s.slice(0, q);
  if (sd.endsWith('at') || sd.endsWith('bl') || sd.endsWith('iz')) return `${sd}e`;
  if (DOUBLES.has(sd.slice(-2))) return sd.slice(0, -1);
  if (isShort(sd) && regions(sd).r1 === sd.length) return `${sd}e`;
  return sd;
}

function step1c(s: string): string {
  const n = s.length;
  if (n < 3) return s;
  const c = s.charCodeAt(n - 1);
  if ((c === 121 || c === 51) && !isV(s.charCodeAt(n - 2))) return `${s.slice(0, -1)}i`;
  return s;
}

/** The longest of `suffixes` that `s` ends with, or null. */
function longestSuffix(s: string, suffixes: readonly string[]): string | null {
  let best: string | null = null;
  for (const x of suffixes) if ((best === null || x.length > best.length) && s.endsWith(x)) best = x;
  return best;
}

const STEP2 = ['ization', 'ational', 'fulness', 'ousness', 'iveness', 'tional', 'biliti', 'lessli', 'entli', 'ation', 'alism', 'aliti', 'ousli', 'iviti', 'fulli', 'enci', 'anci', 'abli', 'izer', 'ator', 'alli', 'bli', 'ogi', 'li'];
const STEP2_RULES: Array<[string, string]> = [
  ['ational', 'ate'],
  ['ization', 'ize'],
  ['fulness', 'ful'],
  ['ousness', 'ous'],
  ['iveness', 'ive'],
  ['tional', 'tion'],
  ['biliti', 'ble'],
  ['lessli', 'less'],
  ['iviti', 'ive'],
  ['ousli', 'ous'],
  ['ation', 'ate'],
  ['entli', 'ent'],
  ['alism', 'al'],
  ['aliti', 'al'],
  ['fulli', 'ful'],
  ['alli', 'al'],
  ['ator', 'ate'],
  ['izer', 'ize'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['abli', 'able'],
  ['bli', 'ble'],
];
const LI_ENDING = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't']);

function step2(s: string): string {
  const match = longestSuffix(s, STEP2);
  if (match === null || s.indexOf(match, regions(s).r1) < 0) return s;
  for (const [from, to] of STEP2_RULES) if (s.endsWith(from)) return s.slice(0, s.length - from.length) + to;
  if (s.endsWith('logi')) return s.slice(0, -1);
  if (s.length >= 3 && s.endsWith('li') && LI_ENDING.has(s[s.length - 3]!)) return s.slice(0, -2);
  return s;
}

const STEP3 = ['ational', 'tional', 'alize', 'icate', 'iciti', 'ative', 'ical', 'ness', 'ful'];

function step3(s: string): string {
  const { r1, r2 } = regions(s);
  const match = longestSuffix(s, STEP3);
  if (match === null || s.indexOf(match, r1) < 0) return s;
  if (s.endsWith('ational')) return `${s.slice(0, -7)}ate`;
  if (s.endsWith('tional')) return `${s.slice(0, -6)}tion`;
  if (s.endsWith('alize')) return `${s.slice(0, -5)}al`;
  if (s.endsWith('icate') || s.endsWith('iciti')) return `${s.slice(0, -5)}ic`;
  if (s.endsWith('ical')) return `${s.slice(0, -4)}ic`;
  if (s.endsWith('ness')) return s.slice(0, -4);
  if (s.endsWith('ful')) return s.slice(0, -3);
  if (s.indexOf('ative', r2) >= 0 && s.endsWith('ative')) return s.slice(0, -5);
  return s;
}

const STEP4 = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'al', 'er', 'ic'];

function step4(s: string): string {
  const plain = longestSuffix(s, STEP4);
  const match = plain ?? (s.endsWith('ion') ? 'ion' : null);
  if (match === null || s.indexOf(match, regions(s).r2) < 0) return s;
  if (plain !== null) return s.slice(0, s.length - plain.length);
  const c = s.charCodeAt(s.length - 4);
  return s.length >= 4 && (c === 115 || c === 116) ? s.slice(0, -3) : s;
}

function step5(s: string): string {
  const { r1, r2 } = regions(s);
  if (s.endsWith('e')) {
    const preceding = s.slice(0, -1);
    return s.indexOf('e', r2) >= 0 || (s.indexOf('e', r1) >= 0 && !isShort(preceding)) ? preceding : s;
  }
  if (s.endsWith('l') && r2 < s.length && s.endsWith('ll')) return s.slice(0, -1);
  return s;
}

/**
 * Stems one word (lower-cased first) exactly as wink's Porter2 implementation does.
 *
 * @example
 * ```ts
 * stemPorter2('generously') // 'generous'
 * ```
 */
export function stemPorter2(word: string): string {
  let s = word.toLowerCase();
  if (s.length < 3) return s;
  const ex = EXCEPTIONS1.get(s);
  if (ex !== undefined) return ex;
  if (LINE_TERMINATOR.test(s)) return reference(word);
  s = step1a(prelude(s));
  if (!EXCEPTIONS2.has(s)) s = step5(step4(step3(step2(step1c(step1b(s))))));
  return s.includes('3') ? s.replaceAll('3', 'y') : s;
}

/** The reference stemmer (for tests and analyser versions that name it). */
export const referencePorter2 = reference;
