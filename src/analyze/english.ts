/**
 * English analysis with wink-nlp (wink-eng-lite-web-model): its tokeniser, lower-casing
 * (`its.normal`, which also expands contractions such as n't → not), stop-word removal
 * (`its.stopWordFlag`) and Porter2 stemming (`its.stem`). Words are stemmed; numbers and other
 * content tokens (emails, urls, hashtags…) are kept in normal form; punctuation and whitespace go.
 * The wink instance is created lazily once per process.
 *
 * Speed and bounds. wink tokenises each whitespace-separated run on its own (its splitter below;
 * nothing crosses a space), so the terms of a text are the concatenation of the terms of its
 * runs: runs of up to 64 characters are memoised (a run seen before costs one map look-up) and the runs not in
 * the cache go through wink together, in one `readDoc`, separated by newlines. wink's tokeniser regexes
 * (the e-mail detector) and the Porter2 stemmer's regexes backtrack quadratically in the length
 * of one run, so a run longer than {@link MAX_RUN_LENGTH} UTF-16 units is first cut into pieces
 * of at most that length (after its last non-letter/digit character when the window has one,
 * never inside a surrogate pair), each analysed as a run: the work per character is bounded and
 * analysis is linear in the text's length, with no cap on the text itself.
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

/**
 * Longest run of non-space characters handed to wink in one piece (UTF-16 units); longer runs
 * are cut (see the module doc). Also the longest term any analyser keeps (src/analyze/analyzer.ts),
 * as Lucene's `maxTokenLength`.
 */
export const MAX_RUN_LENGTH = 255;

/** wink's own splitter (`trex.helpers.splitter` of wink-eng-lite-web-model): spaces, then tabs and line breaks. */
const SPLITTER = /[ \u00a0\u2002-\u2005\u2009\u200a\u202f\u205f]+|[\n\r\t]+/;

/** wink's `its.stem` is a pure function of the token's text (`its.value`): memoise it. */
const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 200_000;
/**
 * Terms of each run seen (a run's terms do not depend on its neighbours). Only runs of up to
 * RUN_CACHE_LENGTH characters are kept (longer ones rarely repeat), which bounds the cache's
 * memory to a few tens of MB.
 */
const runCache = new Map<string, readonly string[]>();
const RUN_CACHE_MAX = 200_000;
const RUN_CACHE_LENGTH = 64;

/** Empties the run and stem caches (benchmarks time a fresh process's analysis); internal. */
export function resetEnglishCaches(): void {
  runCache.clear();
  stemCache.clear();
}

const SKIP = new Set(['punctuation', 'tabCRLF', 'emoji', 'emoticon', 'symbol']);
const NOT_WORD_CHAR = /[^\p{L}\p{N}\p{M}]/u;

/** Terms of English text: lower-cased, stop-words removed, words Porter2-stemmed; internal. */
export function englishTerms(text: string): string[] {
  const runs: string[] = [];
  for (const part of text.split(SPLITTER)) {
    if (part.length === 0) continue;
    if (part.length <= MAX_RUN_LENGTH) runs.push(part);
    else cutRun(part, runs);
  }
  const missed = new Set<string>();
  for (const r of runs) if (!runCache.has(r)) missed.add(r);
  const fresh = missed.size > 0 ? analyseRuns([...missed]) : null;
  const out: string[] = [];
  for (const r of runs) {
    const terms = runCache.get(r) ?? fresh!.get(r)!;
    for (let i = 0; i < terms.length; i++) out.push(terms[i]!);
  }
  return out;
}

/**
 * Appends the pieces of a run longer than {@link MAX_RUN_LENGTH} (internal; exported for tests): each piece ends after the last
 * non-letter/digit/mark character of its window (so lists such as `a,b,c` keep their words)
 * or, when there is none, at the window's end moved back off a high surrogate.
 */
export function cutRun(run: string, out: string[]): void {
  let start = 0;
  while (run.length - start > MAX_RUN_LENGTH) {
    let end = start + MAX_RUN_LENGTH;
    let cut = -1;
    for (let i = end - 1; i > start; i--) {
      const c = run.charCodeAt(i);
      if (isHighSurrogate(c)) continue; // never cut between the halves of a pair
      const ch = c >= 0xdc00 && c <= 0xdfff && isHighSurrogate(run.charCodeAt(i - 1)) ? run.slice(i - 1, i + 1) : run[i]!;
      if (c < 0x80 ? !isAsciiWordChar(c) : NOT_WORD_CHAR.test(ch)) {
        cut = i + 1;
        break;
      }
    }
    if (cut > start) end = cut;
    else if (isHighSurrogate(run.charCodeAt(end - 1))) end--;
    out.push(run.slice(start, end));
    start = end;
  }
  if (start < run.length) out.push(run.slice(start));
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * Analyses distinct runs not in the cache with one wink `readDoc` over the runs joined by '\n':
 * each '\n' is one `tabCRLF` token, so the tokens split back into runs. Should a run ever yield a
 * `tabCRLF` token of its own, the runs are analysed one `readDoc` each instead.
 */
function analyseRuns(runs: string[]): Map<string, readonly string[]> {
  const fresh = new Map<string, readonly string[]>();
  const groups = runs.length === 1 ? [[...winkTerms(runs[0]!, null)]] : batch(runs);
  for (let i = 0; i < runs.length; i++) {
    const terms = groups[i]!;
    fresh.set(runs[i]!, terms);
    if (runs[i]!.length > RUN_CACHE_LENGTH) continue;
    if (runCache.size >= RUN_CACHE_MAX) runCache.clear();
    runCache.set(runs[i]!, terms);
  }
  return fresh;
}

function batch(runs: string[]): string[][] {
  const groups: string[][] = [[]];
  winkTerms(runs.join('\n'), groups);
  if (groups.length === runs.length) return groups;
  return runs.map((r) => winkTerms(r, null));
}

/**
 * wink tokens of `text` → terms. With `groups`, a `tabCRLF` token starts a new group (the
 * separator between runs) and terms go to the last group.
 */
function winkTerms(text: string, groups: string[][] | null): string[] {
  const nlp = winkTokenizer();
  const its = nlp.its;
  const tokens = nlp.readDoc(text).tokens();
  const types = tokens.out(its.type) as string[];
  const stop = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const normal = tokens.out(its.normal) as string[];
  const values = tokens.out(its.value) as string[];
  const stemOf = its.stem as unknown as typeof its.normal;
  let out: string[] = groups === null ? [] : groups[0]!;
  for (let i = 0; i < types.length; i++) {
    const type = types[i]!;
    if (type === 'tabCRLF' && groups !== null) {
      out = [];
      groups.push(out);
      continue;
    }
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
