/**
 * Sentence spans for late chunking. The spans are UTF-16 offsets that tile the text: the first
 * starts at 0, each starts where the previous ends, the last ends at `text.length`; whitespace
 * between sentences belongs to the sentence before it (leading whitespace to the first).
 * English uses wink-nlp's sentence boundary detection; ja/zh and other languages use a
 * Unicode-aware splitter (after 。！？!?．｡ and a '.' followed by space, closing quotes and
 * brackets kept with the sentence, and at newlines).
 */
import { invalid } from '../errors.js';
import { cjkRatio } from './cjk.js';
import { winkSentences } from './english.js';

/**
 * A half-open UTF-16 range `[start, end)` of the text.
 *
 * @example
 * ```ts
 * const s: Span = { start: 0, end: 12 };
 * ```
 */
export interface Span {
  start: number;
  end: number;
}

const TERMINATORS = new Set(['。', '！', '？', '!', '?', '．', '｡']);
const CLOSERS = new Set(['」', '』', '）', ')', '"', "'", '”', '’', ']', '】', '〕', '》', '〉', '»']);
const SPACE = /\s/u;

/**
 * Splits `text` into sentence spans that cover it exactly. `lang` is a BCP-47-ish code: `en`
 * (wink-nlp), anything else (Unicode splitter); omitted, text whose letters are mostly CJK uses
 * the Unicode splitter and the rest wink-nlp. Empty text gives no spans.
 *
 * @example
 * ```ts
 * sentenceSpans('Hello there. How are you?'); // [{ start: 0, end: 13 }, { start: 13, end: 25 }]
 * sentenceSpans('今日は晴れ。明日は雨！', 'ja'); // [{ start: 0, end: 6 }, { start: 6, end: 11 }]
 * ```
 */
export function sentenceSpans(text: string, lang?: string): Span[] {
  if (typeof text !== 'string') invalid('INVALID_TEXT', `sentenceSpans expects a string, got ${typeof text}`);
  if (lang !== undefined && typeof lang !== 'string') invalid('INVALID_ARGUMENT', `lang must be a string such as 'en' or 'ja', got ${typeof lang}`);
  if (text.length === 0) return [];
  const l = lang?.toLowerCase().split(/[-_]/)[0];
  const english = l === undefined ? cjkRatio(text) < 0.3 : l === 'en';
  const starts = (english ? winkStarts(text) : null) ?? unicodeStarts(text);
  const spans: Span[] = [];
  for (let i = 0; i < starts.length; i++) spans.push({ start: starts[i]!, end: i + 1 < starts.length ? starts[i + 1]! : text.length });
  return spans;
}

/** Sentence start offsets from wink-nlp, or null if its sentences cannot be located verbatim. */
function winkStarts(text: string): number[] | null {
  const sentences = winkSentences().readDoc(text).sentences().out() as string[];
  const starts = [0];
  let cursor = 0;
  for (let i = 0; i < sentences.length; i++) {
    const s = sentences[i]!;
    if (s.length === 0) continue;
    const at = text.indexOf(s, cursor);
    if (at < 0) return null;
    // the first sentence starts at 0 (leading whitespace belongs to it)
    if (cursor > 0 && at > starts[starts.length - 1]!) starts.push(at);
    cursor = Math.max(at + s.length, 1);
  }
  return starts;
}

/** Sentence start offsets from the Unicode splitter. */
function unicodeStarts(text: string): number[] {
  const n = text.length;
  const starts = [0];
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const dot = c === '.' && (i + 1 === n || SPACE.test(text[i + 1]!));
    if (!TERMINATORS.has(c) && !dot && c !== '\n') {
      i++;
      continue;
    }
    let j = i + 1;
    if (c !== '\n') {
      while (j < n && (TERMINATORS.has(text[j]!) || text[j] === '.')) j++;
      while (j < n && CLOSERS.has(text[j]!)) j++;
    }
    while (j < n && SPACE.test(text[j]!)) j++;
    if (j < n) starts.push(j);
    i = j;
  }
  return starts;
}
