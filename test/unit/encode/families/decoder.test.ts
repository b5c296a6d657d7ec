import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFamilyEncoder } from '../../../../src/encode/index.js';
import { FIX, G, TOL, maxAbs, norm } from './goldens.js';

describe('decoder embedder (tiny Mistral: RMSNorm, rotary, GQA, causal)', () => {
  it('E5-Mistral preset: instruction on queries only, EOS appended, left padding, last-token pooling', async () => {
    const enc = await loadFamilyEncoder(join(FIX, 'tiny-mistral'), { preset: 'intfloat/e5-mistral-7b-instruct', task: G.mistral.task });
    expect(enc.config.padding).toBe('left');
    expect(enc.config.appendEos).toBe(true);
    expect(enc.config.prefixes.query).toBe(`Instruct: ${G.mistral.task}\nQuery: `);
    const cs = G.mistral.cases as Array<{ name: string; role: 'query' | 'document'; text: string; maxLength: number; inputIds: number[]; last: number[] }>;
    for (const role of ['query', 'document'] as const) {
      for (const L of [16, 64]) {
        const sel = cs.filter((c) => c.role === role && c.maxLength === L);
        const out = await enc.encode(
          sel.map((c) => c.text),
          { role, maxLength: L, batchSize: 4 },
        );
        sel.forEach((c, i) => {
          expect(out[i]!.tokenCount, `${role} ${c.name}`).toBe(c.inputIds.length);
          expect(maxAbs(out[i]!.dense, norm(c.last)), `${role} ${L} ${c.name}`).toBeLessThan(TOL);
        });
      }
    }
    await enc.close();
  });
});
