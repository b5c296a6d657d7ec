/**
 * Analysers turn text into terms for BM25.
 * - `plain`: lower-case, Unicode word runs (`[\p{L}\p{N}_]+`), nothing removed.
 * - `english`: lower-case, stop-words removed, Porter2 stems. Version 3 on: our own word
 *   tokeniser (src/analyze/english-v3.ts); versions 1–2: wink-nlp's tokens (src/analyze/english.ts).
 * - `bigram`: NFKC, lower-case, CJK runs → overlapping character bigrams (single characters stay),
 *   other words whole.
 * - `auto`: text without CJK characters is analysed as `english`; text with CJK characters is
 *   NFKC-normalised, its CJK runs become bigrams and the rest goes through `english`; runs of
 *   Thai, Lao, Khmer and Myanmar (no spaces between words) become dictionary words (ICU word
 *   breaks, src/analyze/sea.ts; since analyser version 2). Queries and documents therefore
 *   meet on the same terms whatever their mix.
 *
 * Limits (every kind and version): a term longer than {@link MAX_TERM_LENGTH} UTF-16 units is
 * dropped (Lucene's `maxTokenLength`, 255); the english analyser cuts runs of non-space
 * characters longer than that into pieces before tokenising them (src/analyze/english.ts).
 * There is no cap on a text's length: every analyser does work linear in its length (long
 * texts are analysed run by run), so a 10 MB word or a 1 MB base64 string is analysed in
 * bounded time and stack. These limits change nothing for text whose space-separated runs
 * are at most 255 characters long (e.g. the dev corpora), so the analyser version is unchanged.
 */
import { invalid } from '../errors.js';
import { bigramTerms, pushBigrams } from './bigram.js';
import { CJK_CHAR, CJK_SPLIT } from './cjk.js';
import { englishTerms, MAX_RUN_LENGTH } from './english.js';
import { englishTermsV3 } from './english-v3.js';
import { pushSeaWords, SEA_CHAR, SEA_SPLIT } from './sea.js';

/**
 * Version of the analysers' behaviour, stored with an index so that one built by an older
 * trident keeps analysing queries the way its documents were analysed. 1: `auto` passes
 * Thai/Lao/Khmer/Myanmar runs to `english` whole; 2: it splits them into words; 3: `english`
 * (and the English part of `auto`) uses our own tokeniser instead of wink-nlp's (hyphenated
 * words split, possessive 's and contraction suffixes dropped; scifact BM25 build ≈ 3× faster).
 */
export const ANALYZER_VERSION = 3;

/**
 * Longest term an analyser returns, in UTF-16 units; longer terms are dropped.
 *
 * @example
 * ```ts
 * createAnalyzer('plain').terms('x'.repeat(MAX_TERM_LENGTH + 1)); // []
 * ```
 */
export const MAX_TERM_LENGTH = MAX_RUN_LENGTH;

/**
 * Text → terms.
 *
 * @example
 * ```ts
 * const a: Analyzer = createAnalyzer('plain');
 * a.terms('Hello, World'); // ['hello', 'world']
 * ```
 */
export interface Analyzer {
  readonly name: string;
  terms(text: string): string[];
}

/**
 * Analyser kinds accepted by {@link createAnalyzer}.
 *
 * @example
 * ```ts
 * const kind: AnalyzerKind = 'bigram';
 * ```
 */
export type AnalyzerKind = 'plain' | 'english' | 'bigram' | 'auto';

/**
 * Creates an analyser. Throws `INVALID_ARGUMENT` for an unknown kind; `terms()` throws
 * `INVALID_TEXT` when given something other than a string.
 *
 * @example
 * ```ts
 * createAnalyzer('english').terms('The runners were running'); // ['runner', 'run']
 * createAnalyzer('bigram').terms('東京タワー'); // ['東京', '京タ', 'タワ', 'ワー']
 * createAnalyzer('auto').terms('ภาษาไทยง่าย'); // ['ภาษา', 'ไทย', 'ง่าย']
 * ```
 */
export function createAnalyzer(kind: AnalyzerKind, opts: { version?: number } = {}): Analyzer {
  const version = opts.version ?? ANALYZER_VERSION;
  if (!Number.isInteger(version) || version < 1 || version > ANALYZER_VERSION) {
    invalid('INVALID_ARGUMENT', `analyzer version ${String(version)} is not one this trident knows (1..${ANALYZER_VERSION}); upgrade trident`);
  }
  const english = version >= 3 ? englishTermsV3 : englishTerms;
  switch (kind) {
    case 'plain':
      return make('plain', plainTerms);
    case 'english':
      return make('english', english);
    case 'bigram':
      return make('bigram', bigramTerms);
    case 'auto':
      return make('auto', version >= 2 ? (t) => autoTerms(t, english) : (t) => autoTermsV1(t, english));
    default:
      return invalid('INVALID_ARGUMENT', `analyzer kind must be 'plain', 'english', 'bigram' or 'auto', got ${String(kind)}`);
  }
}

function make(name: string, fn: (text: string) => string[]): Analyzer {
  return {
    name,
    terms(text: string): string[] {
      if (typeof text !== 'string') invalid('INVALID_TEXT', `${name} analyzer expects a string, got ${typeof text}`);
      const terms = fn(text);
      let w = 0;
      for (let i = 0; i < terms.length; i++) if (terms[i]!.length <= MAX_TERM_LENGTH) terms[w++] = terms[i]!;
      terms.length = w;
      return terms;
    },
  };
}

const PLAIN = /[\p{L}\p{N}_]+/gu;

function plainTerms(text: string): string[] {
  return text.toLowerCase().match(PLAIN) ?? [];
}

type Terms = (text: string) => string[];

/**
 * True when the 'auto' analyser (version 2 on) gives `text` to its English analysis whole: no
 * South-East Asian and no CJK character (the batch analyser of the BM25 build asks this).
 *
 * @example
 * ```ts
 * autoIsEnglish('running cats'); // true
 * autoIsEnglish('東京 tower'); // false
 * ```
 */
export function autoIsEnglish(text: string): boolean {
  return !SEA_CHAR.test(text) && !CJK_CHAR.test(text);
}

function autoTerms(text: string, english: Terms): string[] {
  if (autoIsEnglish(text)) return english(text);
  if (SEA_CHAR.test(text)) {
    // Thai / Lao / Khmer / Myanmar runs: dictionary words; the rest as below
    const out: string[] = [];
    const parts = text.normalize('NFKC').split(SEA_SPLIT);
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 1) pushSeaWords(parts[i]!, out);
      else if (/[\p{L}\p{N}]/u.test(parts[i]!)) out.push(...autoTermsV1(parts[i]!, english));
    }
    return out;
  }
  return autoTermsV1(text, english);
}

function autoTermsV1(text: string, english: Terms): string[] {
  if (!CJK_CHAR.test(text)) return english(text);
  const out: string[] = [];
  // capturing split: even indexes are non-CJK text, odd indexes are CJK runs
  const parts = text.normalize('NFKC').split(CJK_SPLIT);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) pushBigrams(part.toLowerCase(), out);
    else if (/[\p{L}\p{N}]/u.test(part)) out.push(...english(part));
  }
  return out;
}
