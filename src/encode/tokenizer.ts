/**
 * Text → token ids for the encoder, on top of tokenizers.js (`@huggingface/tokenizers`,
 * the tokenizer library inside `@huggingface/transformers`), from a local
 * `tokenizer.json` only: nothing is ever fetched.
 *
 * Input rules (documented behaviour):
 * - Lone UTF-16 surrogates are replaced by U+FFFD before tokenizing (spans still index
 *   the caller's string: the replacement keeps the length).
 * - Empty and whitespace-only texts encode to `<s></s>` (whatever the tokenizer gives:
 *   for XLM-R that is the two specials only).
 * - NUL and other control characters go to the tokenizer unchanged (its normalizer
 *   decides; XLM-R drops or maps them).
 * - Truncation keeps the first `maxLength - 1` tokens (with `<s>`) and ends with `</s>`,
 *   so `maxLength` counts both specials, like the reference tokenizer.
 * - Very long texts are tokenized from a prefix cut at a space far enough to yield
 *   more than `maxLength` tokens (words are tokenized independently, so the kept
 *   tokens are exactly those of the full text).
 * - Regular expressions in tokenizer.json that could backtrack catastrophically are refused
 *   at load (MODEL_INVALID, see regex-guard.ts).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import { ModelError } from '../errors.js';
import { checkTokenizerPatterns } from './regex-guard.js';
import { buildTokenizer, encodeWithBudget, piecesOf, readTokenizerConfig, tokenizerReadError, wellFormed } from './tokenizer-common.js';
import { alignSpans } from './spans.js';
import type { CharSpan } from './types.js';

/** One tokenized text. */
export interface TokenizedText {
  ids: number[];
  /** Token strings as produced by the tokenizer (normalised text pieces). */
  pieces: string[];
  truncated: boolean;
  /** Length of the text prefix that was tokenized (the whole text unless it was pre-cut). */
  sourceLength: number;
}

/**
 * A loaded tokenizer with XLM-R style specials (`<s> X </s>`).
 *
 * @example
 * ```ts
 * const tok = await TextTokenizer.load('/models/bge-m3/tokenizer.json');
 * tok.encode('hello world', 512).ids; // [0, 33600, 8999, 2]
 * ```
 */
export class TextTokenizer {
  readonly #tok: Tokenizer;
  readonly #normCache = new Map<string, string>();
  /** Number of ids the tokenizer can produce (vocabulary + added tokens). */
  readonly vocabSize: number;
  readonly clsId: number;
  readonly eosId: number;
  readonly padId: number;

  private constructor(tok: Tokenizer, file: string) {
    this.#tok = tok;
    let maxId = -1;
    for (const id of tok.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    const probe = tok.encode('');
    if (probe.ids.length < 2) {
      throw new ModelError('MODEL_INVALID', `${file}: the tokenizer adds no <s> … </s> specials; a BGE-M3 style tokenizer (XLM-R post-processor) is required`);
    }
    this.clsId = probe.ids[0]!;
    this.eosId = probe.ids[probe.ids.length - 1]!;
    this.padId = tok.token_to_id('<pad>') ?? 1;
  }

  /** Loads `tokenizer.json` (+ optional `tokenizer_config.json`). */
  static async load(tokenizerFile: string, configFile?: string): Promise<TextTokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(tokenizerFile, 'utf8'));
    } catch (e) {
      throw tokenizerReadError(tokenizerFile, e);
    }
    const config = await readTokenizerConfig(configFile);
    // tokenizers.js compiles the file's patterns into backtracking RegExps: refuse hostile ones
    checkTokenizerPatterns(json, tokenizerFile);
    return buildTokenizer(json as object, config, tokenizerFile, (tok) => new TextTokenizer(tok, basename(tokenizerFile)));
  }

  /** Tokenizes one text with specials, truncated to `maxLength` tokens (counting specials). */
  encode(text: string, maxLength: number): TokenizedText {
    const enc = encodeWithBudget(wellFormed(text), maxLength, (src) => this.#tok.encode(src));
    const truncated = enc.cut || enc.ids.length > maxLength;
    let ids = enc.ids;
    let pieces = enc.tokens;
    if (ids.length > maxLength) {
      ids = [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!];
      pieces = [...pieces.slice(0, maxLength - 1), pieces[pieces.length - 1]!];
    }
    return { ids, pieces, truncated, sourceLength: enc.source.length };
  }

  /** Character spans of `pieces` over the original `text` (see spans.ts). */
  spans(text: string, pieces: readonly string[]): CharSpan[] {
    const special = pieces.map((_, i) => i === 0 || i === pieces.length - 1);
    const norm = this.#tok.normalizer;
    const normalize = norm ? (s: string): string => norm(s) as string : (s: string): string => s;
    return alignSpans(wellFormed(text), pieces, special, normalize, this.#normCache);
  }

  /** Vocabulary piece of each id (`''` for ids outside the vocabulary). */
  pieces(ids: Iterable<number>): string[] {
    return piecesOf(this.#tok, ids);
  }
}
