/**
 * The encoder against goldens.json (ids from sentencepiece / tokenizer.json, outputs from
 * an independent float64 numpy forward pass) for every fixture layout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadEncoder, type Encoder } from '../../../src/encode/index.js';
import { goldens, INT8_TOL, maxAbsDiff, MODELS, tokenizerCases } from './helpers.js';

// int8 graphs quantise activations dynamically with one scale per tensor, so a text's
// result depends on its batch; int8 goldens are for a batch of one. The Xenova int8
// graph gives only the backbone: our fp32 heads run on its int8 hidden state, so its
// sparse / multi-vector outputs are checked against fp32 with the int8-vs-fp32 bound.
const LAYOUTS = [
  { dir: 'tiny-m3', dtype: 'fp32', int8: false, fp32Heads: false },
  { dir: 'tiny-m3-aapot', dtype: 'fp32', int8: false, fp32Heads: false },
  { dir: 'tiny-m3-xenova', dtype: 'fp32', int8: false, fp32Heads: false },
  { dir: 'tiny-m3-xenova', dtype: 'int8', int8: true, fp32Heads: true },
  { dir: 'tiny-m3-int8', dtype: 'int8', int8: true, fp32Heads: false },
] as const;

for (const layout of LAYOUTS) {
  describe(`${layout.dir} (${layout.dtype})`, () => {
    let enc: Encoder;
    beforeAll(async () => {
      enc = await loadEncoder(join(MODELS, layout.dir), { dtype: layout.dtype, threads: 1 });
    });
    afterAll(async () => {
      await enc?.close();
    });

    it('reports the model shape and precision', () => {
      expect(enc.info.dim).toBe(goldens.shape.hiddenSize);
      expect(enc.info.vocabSize).toBe(goldens.shape.vocabSize);
      expect(enc.info.dtype).toBe(layout.dtype);
      expect(enc.info.heads).toEqual({ dense: true, sparse: true, multivector: true });
    });

    for (const maxLength of [16, 64]) {
      it(`matches dense, sparse and multi-vector goldens at maxLength ${maxLength}`, async () => {
        const cases = tokenizerCases.filter((c) => c.maxLength === maxLength);
        const out = await enc.encode(
          cases.map((c) => c.text),
          { maxLength, batchSize: layout.int8 ? 1 : 4 },
        );
        const tol = layout.int8 ? INT8_TOL : goldens.tolerances.fp32;
        cases.forEach((c, i) => {
          const o = out[i]!;
          const g = layout.int8 ? c.int8 : c;
          const h = layout.fp32Heads ? c : g;
          const htol = layout.fp32Heads ? goldens.tolerances.int8VsFp32 : tol;
          expect(Array.from(o.multivector.tokenIds), c.name).toEqual(c.tokenizerJsonIds.slice(1));
          expect(o.tokenCount).toBe(c.tokenizerJsonIds.length);
          expect(maxAbsDiff(o.dense, g.dense), `${c.name} dense`).toBeLessThanOrEqual(tol);
          if (!layout.fp32Heads) expect(Array.from(o.sparse.ids), `${c.name} sparse ids`).toEqual(h.sparse.ids);
          const w = new Map(Array.from(o.sparse.ids, (id, k) => [id, o.sparse.weights[k]!]));
          expect(
            maxAbsDiff(
              h.sparse.ids.map((id) => w.get(id) ?? 0),
              h.sparse.weights,
            ),
            `${c.name} sparse`,
          ).toBeLessThanOrEqual(htol);
          expect(o.multivector.count).toBe(h.colbert.length);
          expect(o.multivector.dim).toBe(goldens.shape.hiddenSize);
          expect(maxAbsDiff(o.multivector.data, h.colbert.flat()), `${c.name} colbert`).toBeLessThanOrEqual(htol);
        });
      });
    }
  });
}
