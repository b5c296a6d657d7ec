/**
 * Tokenizer for every family, on top of tokenizers.js (`@huggingface/tokenizers`) with a
 * local `tokenizer.json` only. Unlike the M3 tokenizer it never lets the library add
 * specials: it tokenizes the bare text and learns the model's templates once by probing
 * (`prefix A suffix` for one text, `prefix A middle B suffix` for pairs), so each family can
 * place its own markers ([Q]/[D] after CLS, an appended EOS, [MASK] expansion…).
 *
 * - Lone surrogates are replaced by U+FFFD first (same length, spans stay valid).
 * - Huge texts are tokenized from a prefix cut at a space, grown until it yields more tokens
 *   than needed (words are tokenized independently, so the kept tokens are exact).
 * - Char spans are a best-effort alignment of the pieces (stripped of `##`, `▁`, `Ġ`) with
 *   the lower-cased, accent-stripped text; unmatched pieces get an empty span at the cursor.
 */
import { readFile } from 'node:fs/promises';
import type { Tokenizer } from '@huggingface/tokenizers';
import { checkTokenizerPatterns } from './regex-guard.js';
import { buildTokenizer, encodeWithBudget, piecesOf, readTokenizerConfig, tokenizerReadError, wellFormed } from './tokenizer-common.js';
import { InvalidArgumentError, ModelError } from '../errors.js';
import type { CharSpan } from './types.js';
import { splitWords, vocabTokenizerConfig, vocabTokenizerJson, type WordSplitter } from './japanese.js';

/** Bare tokens of one text (no specials). */
export interface RawTokens {
  ids: number[];
  tokens: string[];
  /** True when the text was pre-cut (more tokens exist than were returned). */
  cut: boolean;
}

/** Special tokens named by tokenizer_config.json / special_tokens_map.json. */
export interface SpecialNames {
  cls?: string;
  sep?: string;
  pad?: string;
  mask?: string;
  bos?: string;
  eos?: string;
  unk?: string;
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

function findSub(hay: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * A loaded tokenizer with its single and pair templates.
 *
 * @example
 * ```ts
 * const tok = await FamilyTokenizer.load('/m/tokenizer.json', '/m/tokenizer_config.json');
 * const { ids } = tok.raw('hello world', 510);
 * const full = [...tok.prefix, ...ids, ...tok.suffix];
 * ```
 */
export class FamilyTokenizer {
  readonly #tok: Tokenizer;
  readonly vocabSize: number;
  /** Specials the single-text template puts before / after the text. */
  readonly prefix: number[];
  readonly suffix: number[];
  /** Pair template: `pairPrefix A pairMiddle B pairSuffix`, with token type ids per part. */
  readonly pair: { prefix: number[]; middle: number[]; suffix: number[]; types: [number[], number, number[], number, number[]] };
  /** Ids of every special (added, special=true) token. */
  readonly specialIds: ReadonlySet<number>;
  readonly names: SpecialNames;
  /** Word splitter of a BertJapanese-style tokenizer (applied before WordPiece), if any. */
  readonly #split: { splitter: WordSplitter; normalize: boolean } | undefined;

  private constructor(tok: Tokenizer, json: Record<string, unknown>, config: Record<string, unknown>, file: string, split?: { splitter: WordSplitter; normalize: boolean }) {
    this.#tok = tok;
    this.#split = split;
    let maxId = -1;
    for (const id of tok.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    const specials = new Set<number>();
    for (const t of (json.added_tokens as Array<{ id: number; special?: boolean }> | undefined) ?? []) if (t.special) specials.add(t.id);
    this.specialIds = specials;
    const names: SpecialNames = {};
    for (const k of ['cls', 'sep', 'pad', 'mask', 'bos', 'eos', 'unk'] as const) {
      const n = tokenName(config[`${k}_token`]);
      if (n !== undefined && tok.token_to_id(n) !== undefined) names[k] = n;
    }
    this.names = names;
    const a = tok.encode('a', { add_special_tokens: false }).ids;
    const b = tok.encode('b', { add_special_tokens: false }).ids;
    const single = tok.encode('a').ids;
    const at = findSub(single, a);
    if (at < 0) throw new ModelError('MODEL_INVALID', `${file}: cannot locate the text inside the tokenizer's template; the post-processor is not supported`);
    this.prefix = single.slice(0, at);
    this.suffix = single.slice(at + a.length);
    let pair: FamilyTokenizer['pair'] = { prefix: this.prefix, middle: [...this.suffix, ...this.prefix], suffix: this.suffix, types: [this.prefix.map(() => 0), 0, [], 0, this.suffix.map(() => 0)] };
    try {
      const p = tok.encode('a', { text_pair: 'b', return_token_type_ids: true });
      const ia = findSub(p.ids, a);
      const ib = findSub(p.ids.slice(ia + a.length), b) + ia + a.length;
      if (ia >= 0 && ib >= ia + a.length) {
        const ty = p.token_type_ids ?? p.ids.map(() => 0);
        pair = {
          prefix: p.ids.slice(0, ia),
          middle: p.ids.slice(ia + a.length, ib),
          suffix: p.ids.slice(ib + b.length),
          types: [ty.slice(0, ia), ty[ia] ?? 0, ty.slice(ia + a.length, ib), ty[ib] ?? 0, ty.slice(ib + b.length)],
        };
      }
    } catch {
      /* no pair template: fall back to single ∘ single */
    }
    this.pair = pair;
  }

  /**
   * Loads `tokenizer.json` (+ optional `tokenizer_config.json`), or a `vocab.txt` BERT /
   * BertJapanese tokenizer (built in memory; a MeCab-style one needs `wordSplitter`).
   */
  static async load(tokenizerFile: string, configFile?: string, opts: { wordSplitter?: WordSplitter } = {}): Promise<FamilyTokenizer> {
    const config = await readTokenizerConfig(configFile);
    const vocabOnly = /(^|[\\/])vocab\.txt$/.test(tokenizerFile);
    let json: Record<string, unknown>;
    let split: { splitter: WordSplitter; normalize: boolean } | undefined;
    try {
      const text = await readFile(tokenizerFile, 'utf8');
      if (vocabOnly) {
        const vcfg = vocabTokenizerConfig(config, configFile ?? tokenizerFile);
        if (vcfg.wordTokenizer !== 'basic') {
          if (!opts.wordSplitter) {
            throw new ModelError('UNSUPPORTED', `${configFile ?? tokenizerFile}: this ${vcfg.tokenizerClass} splits words with ${vcfg.wordTokenizer} (UniDic for MeCab models), which has no faithful JavaScript port; pass { wordSplitter: { name, split } } running the analyser (e.g. MeCab + unidic-lite)`);
          }
          split = { splitter: opts.wordSplitter, normalize: vcfg.normalize };
        } else if (opts.wordSplitter) {
          throw new InvalidArgumentError('INVALID_ARGUMENT', `${configFile ?? tokenizerFile}: wordSplitter is for BertJapanese tokenizers that split words with MeCab/Sudachi/Juman++; this ${vcfg.tokenizerClass} does not`);
        }
        json = vocabTokenizerJson(text, vcfg, split !== undefined);
      } else {
        if (opts.wordSplitter) throw new InvalidArgumentError('INVALID_ARGUMENT', `${tokenizerFile}: wordSplitter is for vocab.txt BertJapanese tokenizers; this model's tokenizer.json defines its own pre-tokenization`);
        json = JSON.parse(text) as Record<string, unknown>;
        checkTokenizerPatterns(json, tokenizerFile);
      }
    } catch (e) {
      if (e instanceof ModelError || e instanceof InvalidArgumentError) throw e;
      throw tokenizerReadError(tokenizerFile, e, vocabOnly ? 'vocab.txt' : 'tokenizer.json');
    }
    return buildTokenizer(json, config, tokenizerFile, (tok) => new FamilyTokenizer(tok, json, config, tokenizerFile, split));
  }

  /** Id of a token string, or undefined. */
  idOf(token: string): number | undefined {
    return this.#tok.token_to_id(token);
  }

  /** Id of a named special (cls, sep, pad, mask, bos, eos, unk), or undefined. */
  special(name: keyof SpecialNames): number | undefined {
    const n = this.names[name];
    return n === undefined ? undefined : this.#tok.token_to_id(n);
  }

  /** Piece string of each id (`''` outside the vocabulary). */
  pieces(ids: Iterable<number>): string[] {
    return piecesOf(this.#tok, ids);
  }

  /** Bare tokens of `text`, at most `limit` of them (Infinity = all). */
  raw(text: string, limit = Infinity): RawTokens {
    const clean = this.#split ? splitWords(this.#split.splitter, wellFormed(text), this.#split.normalize) : wellFormed(text);
    const enc = encodeWithBudget(clean, limit, (src) => this.#tok.encode(src, { add_special_tokens: false }));
    const n = Math.min(enc.ids.length, limit);
    return { ids: enc.ids.slice(0, n), tokens: enc.tokens.slice(0, n), cut: enc.cut || enc.ids.length > limit };
  }

  /** Best-effort char spans of `tokens` (bare tokens of `text`, in order). */
  spans(text: string, tokens: readonly string[]): CharSpan[] {
    const clean = wellFormed(text);
    const chars: string[] = [];
    const from: number[] = [];
    const to: number[] = [];
    let i = 0;
    for (const cp of clean) {
      const n = cp
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '')
        .toLowerCase();
      for (const c of n) {
        chars.push(c);
        from.push(i);
        to.push(i + cp.length);
      }
      i += cp.length;
    }
    let cur = 0;
    return tokens.map((t) => {
      const piece = t
        .replace(/^(##|\u2581|\u0120)/, '')
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '')
        .toLowerCase();
      if (piece.length === 0) {
        const at = cur < from.length ? from[cur]! : clean.length;
        return [at, at] as CharSpan;
      }
      for (let s = cur; s < Math.min(chars.length, cur + 64); s++) {
        let ok = true;
        for (let j = 0; j < piece.length && ok; j++) ok = chars[s + j] === piece[j];
        if (ok && s + piece.length <= chars.length) {
          cur = s + piece.length;
          return [from[s]!, to[s + piece.length - 1]!] as CharSpan;
        }
      }
      const at = cur < from.length ? from[cur]! : clean.length;
      return [at, at] as CharSpan;
    });
  }
}
