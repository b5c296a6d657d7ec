import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { backend } from '../../../src/kernels/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const docs = Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, text: `document ${i} about ${['cats', 'dogs', 'birds', 'fish'][i % 4]} and ${['rivers', 'hills', 'cities'][i % 3]} number ${i * 7}` }));

describe('HybridIndex multivector.screening', () => {
  it("'none' and the default give identical multi-vector scores; 'none' keeps no sidecar; the choice survives save/open", async () => {
    const made: Record<string, HybridIndex> = {};
    for (const s of ['default', 'none'] as const) {
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `trident-screen-${s}-`));
      dirs.push(dir);
      const idx = await HybridIndex.create({ encoder: new FakeEncoder(), path: dir, multivector: { dtype: 'f32', ...(s === 'none' ? { screening: 'none' as const } : {}) } });
      await idx.add(docs);
      await idx.save();
      await idx.close();
      made[s] = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    }
    const def = made.default!,
      none = made.none!;
    const mvStats = (i: HybridIndex) => (i.stats() as unknown as { multivector: { screeningBytes: number } }).multivector;
    expect(mvStats(none).screeningBytes).toBe(0);
    if (backend().isa === 'avx512' || backend().isa === 'amx') expect(mvStats(def).screeningBytes).toBeGreaterThan(0);
    for (const q of ['cats and rivers', 'fish number 21', 'hills']) {
      const a = await def.search(q, { mode: 'multivector', k: 30 });
      const b = await none.search(q, { mode: 'multivector', k: 30 });
      expect(a.map((h) => [h.id, h.score])).toEqual(b.map((h) => [h.id, h.score]));
    }
    await def.close();
    await none.close();
  });

  it('rejects an unknown screening value, creating nothing', async () => {
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), multivector: { screening: 'int4' as never } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
