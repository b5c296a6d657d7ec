/**
 * Word segmentation for scripts written without spaces that are not CJK: Thai, Lao, Khmer and
 * Myanmar. Their runs are split into dictionary words by ICU's word break iterator
 * (`Intl.Segmenter`, built into Node with full ICU), as Lucene's Thai analyser does; CJK
 * keeps character bigrams (src/analyze/bigram.ts).
 */

const SEA = String.raw`\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}`;

/** Matches one letter, digit or mark of a South-East Asian script without spaces. */
export const SEA_CHAR = new RegExp(String.raw`(?:(?=[\p{L}\p{N}\p{M}])[${SEA}])`, 'u');

/** Splits text around runs of those scripts, keeping the runs (odd indexes of `split`). */
export const SEA_SPLIT = new RegExp(String.raw`((?:(?=[\p{L}\p{N}\p{M}])[${SEA}])+)`, 'u');

let segmenter: Intl.Segmenter | null = null;

/**
 * Appends the dictionary words of one Thai/Lao/Khmer/Myanmar run (word-like segments only).
 *
 * @example
 * ```ts
 * const out: string[] = []; pushSeaWords('ภาษาไทยง่าย', out); // ['ภาษา', 'ไทย', 'ง่าย']
 * ```
 */
export function pushSeaWords(run: string, out: string[]): void {
  segmenter ??= new Intl.Segmenter('th', { granularity: 'word' });
  for (const s of segmenter.segment(run)) if (s.isWordLike) out.push(s.segment);
}
