/**
 * Unicode character classes shared by the analysers and the sentence splitter.
 * "CJK" here means scripts written without spaces between words: Han, Hiragana, Katakana
 * (Script_Extensions, so ー and 々 count) and Hangul.
 */

const CJK = String.raw`\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}`;
/** One CJK letter or digit (CJK punctuation such as 。 shares the scripts' extensions but is excluded). */
const CJK_LETTER = String.raw`(?:(?=[\p{L}\p{N}\p{M}])[${CJK}])`;

/** Matches one CJK character. */
export const CJK_CHAR = new RegExp(CJK_LETTER, 'u');

/** Splits text around CJK runs, keeping the runs (odd indexes of `split`). */
export const CJK_SPLIT = new RegExp(`(${CJK_LETTER}+)`, 'u');

/** Source of a regex with two groups: (1) a CJK run, (2) a run of other word characters. */
export const RUNS_SOURCE = String.raw`(${CJK_LETTER}+)|((?:(?!${CJK_LETTER})[\p{L}\p{N}\p{M}_])+)`;

/**
 * Fraction of letters and digits in `text` that are CJK (0 when there are none).
 *
 * @example
 * ```ts
 * cjkRatio('東京 tower'); // 2 / 7
 * ```
 */
export function cjkRatio(text: string): number {
  let letters = 0;
  let cjk = 0;
  for (const ch of text) {
    if (CJK_CHAR.test(ch)) {
      cjk++;
      letters++;
    } else if (/[\p{L}\p{N}]/u.test(ch)) letters++;
  }
  return letters === 0 ? 0 : cjk / letters;
}
