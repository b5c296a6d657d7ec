/**
 * The english analyser as it was before run memoisation (commit 408e7f4): one wink-nlp
 * `readDoc` per text, stems memoised. The same-run baseline of bench/build.bench.ts.
 */
import { winkTokenizer } from '../../src/analyze/english.js';

const stemCache = new Map<string, string>();
const SKIP = new Set(['punctuation', 'tabCRLF', 'emoji', 'emoticon', 'symbol']);

/** Clears this baseline's stem cache (a fresh process's state). */
export function resetPerDocCache(): void {
  stemCache.clear();
}

/** Terms of `text` through one wink readDoc (the pre-memoisation analyser). */
export function perDocEnglishTerms(text: string): string[] {
  const nlp = winkTokenizer();
  const its = nlp.its;
  const tokens = nlp.readDoc(text).tokens();
  const types = tokens.out(its.type) as string[];
  const stop = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const normal = tokens.out(its.normal) as string[];
  const values = tokens.out(its.value) as string[];
  const stemOf = its.stem as unknown as typeof its.normal;
  const out: string[] = [];
  for (let i = 0; i < types.length; i++) {
    const type = types[i]!;
    if (SKIP.has(type) || stop[i]) continue;
    if (type === 'word') {
      const n = values[i]!;
      let s = stemCache.get(n);
      if (s === undefined) {
        s = tokens.itemAt(i).out(stemOf) as string;
        stemCache.set(n, s);
      }
      if (s.length > 0) out.push(s);
    } else {
      out.push(normal[i]!);
    }
  }
  return out;
}
