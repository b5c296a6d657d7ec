/**
 * Term-major postings of a batch analysis: the BM25 build's bulk path. A {@link TermBatch}'s
 * documents become, term by term, the (doc id, tf) lists the inverted index appends — one pass
 * over the tokens, no per-document vector, no per-posting JavaScript when the addon is loaded.
 *
 * Two implementations with the same output, bit for bit: the addon's `termPostings`
 * (native/analyze.cc) and the TS twin {@link termPostingsTs} (tests compare both, and both with
 * the per-document path: `countTermList` + `SparseIndex.addBatch`).
 *
 * Order (what `PostingStore.appendBatch` does with per-document vectors): a document's postings
 * are its distinct terms in ascending term id; terms are listed in order of first appearance
 * over (document, ascending term id), each with its postings in document order.
 */
import { nativeAnalyze } from '../kernels/index.js';
import type { TermMajorPostings } from '../sparse/postings.js';

/**
 * Postings of selected documents, grouped by term (see the module doc for the order): term r's
 * postings are `docs/tfs[termEnds[r-1] … termEnds[r])`, its largest tf `termMax[r]`;
 * `docLen[s]` is selected document s's token count — what `SparseIndex.addPostings` takes.
 */
export type TermPostings = TermMajorPostings;

/** Arguments: the batch's tokens (local word ids) and document starts (n + 1 entries), which documents to post under which ids, and each local word's term id (-1: dropped). */
export interface TermPostingsInput {
  readonly tokens: Int32Array;
  readonly docStarts: Uint32Array;
  /** Batch document indexes, increasing. */
  readonly docSel: Uint32Array;
  /** The doc id of each selected document. */
  readonly docIds: Uint32Array;
  readonly wordTerm: Int32Array;
}

/**
 * Term-major postings of `input` (the addon's when it is loaded, else {@link termPostingsTs}).
 *
 * @example
 * ```ts
 * // doc 0 = words 0 1 0, doc 1 = word 1; word 0 → term 7, word 1 → term 2
 * termPostings({ tokens: Int32Array.of(0, 1, 0, 1), docStarts: Uint32Array.of(0, 3, 4), docSel: Uint32Array.of(0, 1), docIds: Uint32Array.of(5, 6), wordTerm: Int32Array.of(7, 2) });
 * // terms [2, 7], termEnds [2, 3], docs [5, 6, 5], tfs [1, 1, 2], docLen [3, 1]
 * ```
 */
export function termPostings(input: TermPostingsInput, opts: { native?: boolean } = {}): TermPostings {
  const addon = opts.native === false ? null : nativeAnalyze();
  if (addon?.termPostings) return addon.termPostings(input.tokens, input.docStarts, input.docSel, input.docIds, input.wordTerm);
  return termPostingsTs(input);
}

/** The TS twin of the addon's `termPostings` (same output; inputs are trusted: the caller builds them). */
export function termPostingsTs({ tokens, docStarts, docSel, docIds, wordTerm }: TermPostingsInput): TermPostings {
  // local word → dense term index (terms numbered by their first local word)
  const denseOf = new Int32Array(wordTerm.length).fill(-1);
  const termOf: number[] = [];
  const seen = new Map<number, number>();
  for (let w = 0; w < wordTerm.length; w++) {
    const t = wordTerm[w]!;
    if (t < 0) continue;
    let k = seen.get(t);
    if (k === undefined) {
      k = termOf.length;
      seen.set(t, k);
      termOf.push(t);
    }
    denseOf[w] = k;
  }
  const nTerms = termOf.length;
  const cnt = new Uint32Array(nTerms);
  const lists = new Uint32Array(nTerms);
  const rank = new Int32Array(nTerms).fill(-1);
  const order: number[] = [];
  const pairTerm: number[] = [];
  const pairTf: number[] = [];
  const pairDocEnd = new Uint32Array(docSel.length);
  const docLen = new Float32Array(docSel.length);
  const inDoc: number[] = [];
  for (let s = 0; s < docSel.length; s++) {
    const d = docSel[s]!;
    inDoc.length = 0;
    for (let i = docStarts[d]!; i < docStarts[d + 1]!; i++) {
      const k = denseOf[tokens[i]!]!;
      if (k < 0) continue;
      const c = cnt[k]!;
      cnt[k] = c + 1;
      if (c === 0) inDoc.push(k);
    }
    inDoc.sort((a, b) => termOf[a]! - termOf[b]!);
    let dl = 0;
    for (const k of inDoc) {
      if (rank[k]! < 0) {
        rank[k] = order.length;
        order.push(k);
      }
      lists[k] = lists[k]! + 1;
      pairTerm.push(k);
      pairTf.push(cnt[k]!);
      dl += cnt[k]!;
      cnt[k] = 0;
    }
    pairDocEnd[s] = pairTerm.length;
    docLen[s] = dl;
  }
  const terms = new Uint32Array(order.length);
  const termEnds = new Uint32Array(order.length);
  const termMax = new Float32Array(order.length);
  const at = new Uint32Array(nTerms);
  let sum = 0;
  for (let r = 0; r < order.length; r++) {
    const k = order[r]!;
    terms[r] = termOf[k]!;
    at[k] = sum;
    sum += lists[k]!;
    termEnds[r] = sum;
  }
  const docs = new Uint32Array(sum);
  const tfs = new Float32Array(sum);
  let p = 0;
  for (let s = 0; s < docSel.length; s++) {
    for (; p < pairDocEnd[s]!; p++) {
      const k = pairTerm[p]!;
      const j = at[k]!;
      at[k] = j + 1;
      docs[j] = docIds[s]!;
      tfs[j] = pairTf[p]!;
      const r = rank[k]!;
      if (tfs[j]! > termMax[r]!) termMax[r] = tfs[j]!;
    }
  }
  return { terms, termEnds, termMax, docs, tfs, docLen };
}
