/**
 * vocab.txt tokenizers (no tokenizer.json) and the pluggable word splitter of BertJapanese-style
 * models (Ruri v1/v2 → cl-tohoku/bert-base-japanese-v3: MeCab/UniDic words, then WordPiece).
 * Oracles: a greedy WordPiece written here (Google's algorithm) over the splitter's words, and
 * the numpy goldens (token ids and pooled vectors) of the tiny BERT.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFamilyEncoder, type WordSplitter } from '../../../../src/encode/index.js';
import { FIX, G, maxAbs, norm } from './goldens.js';

let tmp: string;
let vocab: Record<string, number>;
const SENTENCE = '東京は日本の首都です。';
const MECAB_LIKE: Record<string, string[]> = { [SENTENCE]: ['東京', 'は', '日本', 'の', '首都', 'です', '。'] };
const seen: string[] = [];
/** Test splitter: a fixed analysis for the Japanese sentence, whitespace elsewhere (as MeCab drops spaces). */
const splitter: WordSplitter = {
  name: 'test-dictionary',
  split(text) {
    seen.push(text);
    const out: string[] = [];
    for (const part of text.split(/\s+/)) if (part) out.push(...(MECAB_LIKE[part] ?? [part]));
    return out;
  },
};

/** Google's greedy longest-match-first WordPiece of one word. */
function wordpiece(word: string): number[] {
  const chars = [...word];
  if (chars.length > 100) return [vocab['[UNK]']!];
  const out: number[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let cur: number | undefined;
    while (start < end) {
      const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
      if (sub in vocab) {
        cur = vocab[sub];
        break;
      }
      end--;
    }
    if (cur === undefined) return [vocab['[UNK]']!];
    out.push(cur);
    start = end;
  }
  return out;
}
const oracleIds = (text: string, words = (t: string) => splitter.split(t)): number[] => [vocab['[CLS]']!, ...words(text.normalize('NFKC')).flatMap(wordpiece), vocab['[SEP]']!];

async function modelDir(name: string, tokenizerConfig: Record<string, unknown>): Promise<string> {
  const dir = join(tmp, name);
  await fsp.mkdir(dir, { recursive: true });
  for (const f of ['onnx', '1_Pooling', 'config.json', 'modules.json', 'sentence_bert_config.json']) await fsp.cp(join(FIX, 'tiny-bert-st', f), join(dir, f), { recursive: true });
  const byId = Object.entries(vocab)
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
  await fsp.writeFile(join(dir, 'vocab.txt'), `${byId.join('\n')}\n`);
  await fsp.writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]', unk_token: '[UNK]', ...tokenizerConfig }));
  return dir;
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-bertja-'));
  vocab = (JSON.parse(await fsp.readFile(join(FIX, 'tiny-bert-st', 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const JA = { tokenizer_class: 'BertJapaneseTokenizer', word_tokenizer_type: 'mecab', subword_tokenizer_type: 'wordpiece', do_lower_case: false, mecab_kwargs: { mecab_dic: 'unidic_lite' } };

describe('BertJapanese-style tokenizer with a pluggable word splitter', () => {
  it('NFKC → splitter words → WordPiece (## continuations inside a word) → [CLS] … [SEP], like the reference algorithm', async () => {
    const dir = await modelDir('bertja', JA);
    const enc = await loadFamilyEncoder(dir, { wordSplitter: splitter });
    const texts = [SENTENCE, 'the cat and the dog', 'ＢＭ２５ ranks', 'runners were running quickly'];
    seen.length = 0;
    const tl = await enc.encodeTokens(texts);
    texts.forEach((t, i) => {
      expect([...tl[i]!.tokenIds], t).toEqual(oracleIds(t));
    });
    // words, not characters: 東京 → 東 ##京 (BERT's BasicTokenizer would give 東 京)
    expect(enc.decodeTokens(tl[0]!.tokenIds)).toEqual(['[CLS]', '東', '##京', 'は', '日', '##本', 'の', '首', '##都', '[UNK]', '。', '[SEP]']);
    expect(seen).toContain('BM25 ranks'); // the splitter sees NFKC text
    // Ruri preset: the Japanese prefixes go through the splitter with the text
    const ruri = await loadFamilyEncoder(dir, { preset: 'cl-nagoya/ruri-base', wordSplitter: splitter });
    expect(ruri.config.prefixes).toEqual({ query: 'クエリ: ', document: '文章: ' });
    const [q] = await ruri.encodeTokens([SENTENCE], { role: 'query' });
    expect([...q!.tokenIds]).toEqual(oracleIds(`クエリ: ${SENTENCE}`));
    await ruri.close();
    await enc.close();
  });

  it('pooled outputs equal the numpy goldens when the words agree with the golden tokenization', async () => {
    const dir = await modelDir('bertja-pool', JA);
    const enc = await loadFamilyEncoder(dir, { wordSplitter: splitter });
    const c = (G.bertSt.cases as Array<{ name: string; prefix: string; text: string; maxLength: number; inputIds: number[]; pooled: { mean: number[] } }>).find((x) => x.prefix === '' && x.maxLength === 64 && x.name === 'repeated')!;
    const [t] = await enc.encodeTokens([c.text]);
    expect([...t!.tokenIds]).toEqual(c.inputIds);
    const [o] = await enc.encode([c.text]);
    expect(maxAbs(o!.dense, norm(c.pooled.mean))).toBeLessThan(G.tolerance); // modules.json: mean + Normalize
    const other = await loadFamilyEncoder(dir, { wordSplitter: { name: 'another', split: splitter.split } });
    expect(other.info.id).not.toBe(enc.info.id); // the splitter's name is part of the identity
    await other.close();
    await enc.close();
  });

  it('without a splitter a MeCab model is refused with a message that says what to pass; bad splitters are typed errors', async () => {
    const dir = await modelDir('bertja-nosplit', JA);
    await expect(loadFamilyEncoder(dir)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/wordSplitter.*MeCab/) });
    await expect(loadFamilyEncoder(dir, { wordSplitter: { name: '', split: () => [] } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const bad = await loadFamilyEncoder(dir, { wordSplitter: { name: 'bad', split: () => 'oops' as unknown as string[] } }).catch((e) => e);
    expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/'bad' must return an array of strings/) });
    // a model with its own tokenizer.json does not take a splitter
    await expect(loadFamilyEncoder(join(FIX, 'tiny-bert-st'), { wordSplitter: splitter })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/tokenizer\.json/) });
    const sub = await modelDir('bertja-char', { ...JA, subword_tokenizer_type: 'character' });
    await expect(loadFamilyEncoder(sub, { wordSplitter: splitter })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/character/) });
  });

  it('a plain BertTokenizer vocab.txt (no tokenizer.json) tokenizes like the golden BasicTokenizer + WordPiece', async () => {
    const dir = await modelDir('bert-vocab', { tokenizer_class: 'BertTokenizer', do_lower_case: true });
    const enc = await loadFamilyEncoder(dir);
    const cs = (G.bertSt.cases as Array<{ name: string; prefix: string; text: string; maxLength: number; inputIds: number[] }>).filter((c) => c.prefix === '' && c.maxLength === 64);
    const tl = await enc.encodeTokens(
      cs.map((c) => c.text),
      { maxLength: 64 },
    );
    cs.forEach((c, i) => {
      expect([...tl[i]!.tokenIds], c.name).toEqual(c.inputIds);
    });
    await expect(loadFamilyEncoder(dir, { wordSplitter: splitter })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await enc.close();
  });
});
