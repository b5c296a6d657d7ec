/**
 * Character-bigram analysis for Japanese, Chinese and Korean: NFKC, lower-case, then each CJK run
 * becomes its overlapping code-point bigrams (a one-character run stays a unigram) and every other
 * run of letters/digits becomes one word. Punctuation and spaces separate runs.
 */
import { RUNS_SOURCE } from './cjk.js';

/** Terms of `text` under the bigram scheme; internal. */
export function bigramTerms(text: string): string[] {
  const out: string[] = [];
  const norm = text.normalize('NFKC').toLowerCase();
  for (const m of norm.matchAll(new RegExp(RUNS_SOURCE, 'gu'))) {
    if (m[1] !== undefined) pushBigrams(m[1], out);
    else out.push(m[2]!);
  }
  return out;
}

/** Appends the overlapping bigrams of one CJK run (code points); internal. */
export function pushBigrams(run: string, out: string[]): void {
  const cps = Array.from(run);
  if (cps.length === 1) {
    out.push(cps[0]!);
    return;
  }
  for (let i = 0; i + 1 < cps.length; i++) out.push(cps[i]! + cps[i + 1]!);
}
