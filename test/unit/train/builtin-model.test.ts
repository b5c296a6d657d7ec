import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadStaticModel } from '../../../src/train/export.js';
import { forwardText, type TextForward } from '../../../src/train/model.js';

const DIR = join(import.meta.dirname, '../../../src/models/static-en');
const has = existsSync(join(DIR, 'model.onnx'));

let cached: ReturnType<typeof loadStaticModel> | undefined;
const model = () => (cached ??= loadStaticModel(DIR));
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const lex = (a: TextForward, b: TextForward) => {
  let s = 0;
  a.sparseIds.forEach((id, i) => {
    const j = Array.from(b.sparseIds).indexOf(id);
    if (j >= 0) s += a.sparseWeights[i]! * b.sparseWeights[j]!;
  });
  return s;
};

describe.skipIf(!has)('built-in model static-en', () => {
  it('fits the 16 MB budget and carries its fusion weights', () => {
    const total = readdirSync(DIR).reduce((s, f) => s + statSync(join(DIR, f)).size, 0);
    expect(total).toBeLessThanOrEqual(16 * 1024 * 1024);
    const cfg = JSON.parse(readFileSync(join(DIR, 'trident.json'), 'utf8'));
    expect(cfg.fusionWeights).toEqual([1, 0.3, 1]);
    expect(cfg.family).toBe('bge-m3');
  });

  it('tokenizer.json loaded by @huggingface/tokenizers gives the trainer’s ids', () => {
    const { tokenizer } = model();
    const hf = new Tokenizer(JSON.parse(readFileSync(join(DIR, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(DIR, 'tokenizer_config.json'), 'utf8')));
    for (const t of ['Glucocorticoid receptor signalling in naïve T-cells', 'BM25 vs. dense retrieval: 1,000 genomes!']) {
      expect(hf.encode(t).ids).toEqual(Array.from(tokenizer.encode(t, { maxLength: 10_000 })));
    }
  });

  it('onnxruntime output equals the TS forward pass', async () => {
    const { params, tokenizer } = model();
    const ids = tokenizer.encode('Mitochondrial dysfunction causes oxidative stress');
    const s = await ort.InferenceSession.create(join(DIR, 'model.onnx'));
    const T = ids.length;
    const out = await s.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    });
    const f = forwardText(params, ids);
    const d = out.dense_vecs!.data as Float32Array;
    for (let k = 0; k < params.dim; k++) expect(Math.abs(d[k]! - f.dense[k]!)).toBeLessThan(1e-3);
    const c = out.colbert_vecs!.data as Float32Array;
    for (let k = 0; k < f.colbert.length; k++) expect(Math.abs(c[k]! - f.colbert[k]!)).toBeLessThan(1e-3);
    await s.release();
  });

  it('ranks a definition of the query above unrelated texts in every mode', () => {
    const { params, tokenizer } = model();
    const enc = (t: string) => forwardText(params, tokenizer.encode(t));
    const cases: [string, string, string][] = [
      ['protein folding', 'the process by which a protein chain acquires its three-dimensional structure', 'a football match that ended in a draw after extra time'],
      ['volcano eruption', 'molten lava and ash ejected from a volcano', 'an interest rate set by the central bank'],
      ['compiler', 'a program that translates source code into machine code', 'a small dog with curly hair'],
    ];
    for (const [q, pos, neg] of cases) {
      const fq = enc(q),
        fp = enc(pos),
        fn = enc(neg);
      expect(cos(fq.dense, fp.dense)).toBeGreaterThan(cos(fq.dense, fn.dense));
    }
  });

  it('gives rare content words more lexical weight than function words', () => {
    const { params, tokenizer } = model();
    const f = forwardText(params, tokenizer.encode('the volcano of a glacier'));
    const w = (word: string) => {
      const id = tokenizer.id(word)!;
      const i = Array.from(f.sparseIds).indexOf(id);
      return i < 0 ? 0 : f.sparseWeights[i]!;
    };
    expect(w('volcano')).toBeGreaterThan(w('the'));
    expect(w('glacier')).toBeGreaterThan(w('of'));
    const a = forwardText(params, tokenizer.encode('volcano eruption'));
    expect(lex(a, forwardText(params, tokenizer.encode('the eruption of a volcano')))).toBeGreaterThan(lex(a, forwardText(params, tokenizer.encode('the price of a house'))));
  });
});
