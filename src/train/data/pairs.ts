/**
 * Training pairs: a query-like text and a passage that answers it. Sources are
 * readers in this folder (WordNet, dictd dictionaries, user JSONL, unlabeled corpus crops).
 */

/**
 * One positive pair. `src` names the source for statistics.
 *
 * @example
 * ```ts
 * const pair: TrainPair = { q: 'bm25', p: 'a ranking function used by search engines', src: 'pairs' };
 * ```
 */
export interface TrainPair {
  q: string;
  p: string;
  src: string;
}

/** Collapses runs of whitespace and trims. */
export function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** First `maxWords` words of a text. */
export function clipWords(s: string, maxWords: number): string {
  const w = s.split(' ');
  return w.length <= maxWords ? s : w.slice(0, maxWords).join(' ');
}
