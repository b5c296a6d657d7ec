/**
 * BertJapanese-style tokenizers (cl-tohoku/bert-base-japanese-v3, hence Ruri v1/v2
 * `cl-nagoya/ruri-*`): `vocab.txt` + `tokenizer_config.json` with `tokenizer_class:
 * BertJapaneseTokenizer`, no `tokenizer.json`. Hugging Face's pipeline is
 * 1. NFKC-normalise the text (`normalize_text`, default true);
 * 2. split it into words with a morphological analyser (`word_tokenizer_type: mecab`: MeCab
 *    with the UniDic 2.1.2 dictionary of `unidic-lite`, surface forms, whitespace dropped);
 * 3. WordPiece each word (greedy longest match, `##` continuations, a word longer than 100
 *    characters or with no match becomes `[UNK]`), lower-cased only if `do_lower_case`;
 * 4. `[CLS] … [SEP]`.
 *
 * Step 2 is pluggable: a {@link WordSplitter} given by the caller. No JavaScript/WASM analyser
 * on npm ships UniDic 2.1.2 (kuromoji.js and lindera-wasm ship IPADIC, whose word boundaries
 * differ), so trident does not pick one: without a splitter a `mecab`/`sudachi`/`jumanpp`
 * model is refused with a message saying so. A faithful splitter runs MeCab with the
 * unidic-lite dictionary (UniDic 2.1.2: `mecab -d $(python3 -c 'import unidic_lite;
 * print(unidic_lite.DICDIR)') -Owakati`) through a child process or a native binding; Debian's
 * `unidic-mecab` is UniDic 3.1.1, close but not identical. Steps 1, 3 and 4 are built here
 * from `vocab.txt` as an in-memory tokenizer.json (normaliser NFKC, whitespace pre-tokenizer
 * over the splitter's words, WordPiece, the `[CLS] $A [SEP]` template). Known gap: a word the
 * analyser returns with a space inside would be split in two here.
 */
import { InvalidArgumentError, ModelError } from '../errors.js';

/**
 * A word splitter for BertJapanese-style models: gets NFKC-normalised text, returns its words
 * (surface forms, in order, no whitespace inside a word). `name` identifies it (it enters the
 * encoder identity, so an index built with one splitter is not opened with another).
 *
 * @example
 * ```ts
 * import { execFileSync } from 'node:child_process';
 * const mecab: WordSplitter = {
 *   name: 'mecab-unidic-2.1.2',
 *   split: (text) => execFileSync('mecab', ['-Owakati'], { input: text, encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean),
 * };
 * const ruri = await loadEncoder('cl-nagoya/ruri-base', { wordSplitter: mecab });
 * ```
 */
export interface WordSplitter {
  name: string;
  split(text: string): string[];
}

/** What `tokenizer_config.json` says about a vocab.txt-only BERT tokenizer. */
export interface VocabTokenizerConfig {
  tokenizerClass: string;
  wordTokenizer: 'basic' | 'mecab' | 'sudachi' | 'jumanpp';
  lowercase: boolean;
  normalize: boolean;
}

/**
 * Reads the relevant keys of tokenizer_config.json for a vocab.txt tokenizer; unsupported
 * classes or sub-word types throw `UNSUPPORTED`.
 *
 * @example
 * ```ts
 * vocabTokenizerConfig({ tokenizer_class: 'BertJapaneseTokenizer', word_tokenizer_type: 'mecab' }, 'tokenizer_config.json');
 * // { tokenizerClass: 'BertJapaneseTokenizer', wordTokenizer: 'mecab', lowercase: false, normalize: true }
 * ```
 */
export function vocabTokenizerConfig(config: Record<string, unknown>, file: string): VocabTokenizerConfig {
  const cls = typeof config.tokenizer_class === 'string' ? config.tokenizer_class : 'BertTokenizer';
  if (cls !== 'BertTokenizer' && cls !== 'BertJapaneseTokenizer' && cls !== 'BertTokenizerFast') {
    throw new ModelError('UNSUPPORTED', `${file}: a vocab.txt tokenizer of class ${cls} is not supported; provide the model's tokenizer.json`);
  }
  const japanese = cls === 'BertJapaneseTokenizer';
  const word = japanese ? String(config.word_tokenizer_type ?? 'basic') : 'basic';
  if (!['basic', 'mecab', 'sudachi', 'jumanpp'].includes(word)) throw new ModelError('UNSUPPORTED', `${file}: word_tokenizer_type ${JSON.stringify(word)} is not supported`);
  const sub = japanese ? String(config.subword_tokenizer_type ?? 'wordpiece') : 'wordpiece';
  if (sub !== 'wordpiece') throw new ModelError('UNSUPPORTED', `${file}: subword_tokenizer_type ${JSON.stringify(sub)} is not supported (only wordpiece)`);
  return {
    tokenizerClass: cls,
    wordTokenizer: word as VocabTokenizerConfig['wordTokenizer'],
    lowercase: config.do_lower_case === true || (!japanese && config.do_lower_case !== false),
    normalize: japanese ? config.normalize_text !== false : false,
  };
}

/**
 * An in-memory tokenizer.json for a vocab.txt BERT tokenizer: with a word splitter (BertJapanese
 * mecab/sudachi/jumanpp) a whitespace pre-tokenizer over the splitter's words; otherwise BERT's
 * own normaliser and pre-tokenizer (BasicTokenizer).
 *
 * @example
 * ```ts
 * const json = vocabTokenizerJson(await readFile('vocab.txt', 'utf8'), cfg, true);
 * ```
 */
export function vocabTokenizerJson(vocabText: string, cfg: VocabTokenizerConfig, split: boolean): Record<string, unknown> {
  const lines = vocabText.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab: Record<string, number> = {};
  lines.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  for (const s of ['[UNK]', '[CLS]', '[SEP]']) {
    if (!(s in vocab)) throw new ModelError('MODEL_INVALID', `vocab.txt has no ${s} token; it is not a BERT vocabulary`);
  }
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].filter((s) => s in vocab);
  const lower = cfg.lowercase ? [{ type: 'Lowercase' }] : [];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: split ? { type: 'Sequence', normalizers: [...(cfg.normalize ? [{ type: 'NFKC' }] : []), ...lower] } : { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: cfg.lowercase },
    pre_tokenizer: split ? { type: 'WhitespaceSplit' } : { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((s) => [s, { id: s, ids: [vocab[s]], tokens: [s] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/**
 * Applies a word splitter: NFKC (when the model normalises), split, re-joined with single
 * spaces for the whitespace pre-tokenizer. Throws `INVALID_ARGUMENT` when the splitter returns
 * something other than an array of strings.
 *
 * @example
 * ```ts
 * splitWords({ name: 'ws', split: (t) => t.split(' ') }, 'ＢＭ２５ ranks', true); // 'BM25 ranks'
 * ```
 */
export function splitWords(splitter: WordSplitter, text: string, normalize: boolean): string {
  const src = normalize ? text.normalize('NFKC') : text;
  const words = splitter.split(src);
  if (!Array.isArray(words) || words.some((w) => typeof w !== 'string')) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `the word splitter '${splitter.name}' must return an array of strings (the words of the text), got ${Array.isArray(words) ? 'an array with a non-string' : typeof words}`);
  }
  return words.filter((w) => w.length > 0).join(' ');
}
