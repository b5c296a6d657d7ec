import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { buildVocab, countWords } from '../../../src/train/vocab.js';
import { WordPieceTokenizer, normalizeText, preTokenize } from '../../../src/train/tokenizer.js';

const TRAIN = [
  'Protein folding is the physical process by which a protein chain acquires its native 3D structure.',
  'The mitochondrial membrane potential drives ATP synthesis; mitochondria are organelles.',
  'Naïve T-cells differentiate into effector cells after antigen exposure (in vivo).',
  'BM25 ranks documents by term frequency, inverse document frequency and length normalisation.',
  'Glucocorticoids reduce inflammation. Glucose metabolism differs in tumour cells.',
];
const PROBES = ['Proteins fold; mitochondrial dysfunction in naïve T-cells?', 'Unseenword glucocorticoid-induced hyperglycaemia, 1,000 genomes & "BM25".', 'Ünïcödé CAFÉ résumé — em-dash… and tabs\tand\nnewlines', `${'x'.repeat(120)} short`, ''];

describe('WordPiece tokenizer', () => {
  let dir = '';
  let tok: WordPieceTokenizer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trident-static-tok-'));
    tok = new WordPieceTokenizer(buildVocab(countWords(TRAIN), { minCount: 1, maxWords: 40, maxPieces: 60 }));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok.toJSON()));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tok.configJSON(512)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the M3 special ids', () => {
    expect(tok.vocab.slice(0, 4)).toEqual(['<s>', '<pad>', '</s>', '<unk>']);
    const ids = tok.encode('protein');
    expect(ids[0]).toBe(0);
    expect(ids[ids.length - 1]).toBe(2);
  });

  it('splits unseen words into learned pieces instead of <unk>', () => {
    const ids = Array.from(tok.encode('mitochondria proteins'));
    expect(ids).not.toContain(3);
    expect(ids.length).toBeGreaterThan(4);
  });

  it('@huggingface/tokenizers loading tokenizer.json gives the same ids as the TS encoder', () => {
    const hf = new Tokenizer(tok.toJSON() as object, tok.configJSON(512) as object);
    for (const text of PROBES) {
      const got = hf.encode(text).ids;
      expect(got).toEqual(Array.from(tok.encode(text, { maxLength: 10_000 })));
    }
  });

  it('@huggingface/transformers AutoTokenizer loads the folder offline and agrees', async () => {
    const { AutoTokenizer, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = join(dir, '..');
    const hf = await AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true });
    for (const text of PROBES.slice(0, 3)) {
      const enc = hf(text) as { input_ids: { data: BigInt64Array } };
      expect(Array.from(enc.input_ids.data, Number)).toEqual(Array.from(tok.encode(text, { maxLength: 10_000 })));
    }
  });

  it('normalises and pre-tokenises like BERT', () => {
    expect(normalizeText('Café\tBAR')).toBe('cafe bar');
    expect(preTokenize('bm25, really?')).toEqual(['bm25', ',', 'really', '?']);
  });

  it('truncates to maxLength counting both specials', () => {
    const ids = tok.encode(TRAIN[0]!, { maxLength: 5 });
    expect(ids.length).toBe(5);
    expect(ids[4]).toBe(2);
  });

  it('rejects vocabularies without the special prefix', () => {
    expect(() => new WordPieceTokenizer(['a', 'b'])).toThrow(/must start with/);
  });
});
