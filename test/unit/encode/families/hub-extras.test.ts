/**
 * Hub downloads of the extra files added for issue 8's second pass: `idf.json` of
 * document-only SPLADE (matched by its real hub id to the `opensearch-doc` preset) and the
 * `vocab.txt` tokenizer of a BertJapanese model without tokenizer.json. Loopback mirror.
 */
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFamilyEncoder } from '../../../../src/encode/index.js';
import { startHubMirror } from '../../../helpers/hub-mirror.js';
import { FIX } from './goldens.js';

let tmp: string;
let repos: Record<string, string>;
let vocab: Record<string, number>;
let hubUrl: string;
let close: () => Promise<void>;
let asked: string[] = [];

beforeAll(async () => {
  tmp = await fsp.mkdtemp(join(tmpdir(), 'trident-fam-hub2-'));
  vocab = (JSON.parse(await fsp.readFile(join(FIX, 'tiny-bert-st', 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  // document-only SPLADE: the tiny MLM + an idf.json weighting three tokens
  const os = join(tmp, 'os');
  await fsp.cp(join(FIX, 'tiny-splade'), os, { recursive: true });
  await fsp.writeFile(join(os, 'idf.json'), JSON.stringify({ cat: 2.5, dog: 1.5, the: 0.25 }));
  // BertJapanese: vocab.txt + tokenizer_config.json, no tokenizer.json
  const ja = join(tmp, 'ja');
  await fsp.mkdir(ja);
  for (const f of ['onnx', '1_Pooling', 'config.json', 'modules.json']) await fsp.cp(join(FIX, 'tiny-bert-st', f), join(ja, f), { recursive: true });
  await fsp.writeFile(
    join(ja, 'vocab.txt'),
    `${Object.entries(vocab)
      .sort((a, b) => a[1] - b[1])
      .map(([t]) => t)
      .join('\n')}\n`,
  );
  await fsp.writeFile(join(ja, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertJapaneseTokenizer', word_tokenizer_type: 'mecab', subword_tokenizer_type: 'wordpiece', cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' }));
  repos = { 'opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill': os, 'cl-nagoya/ruri-base': ja };
  const hub = await startHubMirror(() => repos);
  asked = hub.asked;
  hubUrl = hub.url;
  close = hub.close;
});
afterAll(async () => {
  await close();
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('hub downloads of idf.json and vocab.txt', () => {
  it('opensearch doc-only SPLADE by its hub id: idf.json is fetched and weighs the query tokens', async () => {
    const enc = await loadFamilyEncoder('opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill', { hubUrl, cacheDir: join(tmp, 'cache') });
    expect(asked.some((u) => u.endsWith('/idf.json'))).toBe(true);
    expect(enc.config).toMatchObject({ kind: 'splade', spladeQuery: 'tokens' });
    const [q] = await enc.encode(['the cat and the dog'], { role: 'query' });
    const idf: Record<string, number> = { cat: 2.5, dog: 1.5, the: 0.25 }; // 'and' is not in idf.json: dropped
    const want = Object.keys(idf).sort((x, y) => vocab[x]! - vocab[y]!);
    expect([...q!.sparse.ids]).toEqual(want.map((t) => vocab[t]!));
    expect([...q!.sparse.weights]).toEqual(want.map((t) => idf[t]!));
    await enc.close();
  });

  it('a BertJapanese repo without tokenizer.json: vocab.txt is fetched; the word splitter is required', async () => {
    const cacheDir = join(tmp, 'cache');
    await expect(loadFamilyEncoder('cl-nagoya/ruri-base', { hubUrl, cacheDir })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/wordSplitter/) });
    expect(asked.some((u) => u.endsWith('/vocab.txt'))).toBe(true);
    const enc = await loadFamilyEncoder('cl-nagoya/ruri-base', { hubUrl, cacheDir, wordSplitter: { name: 'chars', split: (t) => [...t.replace(/\s+/g, '')] } });
    expect(enc.config.prefixes.document).toBe('文章: ');
    const [t] = await enc.encodeTokens(['東京']);
    expect(enc.decodeTokens(t!.tokenIds)).toEqual(['[CLS]', '文', '章', ':', '東', '京', '[SEP]']);
    await enc.close();
  });
});
