/**
 * Batch analysis for the BM25 build: many texts analysed in one pass into a {@link TermBatch}
 * (each distinct word's term once, each document's tokens as local word ids), so a build
 * neither allocates a term string per token nor looks every token up in the vocabulary's Map.
 * The terms are exactly the english analyser's (version 3): `termsOf(batch, d)` equals
 * `createAnalyzer('english').terms(texts[d])` (tests check it on the dev corpora and on random
 * Unicode text, for both implementations).
 *
 * Two implementations with the same output: the addon's `analyzeEnglish` (native/analyze.cc:
 * scanner, apostrophe rules, stop list, numbers and Porter2 in C++ for ASCII words) and the TS
 * twin below (word-scan.ts's scanner + english-v3.ts's wordTerm). Words the addon leaves to TS
 * (any non-ASCII character) and documents holding astral code points go through english-v3.ts.
 */
import { nativeAnalyze } from '../kernels/index.js';
import type { NativeEnglishBatch } from '../kernels/native.js';
import type { SparseVector } from '../sparse/vector.js';
import { MAX_TERM_LENGTH } from './analyzer.js';
import { englishTermsV3, MAX_WORD_LENGTH, wordTerm } from './english-v3.js';
import { STOP_WORDS } from './stop-words.js';
import { countIds } from './vocabulary.js';
import { bmpClasses, scanWords } from './word-scan.js';

/**
 * Documents analysed together: `terms[w]` is local word w's term (null: dropped), document d's
 * tokens are `tokens[starts[d] … starts[d + 1])` (local word ids, in text order).
 */
export interface TermBatch {
  readonly terms: ReadonlyArray<string | null>;
  readonly tokens: Int32Array;
  readonly starts: Uint32Array;
  /** Vocabulary ids of the local words for the resolver that filled it (see {@link countTermList}). */
  resolved: { by: unknown; ids: Int32Array } | null;
  /** True while a deferred analysis has not filled the batch yet ({@link analyzeEnglishBatchDeferred}). */
  readonly pending?: boolean;
  /** Local ids are in first-seen token order over the whole batch and every word with a term occurs in `tokens`. */
  readonly ordered?: boolean;
}

/** One document of a batch: the BM25 channel's prepared value for the batch path. */
export interface TermList {
  readonly batch: TermBatch;
  readonly doc: number;
}

/**
 * Analyses `texts` with the english analyser (version 3). `fallback(text)` is asked first: when
 * it returns terms, they stand for that document (the 'auto' analyser passes CJK and South-East
 * Asian texts this way). `native: false` forces the TS twin.
 *
 * @example
 * ```ts
 * const b = analyzeEnglishBatch(['The cats ran', 'a cat']);
 * termsOf(b, 0); // ['cat', 'ran']
 * ```
 */
export function analyzeEnglishBatch(texts: readonly string[], opts: { fallback?: (text: string) => string[] | null; native?: boolean } = {}): TermBatch {
  const own = texts.map((t) => opts.fallback?.(t) ?? null);
  const addon = opts.native === false ? null : nativeAnalyze();
  if (!addon)
    return tsBatch(
      texts.map((t) => t.toLowerCase()),
      own,
    );
  const input = nativeInput(texts, own);
  return nativeBatch(addon.analyzeEnglish(input.text, input.docEnds, bmpClasses(), stopWords(), MAX_WORD_LENGTH), input.buf, texts, own);
}

/**
 * {@link analyzeEnglishBatch} on a worker thread when the addon offers it: returns the batch
 * now (`pending` until `ready` resolves, then filled with the same contents) so the caller
 * can do other work meanwhile. Without the async addon the batch is analysed at once.
 *
 * @example
 * ```ts
 * const { batch, ready } = analyzeEnglishBatchDeferred(['The cats ran']);
 * await ready;
 * termsOf(batch, 0); // ['cat', 'ran']
 * ```
 */
export function analyzeEnglishBatchDeferred(texts: readonly string[], opts: { fallback?: (text: string) => string[] | null } = {}): { batch: TermBatch; ready: Promise<void> } {
  const async = nativeAnalyze()?.analyzeEnglishAsync;
  if (!async) return { batch: analyzeEnglishBatch(texts, opts), ready: Promise.resolve() };
  const own = texts.map((t) => opts.fallback?.(t) ?? null);
  const input = nativeInput(texts, own);
  const batch: { -readonly [K in keyof TermBatch]: TermBatch[K] } = { terms: [], tokens: new Int32Array(0), starts: new Uint32Array(1), resolved: null, pending: true };
  const ready = async(input.text, input.docEnds, bmpClasses(), stopWords(), MAX_WORD_LENGTH).then((r) => {
    const done = nativeBatch(r, input.buf, texts, own);
    batch.terms = done.terms;
    batch.tokens = done.tokens;
    batch.starts = done.starts;
    batch.ordered = done.ordered ?? false;
    batch.pending = false;
  });
  return { batch, ready };
}

/** The terms of document `d` of a batch (what the analyser's `terms()` returns for it). */
export function termsOf(batch: TermBatch, d: number): string[] {
  const out: string[] = [];
  for (let t = batch.starts[d]!; t < batch.starts[d + 1]!; t++) {
    const term = batch.terms[batch.tokens[t]!];
    if (term !== null && term !== undefined) out.push(term);
  }
  return out;
}

/**
 * Term frequencies of one document of a batch with ids from `idOf` (a negative id drops the
 * term), as `countTerms(termsOf(batch, doc), idOf)` computes them: each local word is resolved
 * once per `idOf` (ids cached in the batch), in first-seen token order, so staged ids come out
 * in the same order.
 */
export function countTermList(list: TermList, idOf: (term: string) => number): SparseVector {
  const b = list.batch;
  if (b.resolved?.by !== idOf) b.resolved = { by: idOf, ids: new Int32Array(b.terms.length).fill(-2) };
  const ids = b.resolved.ids;
  const from = b.starts[list.doc]!;
  return countIds(b.starts[list.doc + 1]! - from, (i) => {
    const w = b.tokens[from + i]!;
    let id = ids[w]!;
    if (id === -2) {
      const term = b.terms[w];
      id = term === null || term === undefined ? -1 : idOf(term);
      ids[w] = id;
    }
    return id;
  });
}

/** A term the analyser keeps (`make()` in analyzer.ts drops longer ones). */
const keep = (term: string): string | null => (term.length > 0 && term.length <= MAX_TERM_LENGTH ? term : null);

/**
 * Local words in first-seen order (after `terms` already held): `token(key, term)` appends the
 * key's local id to `tokens`, asking `term()` only the first time the key is seen.
 */
function localWords(terms: Array<string | null>) {
  const ids = new Map<string, number>();
  const tokens: number[] = [];
  return {
    tokens,
    token(key: string, term: () => string | null): void {
      let id = ids.get(key);
      if (id === undefined) {
        id = terms.length;
        ids.set(key, id);
        terms.push(term());
      }
      tokens.push(id);
    },
  };
}

function tsBatch(lower: readonly string[], own: ReadonlyArray<string[] | null>): TermBatch {
  const terms: Array<string | null> = [];
  const local = localWords(terms);
  const starts = new Uint32Array(lower.length + 1);
  lower.forEach((s, d) => {
    const mine = own[d];
    if (mine) for (const t of mine) local.token(`\u0000${t}`, () => keep(t));
    else
      scanWords(s, (a, b) => {
        const w = s.slice(a, b);
        local.token(w, () => keep(wordTerm(w)));
      });
    starts[d + 1] = local.tokens.length;
  });
  return { terms, tokens: Int32Array.from(local.tokens), starts, resolved: null, ordered: true };
}

let stopList: Uint16Array | null = null;
function stopWords(): Uint16Array {
  if (!stopList) {
    const joined = [...STOP_WORDS].join('\u0000');
    stopList = new Uint16Array(joined.length);
    for (let i = 0; i < joined.length; i++) stopList[i] = joined.charCodeAt(i);
  }
  return stopList;
}

/**
 * The documents' text back to back as the addon reads it (UTF-16; documents with terms of their
 * own left out): lower-cased, except ASCII-only texts, which go as they are (the addon lower-cases
 * ASCII capitals in place, exactly what toLowerCase does to ASCII).
 */
function nativeInput(texts: readonly string[], own: ReadonlyArray<string[] | null>): { buf: Buffer; text: Uint16Array; docEnds: Uint32Array } {
  const lower = texts.map((t, d) => (own[d] || Buffer.byteLength(t, 'utf8') === t.length ? t : t.toLowerCase()));
  let total = 0;
  for (let d = 0; d < lower.length; d++) if (!own[d]) total += lower[d]!.length;
  const buf = Buffer.allocUnsafe(total * 2);
  const docEnds = new Uint32Array(lower.length);
  let at = 0;
  for (let d = 0; d < lower.length; d++) {
    if (!own[d]) at += buf.write(lower[d]!, at * 2, 'utf16le') / 2;
    docEnds[d] = at;
  }
  return { buf, text: new Uint16Array(buf.buffer, buf.byteOffset, total), docEnds };
}

/** The batch of the addon's analysis `r` of {@link nativeInput}'s `buf`. */
function nativeBatch(r: NativeEnglishBatch, buf: Buffer, texts: readonly string[], own: ReadonlyArray<string[] | null>): TermBatch {
  const pool = Buffer.from(r.termPool.buffer, r.termPool.byteOffset, r.termPool.length);
  const terms: Array<string | null> = new Array(r.kinds.length);
  for (let w = 0; w < r.kinds.length; w++) {
    const kind = r.kinds[w]!;
    if (kind === 0) terms[w] = keep(pool.toString('latin1', w === 0 ? 0 : r.termEnds[w - 1]!, r.termEnds[w]!));
    else if (kind === 1) terms[w] = keep(wordTerm(buf.toString('utf16le', r.wordStarts[w]! * 2, (r.wordStarts[w]! + r.wordLengths[w]!) * 2)));
    else terms[w] = null;
  }
  let extra = 0;
  for (let d = 0; d < texts.length; d++) if (own[d] || r.fallback[d]) extra++;
  if (extra === 0) {
    const starts = new Uint32Array(texts.length + 1);
    starts.set(r.docTokenEnds, 1);
    // words are numbered as they are met and no document was left out: first-seen order
    return { terms, tokens: r.tokens, starts, resolved: null, ordered: true };
  }
  // documents the addon left out: their terms (english-v3.ts, or the caller's) as extra local words
  const local = localWords(terms);
  const starts = new Uint32Array(texts.length + 1);
  for (let d = 0; d < texts.length; d++) {
    const mine = own[d] ?? (r.fallback[d] ? englishTermsV3(texts[d]!) : null);
    if (mine) for (const t of mine) local.token(t, () => keep(t));
    else for (let t = d === 0 ? 0 : r.docTokenEnds[d - 1]!; t < r.docTokenEnds[d]!; t++) local.tokens.push(r.tokens[t]!);
    starts[d + 1] = local.tokens.length;
  }
  return { terms, tokens: Int32Array.from(local.tokens), starts, resolved: null };
}
