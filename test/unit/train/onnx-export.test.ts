import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createRng } from '../../../src/train/rng.js';
import { createParams, forwardText, type StaticParams } from '../../../src/train/model.js';
import { exportStaticModel, loadStaticModel } from '../../../src/train/export.js';
import { WordPieceTokenizer } from '../../../src/train/tokenizer.js';
import { f16ToF32, f32ToF16 } from '../../../src/kernels/f16.js';

function randomModel(): { p: StaticParams; tok: WordPieceTokenizer } {
  const vocab = ['<s>', '<pad>', '</s>', '<unk>', 'the', 'protein', 'fold', '##ing', 'cell', 'a', '##s', 'b', '##e', 'be', 'mouse', 'gene', '.', ','];
  const rng = createRng(11);
  const p = createParams({ vocab: vocab.length, dim: 6, colbertDim: 5 }, rng);
  for (let i = 0; i < p.emb.length; i++) p.emb[i] = rng.normal();
  for (let i = 0; i < p.colW.length; i++) p.colW[i] = rng.normal() * 0.5;
  for (let i = 0; i < p.dim; i++) {
    p.poolU[i] = rng.normal() * 0.5;
    p.sparseW[i] = rng.normal() * 0.5;
  }
  for (let i = 0; i < p.colbertDim; i++) p.colB[i] = rng.normal() * 0.1;
  p.sparseB[0] = 0.2;
  return { p, tok: new WordPieceTokenizer(vocab) };
}

describe('static model ONNX export', () => {
  let dir = '';
  let p: StaticParams;
  let tok: WordPieceTokenizer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trident-static-onnx-'));
    ({ p, tok } = randomModel());
    await exportStaticModel(dir, p, tok, { name: 'tiny', maxLength: 64, fusionWeights: [1, 0.3, 1] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('onnxruntime-node outputs match the TS forward pass on a padded batch (≤1e-4)', async () => {
    const texts = ['The protein folding.', 'cells, mice be genes', 'bee'];
    const enc = texts.map((t) => tok.encode(t));
    const T = Math.max(...enc.map((e) => e.length));
    const ids = new BigInt64Array(texts.length * T).fill(1n);
    const mask = new BigInt64Array(texts.length * T);
    enc.forEach((e, b) => {
      e.forEach((id, t) => {
        ids[b * T + t] = BigInt(id);
        mask[b * T + t] = 1n;
      });
    });
    const s = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const out = await s.run({ input_ids: new ort.Tensor('int64', ids, [texts.length, T]), attention_mask: new ort.Tensor('int64', mask, [texts.length, T]) });
    expect(s.outputNames).toEqual(['dense_vecs', 'sparse_vecs', 'colbert_vecs']);
    expect(out.dense_vecs!.dims).toEqual([3, 6]);
    expect(out.sparse_vecs!.dims).toEqual([3, T, 1]);
    expect(out.colbert_vecs!.dims).toEqual([3, T - 1, 5]);
    const dv = out.dense_vecs!.data as Float32Array,
      sv = out.sparse_vecs!.data as Float32Array,
      cv = out.colbert_vecs!.data as Float32Array;
    enc.forEach((e, b) => {
      const f = forwardText(p, e); // p.emb was rounded to fp16 by the export
      for (let k = 0; k < 6; k++) expect(Math.abs(dv[b * 6 + k]! - f.dense[k]!)).toBeLessThan(1e-4);
      for (let t = 0; t < T; t++) {
        const w = sv[b * T + t]!;
        if (t >= e.length) {
          expect(w).toBe(0);
          continue;
        }
        const id = e[t]!;
        const k = Array.from(f.sparseIds).indexOf(id);
        if (id <= 3 || k < 0) {
          if (id > 3) expect(w).toBe(0);
        } else expect(Math.abs(w - f.sparseWeights[k]!)).toBeLessThan(1e-4);
      }
      for (let t = 1; t < T; t++)
        for (let j = 0; j < 5; j++) {
          const v = cv[(b * (T - 1) + t - 1) * 5 + j]!;
          expect(Math.abs(v - (t < e.length ? f.colbert[(t - 1) * 5 + j]! : 0))).toBeLessThan(1e-4);
        }
    });
    await s.release();
  });

  it('weights read back from model.onnx equal the exported ones (fp16-rounded table)', () => {
    const back = loadStaticModel(dir);
    expect(back.params.vocab).toBe(p.vocab);
    expect(back.params.colbertDim).toBe(5);
    expect(Array.from(back.params.emb)).toEqual(Array.from(p.emb));
    expect(Array.from(back.params.colW)).toEqual(Array.from(p.colW));
    expect(Array.from(back.params.sparseW)).toEqual(Array.from(p.sparseW));
    expect(back.tokenizer.vocab).toEqual(tok.vocab);
    const cfg = JSON.parse(readFileSync(join(dir, 'trident.json'), 'utf8'));
    expect(cfg.fusionWeights).toEqual([1, 0.3, 1]);
    expect(cfg.sparseDropIds).toEqual([0, 1, 2, 3]);
  });

  it('fp16 conversion agrees with a brute-force nearest search over all finite halves', () => {
    const halves: number[] = [];
    for (let h = 0; h < 0x7c00; h++) halves.push(f16ToF32(h));
    const rng = createRng(3);
    for (let i = 0; i < 300; i++) {
      const v = (rng.next() - 0.5) * 10 ** (rng.int(9) - 6);
      const a = Math.abs(Math.fround(v));
      let best = 0;
      for (let h = 1; h < halves.length; h++) if (Math.abs(halves[h]! - a) < Math.abs(halves[best]! - a)) best = h;
      const got = f32ToF16(v) & 0x7fff;
      // ties may go either way in the brute force; the value must be a nearest one
      expect(Math.abs(halves[got]! - a)).toBeLessThanOrEqual(Math.abs(halves[best]! - a));
    }
  });
});
