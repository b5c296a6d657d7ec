/**
 * WordPiece tokenizer of trident's static models, written to and read from a
 * standard Hugging Face `tokenizer.json` (BertNormalizer with lowercasing and
 * accent stripping, BertPreTokenizer, WordPiece model with `##` continuation
 * pieces, post-processor `<s> $A </s>`). The TS encoder here is the training-time
 * twin of what `@huggingface/tokenizers` does with that file; a unit test checks
 * that both give the same ids.
 *
 * Special ids follow XLM-R / BGE-M3: `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3.
 */
import { InvalidArgumentError, ModelError } from '../errors.js';

/** Special tokens and their fixed ids. */
export const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
/** Id of `<s>`. */
export const BOS_ID = 0;
/** Id of `<pad>`. */
export const PAD_ID = 1;
/** Id of `</s>`. */
export const EOS_ID = 2;
/** Id of `<unk>`. */
export const UNK_ID = 3;
/** Prefix of word-continuation pieces. */
export const CONT = '##';
const MAX_CHARS_PER_WORD = 100;

const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRETOKEN_RE = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');
const CONTROL_RE = /^(?:\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;
const SPACE_RE = /^\s$/u;
const MARK_RE = /\p{Mn}/gu;

function isCjk(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/**
 * BERT normalisation: drops control characters, maps whitespace to spaces,
 * isolates CJK ideographs, lowercases and strips accents (NFD, drop Mn).
 *
 * @example
 * ```ts
 * normalizeText('Café\tBar'); // 'cafe bar'
 * ```
 */
export function normalizeText(text: string): string {
  let out = '';
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c >= 127) {
      plain = false;
      break;
    }
  }
  if (plain) out = text;
  else {
    const parts: string[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd) continue;
      if (ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL_RE.test(ch)) continue;
      if (SPACE_RE.test(ch)) parts.push(' ');
      else if (isCjk(cp)) parts.push(' ', ch, ' ');
      else parts.push(ch);
    }
    out = parts.join('');
  }
  out = out.toLowerCase();
  if (!plain) out = out.normalize('NFD').replace(MARK_RE, '');
  return out;
}

/**
 * Splits normalised text into words and single punctuation characters (BertPreTokenizer).
 *
 * @example
 * ```ts
 * preTokenize('bm25, really?'); // ['bm25', ',', 'really', '?']
 * ```
 */
export function preTokenize(normalized: string): string[] {
  return normalized.match(PRETOKEN_RE) ?? [];
}

/** Options of {@link WordPieceTokenizer.encode}. */
export interface EncodeOptions {
  /** Total length including `<s>` and `</s>` (default 512). */
  maxLength?: number;
}

/**
 * A WordPiece vocabulary with greedy longest-match-first encoding.
 *
 * @example
 * ```ts
 * const tok = new WordPieceTokenizer(['<s>', '<pad>', '</s>', '<unk>', 'bm', '##25']);
 * tok.encode('BM25'); // Int32Array [0, 4, 5, 2]
 * ```
 */
export class WordPieceTokenizer {
  /** Tokens by id. */
  readonly vocab: readonly string[];
  readonly #ids: Map<string, number>;
  readonly #cache = new Map<string, Int32Array>();

  constructor(vocab: readonly string[]) {
    for (let i = 0; i < SPECIALS.length; i++) {
      if (vocab[i] !== SPECIALS[i]) {
        throw new InvalidArgumentError('INVALID_ARGUMENT', `vocabulary must start with ${SPECIALS.join(', ')}; got ${JSON.stringify(vocab.slice(0, 4))}`);
      }
    }
    this.vocab = vocab;
    this.#ids = new Map();
    vocab.forEach((t, i) => {
      if (this.#ids.has(t)) throw new InvalidArgumentError('INVALID_ARGUMENT', `duplicate vocabulary entry ${JSON.stringify(t)} at id ${i}`);
      this.#ids.set(t, i);
    });
  }

  /** Vocabulary size. */
  get size(): number {
    return this.vocab.length;
  }

  /** Id of a token string, or undefined. */
  id(token: string): number | undefined {
    return this.#ids.get(token);
  }

  /** WordPiece ids of one pre-token (a normalised word), `[UNK_ID]` when it cannot be split. */
  wordIds(word: string): Int32Array {
    const hit = this.#cache.get(word);
    if (hit) return hit;
    const chars = [...word];
    let res: Int32Array;
    if (chars.length > MAX_CHARS_PER_WORD) res = Int32Array.of(UNK_ID);
    else {
      const out: number[] = [];
      let start = 0;
      let ok = true;
      while (start < chars.length) {
        let end = chars.length;
        let found = -1;
        while (start < end) {
          const sub = (start > 0 ? CONT : '') + chars.slice(start, end).join('');
          const id = this.#ids.get(sub);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found < 0) {
          ok = false;
          break;
        }
        out.push(found);
        start = end;
      }
      res = ok ? Int32Array.from(out) : Int32Array.of(UNK_ID);
    }
    if (this.#cache.size < 500_000) this.#cache.set(word, res);
    return res;
  }

  /** Pieces (without specials) of a raw text. */
  pieces(text: string): number[] {
    const out: number[] = [];
    for (const w of preTokenize(normalizeText(text))) {
      const ids = this.wordIds(w);
      for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
    }
    return out;
  }

  /** `<s> pieces </s>`, truncated to `maxLength` tokens in total. */
  encode(text: string, opts: EncodeOptions = {}): Int32Array {
    const maxLength = opts.maxLength ?? 512;
    if (!(maxLength >= 2)) throw new InvalidArgumentError('INVALID_ARGUMENT', `maxLength must be >= 2, got ${maxLength}`);
    const p = this.pieces(text);
    const n = Math.min(p.length, maxLength - 2);
    const ids = new Int32Array(n + 2);
    ids[0] = BOS_ID;
    for (let i = 0; i < n; i++) ids[i + 1] = p[i]!;
    ids[n + 1] = EOS_ID;
    return ids;
  }

  /** The Hugging Face `tokenizer.json` object of this vocabulary. */
  toJSON(): Record<string, unknown> {
    const vocab: Record<string, number> = {};
    this.vocab.forEach((t, i) => {
      vocab[t] = i;
    });
    const special = (id: number) => ({ id, content: SPECIALS[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [0, 1, 2, 3].map(special),
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        special_tokens: {
          '<s>': { id: '<s>', ids: [BOS_ID], tokens: ['<s>'] },
          '</s>': { id: '</s>', ids: [EOS_ID], tokens: ['</s>'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: CONT, cleanup: true },
      model: { type: 'WordPiece', unk_token: '<unk>', continuing_subword_prefix: CONT, max_input_chars_per_word: MAX_CHARS_PER_WORD, vocab },
    };
  }

  /** `tokenizer_config.json` for Hugging Face loaders. */
  configJSON(maxLength: number): Record<string, unknown> {
    return {
      tokenizer_class: 'PreTrainedTokenizerFast',
      model_max_length: maxLength,
      do_lower_case: true,
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      pad_token: '<pad>',
      cls_token: '<s>',
      sep_token: '</s>',
      clean_up_tokenization_spaces: true,
    };
  }

  /**
   * Reads a WordPiece `tokenizer.json` object written by {@link WordPieceTokenizer.toJSON}.
   *
   * @example
   * ```ts
   * const tok = WordPieceTokenizer.fromJSON(JSON.parse(readFileSync('tokenizer.json', 'utf8')));
   * ```
   */
  static fromJSON(json: unknown): WordPieceTokenizer {
    const model = (json as { model?: { type?: string; vocab?: Record<string, number> } })?.model;
    if (model?.type !== 'WordPiece' || typeof model.vocab !== 'object') {
      throw new ModelError('MODEL_INVALID', 'tokenizer.json is not a WordPiece tokenizer written by trident (model.type must be "WordPiece")');
    }
    const entries = Object.entries(model.vocab);
    const vocab = new Array<string>(entries.length);
    for (const [t, i] of entries) {
      if (!Number.isInteger(i) || i < 0 || i >= entries.length || vocab[i] !== undefined) {
        throw new ModelError('MODEL_INVALID', `tokenizer.json vocabulary ids must be 0..${entries.length - 1} without gaps; bad id ${i} for ${JSON.stringify(t)}`);
      }
      vocab[i] = t;
    }
    return new WordPieceTokenizer(vocab);
  }
}
