/**
 * English analysis with wink-nlp (wink-eng-lite-web-model): its tokeniser, lower-casing
 * (`its.normal`, which also expands contractions such as n't → not), stop-word removal
 * (`its.stopWordFlag`) and Porter2 stemming (`its.stem`). Words are stemmed; numbers and other
 * content tokens (emails, urls, hashtags…) are kept in normal form; punctuation and whitespace go.
 * The wink instance is created lazily once per process.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

type Wink = ReturnType<typeof winkNLP>;
let tokenNlp: Wink | undefined;
let sbdNlp: Wink | undefined;

/** A wink-nlp instance with an empty pipe (tokenisation only); internal. */
export function winkTokenizer(): Wink {
  tokenNlp ??= winkNLP(model, []);
  return tokenNlp;
}

/** A wink-nlp instance with sentence boundary detection; internal. */
export function winkSentences(): Wink {
  sbdNlp ??= winkNLP(model, ['sbd']);
  return sbdNlp;
}

/** wink's `its.stem` is a pure function of the token's text (`its.value`): memoise it (stemming dominates the cost). */
const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 200_000;

const SKIP = new Set(['punctuation', 'tabCRLF', 'emoji', 'emoticon', 'symbol']);

/** Terms of English text: lower-cased, stop-words removed, words Porter2-stemmed; internal. */
export function englishTerms(text: string): string[] {
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
        if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
        stemCache.set(n, s);
      }
      if (s.length > 0) out.push(s);
    } else {
      out.push(normal[i]!);
    }
  }
  return out;
}
