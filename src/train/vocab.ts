/**
 * Vocabulary builder: whole words that occur in the training text (and, when a
 * word-vector table is given, have a vector there), plus WordPiece pieces learned
 * from the words left out, so rare technical words split into known pieces
 * instead of `<unk>`.
 */
import { CONT, SPECIALS, normalizeText, preTokenize } from './tokenizer.js';

/** Options of {@link buildVocab}. */
export interface VocabOptions {
  /** Maximum number of whole words (default 48,000). */
  maxWords?: number;
  /** Number of learned subword pieces besides single characters (default 8,000). */
  maxPieces?: number;
  /** A word needs at least this many occurrences (default 2). */
  minCount?: number;
  /** When given, a whole word must also pass this test (e.g. exists in GloVe). */
  accept?: (word: string) => boolean;
}

/** Counts normalised pre-tokens over texts. */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of preTokenize(normalizeText(t))) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/**
 * Builds a vocabulary (specials first) from word counts.
 *
 * @example
 * ```ts
 * const vocab = buildVocab(countWords(['a protein', 'proteins fold']), { minCount: 1 });
 * ```
 */
export function buildVocab(counts: Map<string, number>, opts: VocabOptions = {}): string[] {
  const maxWords = opts.maxWords ?? 48_000;
  const maxPieces = opts.maxPieces ?? 8_000;
  const minCount = opts.minCount ?? 2;
  const accept = opts.accept ?? (() => true);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words: string[] = [];
  const wordSet = new Set<string>();
  for (const [w, c] of sorted) {
    if (words.length >= maxWords) break;
    if (c < minCount || [...w].length > 40 || !accept(w)) continue;
    words.push(w);
    wordSet.add(w);
  }
  // Single characters (word-initial and continuation) so any text over known characters is encodable.
  const chars = new Map<string, number>();
  const cand = new Map<string, number>();
  for (const [w, c] of sorted) {
    const cs = [...w];
    for (let i = 0; i < cs.length; i++) {
      const k = (i > 0 ? CONT : '') + cs[i]!;
      chars.set(k, (chars.get(k) ?? 0) + c);
    }
    if (wordSet.has(w) || cs.length < 3 || cs.length > 40) continue;
    for (let i = 0; i < cs.length; i++) {
      for (let len = 2; len <= 8 && i + len <= cs.length; len++) {
        const k = (i > 0 ? CONT : '') + cs.slice(i, i + len).join('');
        cand.set(k, (cand.get(k) ?? 0) + c * (len - 1));
      }
    }
  }
  const charList = [...chars.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k]) => k);
  const pieces = [...cand.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const vocab: string[] = [...SPECIALS];
  const seen = new Set<string>(vocab);
  const push = (t: string) => {
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  for (const w of words) push(w);
  for (const c of charList.slice(0, 2000)) push(c);
  let added = 0;
  for (const p of pieces) {
    if (added >= maxPieces) break;
    if (!seen.has(p)) {
      push(p);
      added++;
    }
  }
  return vocab;
}
