/**
 * BM42 (Qdrant, fastembed `Bm42`), document side:
 * 1. `a_t` = last-layer attention from CLS to token t, averaged over heads, × attention mask;
 * 2. word pieces are glued back into words (a `##` piece extends the previous word; its index
 *    joins the word's), special tokens skipped;
 * 3. words that are stop-words (the model's stopwords.txt) or single punctuation characters
 *    are dropped; the rest are Snowball-English (Porter2) stemmed;
 * 4. a word's weight is the sum of its pieces' `a_t`; per stem keep the max;
 * 5. value `log(1 + w)^alpha` (alpha 0.5); term id `|murmur3_x86_32(utf8(stem), seed 0)|`
 *    read as signed 32-bit (as `abs(mmh3.hash(stem))`), so ids fit a u32.
 * Query side: same steps 2–3 on the tokens (no model run), each distinct stem weight 1.
 * IDF is not in the vectors: apply it at search time from the index's own statistics
 * ({@link idfWeightedQuery}) — Qdrant's `modifier: idf` does the same.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { SparseVector } from './types.js';

/**
 * MurmurHash3 x86 32-bit of the UTF-8 bytes of `s`, as a signed 32-bit integer (`mmh3.hash`).
 *
 * @example
 * ```ts
 * murmur3('hello'); // 613153351
 * ```
 */
export function murmur3(s: string, seed = 0): number {
  const d = Buffer.from(s, 'utf8');
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const n = d.length >> 2;
  for (let i = 0; i < n; i++) {
    let k = d.readUInt32LE(i * 4);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const r = d.length & 3;
  const o = n * 4;
  if (r >= 3) k ^= d[o + 2]! << 16;
  if (r >= 2) k ^= d[o + 1]! << 8;
  if (r >= 1) {
    k ^= d[o]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= d.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const stemOfId = new Map<number, string>();

/** BM42 term id of a stem: `|murmur3(stem)|` (remembered, so explanations can show the stem). */
export function bm42TermId(stem: string): number {
  const id = Math.abs(murmur3(stem));
  if (stemOfId.size > 200_000) stemOfId.clear();
  stemOfId.set(id, stem);
  return id;
}

/**
 * The stem behind a BM42 term id, if this process has hashed it (ids are one-way hashes:
 * unseen ids give undefined).
 *
 * @example
 * ```ts
 * bm42Stem(bm42TermId('rank')); // 'rank'
 * ```
 */
export function bm42Stem(id: number): string | undefined {
  return stemOfId.get(id);
}

type Wink = ReturnType<typeof winkNLP>;
let nlp: Wink | undefined;
const stemCache = new Map<string, string>();

/** Snowball English (Porter2) stem of one lower-case word, via wink-nlp's stemmer. */
export function stemWord(word: string): string {
  let s = stemCache.get(word);
  if (s !== undefined) return s;
  nlp ??= winkNLP(model, []);
  const its = nlp.its;
  const toks = nlp.readDoc(word).tokens();
  const parts = toks.out(its.stem as unknown as typeof its.value) as string[];
  s = parts.join('');
  if (stemCache.size > 100_000) stemCache.clear();
  stemCache.set(word, s);
  return s;
}

const PUNCT = new Set([...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~']);

/** Words of a token sequence: `##` pieces glued to the previous word; specials skipped. */
export function bm42Words(tokens: readonly string[], isSpecial: (i: number) => boolean): Array<{ word: string; idx: number[] }> {
  const out: Array<{ word: string; idx: number[] }> = [];
  tokens.forEach((t, i) => {
    if (isSpecial(i)) return;
    if (t.startsWith('##') && out.length > 0) {
      const w = out[out.length - 1]!;
      w.word += t.slice(2);
      w.idx.push(i);
    } else {
      out.push({ word: t, idx: [i] });
    }
  });
  return out;
}

/**
 * Document vector from per-token CLS attention (step 1 done by the caller).
 *
 * @example
 * ```ts
 * bm42Document(['[CLS]', 'bm25', 'rank', '##s', '[SEP]'], attn, (i) => i === 0 || i === 4, stop);
 * ```
 */
export function bm42Document(tokens: readonly string[], attention: ArrayLike<number>, isSpecial: (i: number) => boolean, stopwords: ReadonlySet<string>, alpha = 0.5): SparseVector {
  const best = new Map<number, number>();
  for (const { word, idx } of bm42Words(tokens, isSpecial)) {
    if (stopwords.has(word) || PUNCT.has(word)) continue;
    const id = bm42TermId(stemWord(word));
    let w = 0;
    for (const i of idx) w += attention[i]!;
    best.set(id, Math.max(best.get(id) ?? 0, w));
  }
  const ids = [...best.keys()].sort((a, b) => a - b);
  const kept = ids.filter((id) => Math.log1p(best.get(id)!) > 0);
  return { ids: Uint32Array.from(kept), weights: Float32Array.from(kept.map((id) => Math.log1p(best.get(id)!) ** alpha)) };
}

/** Query vector: each distinct stem weight 1. */
export function bm42Query(tokens: readonly string[], isSpecial: (i: number) => boolean, stopwords: ReadonlySet<string>): SparseVector {
  const ids = new Set<number>();
  for (const { word } of bm42Words(tokens, isSpecial)) {
    if (stopwords.has(word) || PUNCT.has(word)) continue;
    ids.add(bm42TermId(stemWord(word)));
  }
  const u = [...ids].sort((a, b) => a - b);
  return { ids: Uint32Array.from(u), weights: new Float32Array(u.length).fill(1) };
}

/**
 * Applies IDF at search time: `q_t ← q_t · ln(1 + (N − df_t + 0.5) / (df_t + 0.5))` with the
 * index's own document count `N` and document frequencies (Qdrant's `modifier: idf`). Score
 * the result with the sparse index's `dot` scorer to get Σ idf_t · w_t. Terms absent from
 * the index (df 0) keep a weight but match nothing.
 *
 * @example
 * ```ts
 * const q = idfWeightedQuery(bm42Vec, (id) => sparse.docFreq(id), sparse.stats().docs);
 * ```
 */
export function idfWeightedQuery(query: SparseVector, docFreq: (termId: number) => number, docCount: number): SparseVector {
  const w = new Float32Array(query.weights.length);
  query.ids.forEach((id, i) => {
    const df = docFreq(id);
    w[i] = query.weights[i]! * Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
  });
  return { ids: Uint32Array.from(query.ids), weights: w };
}
