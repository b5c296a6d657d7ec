import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFamilyEncoder } from '../../../../src/encode/index.js';
import { HybridIndex } from '../../../../src/hybrid/index.js';
import { FIX, G, TOL, maxAbs, norm } from './goldens.js';

// tiny-nvembed: bidirectional decoder + latent attention + masked mean inside the ONNX graph
// (`sentence_embedding`), the shape of an NV-Embed export that contains its pooling. Goldens:
// an independent float64 numpy forward (tools/families/reference.py).
type Case = { name: string; role: 'query' | 'document'; text: string; maxLength: number; inputIds: number[]; pooled: number[] };
const gold = (G as unknown as { nvembed: { task: string; cases: Case[] } }).nvembed;

describe('NV-Embed preset on a graph-pooled export', () => {
  it("uses the graph's sentence_embedding (normalised), instruction on queries only, EOS appended, right padding", async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-nvembed'), { preset: 'nvidia/NV-Embed-v2', task: gold.task });
    expect(enc.config.pooling).toBe('graph');
    expect(enc.config.padding).toBe('right');
    expect(enc.config.appendEos).toBe(true);
    expect(enc.config.prefixes.query).toBe(`Instruct: ${gold.task}\nQuery: `);
    expect(enc.config.prefixes.document).toBe('');
    for (const role of ['query', 'document'] as const) {
      for (const L of [16, 64]) {
        const sel = gold.cases.filter((c) => c.role === role && c.maxLength === L);
        // one batch of mixed lengths: right padding must not leak into the graph's mean
        const out = await enc.encode(
          sel.map((c) => c.text),
          { role, maxLength: L, batchSize: 8 },
        );
        sel.forEach((c, i) => {
          expect(out[i]!.tokenCount, `${role} ${c.name}`).toBe(c.inputIds.length);
          expect(maxAbs(out[i]!.dense!, norm(c.pooled)), `${role} ${L} ${c.name}`).toBeLessThan(TOL);
        });
        // batch-size independence (each text alone)
        const one = await enc.encode([sel[0]!.text], { role, maxLength: L });
        expect(maxAbs(one[0]!.dense!, norm(sel[0]!.pooled))).toBeLessThan(TOL);
      }
    }
    await enc.close();
  });

  it('feeds a HybridIndex dense store: the nearest document by the golden vectors ranks first', async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-nvembed'), { preset: 'nvidia/NV-Embed-v2', task: gold.task });
    // golden cases that were not truncated at 64 tokens (the index encodes at the model's full length)
    const docs = gold.cases.filter((c) => c.role === 'document' && c.maxLength === 64 && c.inputIds.length < 64);
    const index = await HybridIndex.create({ encoder: enc, sparse: false, multivector: false });
    await index.add(docs.map((c) => ({ id: c.name, text: c.text })));
    const q = gold.cases.find((c) => c.role === 'query' && c.maxLength === 64 && c.inputIds.length < 64)!;
    expect(docs.length).toBeGreaterThanOrEqual(3);
    const qv = norm(q.pooled);
    const dot = (a: Float32Array | number[], b: Float32Array | number[]) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);
    const oracle = docs.map((d) => ({ id: d.name, s: dot(qv, norm(d.pooled)) })).sort((a, b) => b.s - a.s);
    const hits = await index.search(q.text, { mode: 'dense', k: docs.length });
    expect(hits.map((h) => h.id)).toEqual(oracle.map((o) => o.id));
    hits.forEach((h, i) => {
      expect(Math.abs(h.score - oracle[i]!.s)).toBeLessThan(1e-4);
    });
    await index.close();
  });
});
