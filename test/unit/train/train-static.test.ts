import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../../src/train/rng.js';
import { createParams } from '../../../src/train/model.js';
import { exportStaticModel, loadStaticModel } from '../../../src/train/export.js';
import { WordPieceTokenizer } from '../../../src/train/tokenizer.js';
import { buildVocab, countWords } from '../../../src/train/vocab.js';
import { trainStatic } from '../../../src/train/index.js';
import { runCli, type CliIo } from '../../../src/cli/run.js';
import { batchLossAndGrad, createLossScratch, DEFAULT_LOSS } from '../../../src/train/loss.js';
import { corpusPairs } from '../../../src/train/data/jsonl.js';
import { dictdNumber } from '../../../src/train/data/dictd.js';

const TOPICS = [
  'protein folding chaperone',
  'vaccine antibody immune',
  'galaxy star telescope',
  'river flood rain',
  'compiler parser grammar',
  'piano melody chord',
  'tumour cancer chemotherapy',
  'bread flour yeast',
  'volcano lava eruption',
  'football goal referee',
  'database index query',
  'insulin glucose diabetes',
  'planet orbit gravity',
  'forest tree leaf',
  'engine fuel piston',
  'violin string bow',
];
const PAIRS = TOPICS.flatMap((t, i) => {
  const w = t.split(' ');
  return [
    { q: w[0]!, p: `${t} text number ${i}` },
    { q: `${w[1]} ${w[2]}`, p: `about ${w[0]} and ${w[2]}` },
    { q: w[2]!, p: `${w[1]} related ${w[0]}` },
  ];
});

describe('trainStatic', () => {
  let dir = '';
  let base = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trident-train-static-'));
    base = join(dir, 'base');
    const tok = new WordPieceTokenizer(buildVocab(countWords(PAIRS.flatMap((p) => [p.q, p.p])), { minCount: 1, maxPieces: 50 }));
    const params = createParams({ vocab: tok.size, dim: 8, colbertDim: 8 }, createRng(5));
    await exportStaticModel(base, params, tok, { name: 'base', maxLength: 128, fusionWeights: [1, 0.3, 1] });
    writeFileSync(join(dir, 'pairs.jsonl'), PAIRS.map((p) => JSON.stringify({ query: p.q, positive: p.p })).join('\n'));
    writeFileSync(join(dir, 'corpus.jsonl'), TOPICS.map((t, i) => JSON.stringify({ _id: String(i), title: t.split(' ')[0], text: `${t} ${t} is described here in a long enough body of text number ${i}` })).join('\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fine-tuning lowers the in-batch loss on the training pairs', async () => {
    const before = loadStaticModel(base);
    const enc = (m: typeof before) => ({
      q: PAIRS.map((p) => m.tokenizer.encode(p.q)),
      p: PAIRS.map((p) => m.tokenizer.encode(p.p)),
      qKey: Int32Array.from(PAIRS, (_, i) => i),
      pKey: Int32Array.from(PAIRS, (_, i) => i),
    });
    const l0 = batchLossAndGrad(before.params, enc(before), DEFAULT_LOSS, null, createLossScratch(before.params)).loss;
    await trainStatic({ outDir: join(dir, 'ft'), init: base, pairs: join(dir, 'pairs.jsonl'), steps: 60, batchSize: 16, lrEmb: 1e-2, lrHead: 1e-2, seed: 1 });
    const after = loadStaticModel(join(dir, 'ft'));
    const l1 = batchLossAndGrad(after.params, enc(after), DEFAULT_LOSS, null, createLossScratch(after.params)).loss;
    expect(l1).toBeLessThan(l0 * 0.8);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (name: string, seed: number) => {
      await trainStatic({ outDir: join(dir, name), init: base, pairs: join(dir, 'pairs.jsonl'), corpus: join(dir, 'corpus.jsonl'), steps: 12, batchSize: 8, seed });
      return readFileSync(join(dir, name, 'model.onnx'));
    };
    const a = await run('s1', 7),
      b = await run('s2', 7),
      c = await run('s3', 8);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).not.toBe(0);
  });

  it('the CLI trains from an unlabeled corpus only and validates its arguments', async () => {
    let err = '';
    const io: CliIo = {
      out: () => {},
      err: (s) => {
        err += s;
      },
      errIsTTY: false,
    };
    const cli = (...args: string[]) => {
      err = '';
      return runCli(['train-static', ...args], io);
    };
    const code = await cli('--corpus', join(dir, 'corpus.jsonl'), '--init', base, '--out', join(dir, 'cli'), '--steps', '5', '--batch-size', '8');
    expect(code, err).toBe(0);
    expect(loadStaticModel(join(dir, 'cli')).params.vocab).toBe(loadStaticModel(base).params.vocab);
    expect(await cli('--pairs', 'x.jsonl')).toBe(2);
    expect(err).toMatch(/--out <dir> is required/);
    expect(await cli('--out', join(dir, 'x'))).toBe(2);
    expect(err).toMatch(/INVALID_ARGUMENT: train-static: give --pairs/);
    expect(await cli('--bogus')).toBe(2);
    expect(err).toMatch(/unknown option '--bogus'/);
    await expect(trainStatic({ outDir: join(dir, 'bad'), pairs: join(dir, 'missing.jsonl'), init: base })).rejects.toThrow(/cannot read/);
    await expect(trainStatic({ outDir: join(dir, 'bad'), pairs: join(dir, 'pairs.jsonl'), init: base, steps: 0 })).rejects.toThrow(/steps must be/);
    await expect(trainStatic({ outDir: join(dir, 'bad'), pairs: join(dir, 'pairs.jsonl'), init: join(dir, 'nope'), batchSize: 8 })).rejects.toThrow(/no model directory at/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('corpus crops come from the same document and titles pair with bodies', () => {
    const docs = [{ title: 'Alpha', text: 'one two three four five six seven eight nine ten eleven twelve' }];
    const pairs = corpusPairs(docs, createRng(2), { cropsPerDoc: 5, minWords: 2, maxWords: 4 });
    expect(pairs[0]!.q).toBe('Alpha');
    expect(pairs[0]!.src).toBe('corpus-title');
    expect(docs[0]!.text.startsWith(pairs[0]!.p)).toBe(true);
    for (const p of pairs.slice(1)) {
      expect(docs[0]!.text.includes(p.q)).toBe(true);
      expect(docs[0]!.text.includes(p.p)).toBe(true);
      expect(p.q.split(' ').length).toBeGreaterThanOrEqual(2);
      expect(p.q.split(' ').length).toBeLessThanOrEqual(4);
    }
  });

  it('decodes dictd index numbers (base64 digits)', () => {
    expect(dictdNumber('A')).toBe(0);
    expect(dictdNumber('BA')).toBe(64);
    expect(dictdNumber('Gb9L')).toBe(((6 * 64 + 27) * 64 + 61) * 64 + 11);
  });
});
