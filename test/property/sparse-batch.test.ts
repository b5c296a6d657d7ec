// SparseIndex.addBatch (the store's batch path: one growth per list, dense term look-up) leaves
// the index exactly as adding the same documents one by one does: same saved bytes, statistics,
// scores and top-k, after deletes (re-used ids compact first) and for ids beyond the dense
// term-id range. The oracle is the one-by-one path, itself checked against brute force in
// sparse.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseIndex, type SparseVector } from '../../src/sparse/index.js';

const vec = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: (1 << 22) - 2, max: (1 << 22) + 2 }), fc.constant(0xffffffff)), { maxLength: 8 })
  .chain((ids) => fc.tuple(fc.constant(ids.sort((a, b) => a - b)), fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 })), { minLength: ids.length, maxLength: ids.length })))
  .map(([ids, w]): SparseVector => ({ ids: Uint32Array.from(ids), weights: Float32Array.from(w) }));

const scenario = fc.record({
  scorer: fc.constantFrom<'dot' | 'bm25'>('dot', 'bm25'),
  first: fc.array(vec, { maxLength: 40 }),
  deletes: fc.array(fc.nat(60), { maxLength: 10 }),
  second: fc.array(vec, { maxLength: 40 }),
  chunk: fc.integer({ min: 1, max: 50 }),
  reuse: fc.boolean(),
});

async function saved(index: SparseIndex): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'trident-sparse-batch-'));
  try {
    await index.saveFiles(dir);
    return readFileSync(join(dir, 'sparse.bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SparseIndex.addBatch = add one by one', () => {
  it('same bytes, statistics, scores and top-k', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const one = SparseIndex.create({ scorer: sc.scorer });
        const batch = SparseIndex.create({ scorer: sc.scorer });
        const firstIds = sc.first.map((_, i) => i);
        sc.first.forEach((v, i) => {
          one.add(firstIds[i]!, v);
        });
        for (let i = 0; i < sc.first.length; i += sc.chunk) batch.addBatch(firstIds.slice(i, i + sc.chunk), sc.first.slice(i, i + sc.chunk));
        for (const d of sc.deletes) {
          expect(batch.delete(d)).toBe(one.delete(d));
        }
        // second wave: fresh ids, or (reuse) the deleted ids first, which makes both paths compact
        const deleted = [...new Set(sc.deletes)].filter((d) => d < sc.first.length);
        const fresh = sc.second.map((_, i) => sc.first.length + i);
        const ids = sc.reuse ? [...deleted, ...fresh].slice(0, sc.second.length) : fresh;
        sc.second.slice(0, ids.length).forEach((v, i) => {
          one.add(ids[i]!, v);
        });
        for (let i = 0; i < ids.length; i += sc.chunk) batch.addBatch(ids.slice(i, i + sc.chunk), sc.second.slice(i, Math.min(i + sc.chunk, ids.length)));
        const { bytes: _a, bytesPerPosting: _b, ...s1 } = one.stats();
        const { bytes: _c, bytesPerPosting: _d, ...s2 } = batch.stats();
        expect(s2).toEqual(s1);
        const q: SparseVector = { ids: Uint32Array.of(0, 3, 7, (1 << 22) - 1, 1 << 22, 0xffffffff), weights: Float32Array.of(1, 2, 1, 1, 3, 1) };
        const all = Uint32Array.from({ length: sc.first.length + sc.second.length }, (_, i) => i);
        expect(Array.from(batch.score(q, all))).toEqual(Array.from(one.score(q, all)));
        const k = Math.max(1, one.size);
        const a = one.search(q, k);
        const b = batch.search(q, k);
        expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
        expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
        expect((await saved(batch)).equals(await saved(one))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a bulk load of scifact-like size keeps every list exact: no slack left after one batch', () => {
    const n = 3000;
    const vecs = Array.from({ length: n }, (_, d) => {
      const ids = [...new Set([d % 97, (d * 7) % 1013, 5000 + (d % 3)])].sort((a, b) => a - b);
      return { ids: Uint32Array.from(ids), weights: Float32Array.from(ids, () => 1 + (d % 3)) };
    });
    const batch = SparseIndex.create({ scorer: 'bm25' });
    batch.addBatch(
      Uint32Array.from({ length: n }, (_, i) => i),
      vecs,
    );
    const one = SparseIndex.create({ scorer: 'bm25' });
    vecs.forEach((v, i) => {
      one.add(i, v);
    });
    expect(batch.stats().postings).toBe(one.stats().postings);
    expect(batch.stats().bytes).toBeLessThanOrEqual(one.stats().bytes);
  });
});
