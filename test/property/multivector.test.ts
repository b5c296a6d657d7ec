import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MultiVectorStore, type MultiVector } from '../../src/multivector/index.js';

/** Float64 MaxSim over the store's own (dequantised) vectors: mean of per-query maxima. */
function maxsim64(q: MultiVector, d: MultiVector): number {
  if (q.count === 0 || d.count === 0) return 0;
  let total = 0;
  for (let i = 0; i < q.count; i++) {
    let best = -Infinity;
    for (let j = 0; j < d.count; j++) {
      let s = 0;
      for (let k = 0; k < q.dim; k++) s += q.data[i * q.dim + k]! * d.data[j * q.dim + k]!;
      best = Math.max(best, s);
    }
    total += best;
  }
  return total / q.count;
}

const value = fc.float({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });

function multiVector(dim: number, minCount: number, maxCount: number, nonZero: boolean): fc.Arbitrary<MultiVector> {
  return fc.integer({ min: minCount, max: maxCount }).chain((count) =>
    fc.array(value, { minLength: count * dim, maxLength: count * dim }).map((vals) => {
      const data = Float32Array.from(vals);
      if (nonZero) {
        for (let v = 0; v < count; v++) {
          let zero = true;
          for (let k = 0; k < dim; k++) if (data[v * dim + k] !== 0) zero = false;
          if (zero) data[v * dim] = 1; // zero vectors are rejected by design
        }
      }
      return { data, dim, count };
    }),
  );
}

const scenario = fc.integer({ min: 1, max: 8 }).chain((dim) =>
  fc.record({
    dim: fc.constant(dim),
    dtype: fc.constantFrom('f32' as const, 'f16' as const),
    pool: fc.constantFrom(1 as const, 2 as const),
    docs: fc.array(multiVector(dim, 0, 6, true), { minLength: 1, maxLength: 12 }),
    query: multiVector(dim, 0, 5, false),
    removeMask: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    k: fc.integer({ min: 1, max: 15 }),
  }),
);

describe('MultiVectorStore properties', () => {
  it('score() and searchExhaustive() agree with a float64 MaxSim over the stored vectors', () => {
    fc.assert(
      fc.property(scenario, ({ dim, dtype, pool, docs, query, removeMask, k }) => {
        const s = MultiVectorStore.create({ dim, dtype, poolFactor: pool });
        docs.forEach((d, i) => {
          s.add(i * 5 + 1, d);
        });
        docs.forEach((_, i) => {
          if (removeMask[i]) s.remove(i * 5 + 1);
        });
        if (removeMask.some(Boolean)) s.compact();
        const live = docs.map((_, i) => i * 5 + 1).filter((id) => s.has(id));
        const oracle = new Map(live.map((id) => [id, maxsim64(query, s.get(id))]));
        const scores = s.score(query, Uint32Array.from(live));
        live.forEach((id, i) => {
          expect(Math.abs(scores[i]! - oracle.get(id)!)).toBeLessThanOrEqual(1e-5);
        });
        const top = s.searchExhaustive(query, k);
        expect(top.ids.length).toBe(Math.min(k, live.length));
        const chosen = new Set(top.ids);
        // Every returned document beats every other one in the float64 oracle (up to rounding).
        for (const id of top.ids) for (const other of live) if (!chosen.has(other)) expect(oracle.get(id)!).toBeGreaterThanOrEqual(oracle.get(other)! - 1e-5);
        for (let i = 1; i < top.ids.length; i++) {
          expect(top.scores[i - 1]! > top.scores[i]! || (top.scores[i - 1] === top.scores[i] && top.ids[i - 1]! < top.ids[i]!)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('pooling never leaves more than ceil(n / factor) vectors per document and keeps first-member token ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((dim) => fc.tuple(fc.constant(dim), multiVector(dim, 0, 30, true), fc.constantFrom(2 as const, 3 as const))),
        ([dim, doc, factor]) => {
          const tokenIds = Uint32Array.from({ length: doc.count }, (_, i) => 1000 + i);
          const s = MultiVectorStore.create({ dim, dtype: 'f32', poolFactor: factor });
          s.add(0, { ...doc, tokenIds });
          const got = s.get(0);
          expect(got.count).toBe(Math.ceil(doc.count / factor));
          // Each pooled vector keeps the id of its first member: ids stay increasing and the first token survives.
          const ids = Array.from(got.tokenIds!);
          if (doc.count > 0) expect(ids[0]).toBe(1000);
          for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
        },
      ),
      { numRuns: 100 },
    );
  });

  const root = mkdtempSync(join(tmpdir(), 'trident-mv-prop-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('saveFiles ∘ openFiles is the identity (documents, token ids, scores)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.constantFrom('f32' as const, 'f16' as const, 'i8' as const), async ({ dim, pool, docs, query, removeMask }, dtype) => {
        const s = MultiVectorStore.create({ dim, dtype, poolFactor: pool });
        docs.forEach((d, i) => {
          s.add(i * 5 + 1, { ...d, tokenIds: Uint32Array.from({ length: d.count }, (_, j) => i * 100 + j) });
        });
        docs.forEach((_, i) => {
          if (removeMask[i]) s.remove(i * 5 + 1);
        });
        const dir = mkdtempSync(join(root, 'p-'));
        await s.saveFiles(dir);
        const t = await MultiVectorStore.openFiles(dir);
        expect(t.size).toBe(s.size);
        const live = docs.map((_, i) => i * 5 + 1).filter((id) => s.has(id));
        for (const id of live) expect(t.get(id)).toEqual(s.get(id));
        expect(Array.from(t.score(query, live))).toEqual(Array.from(s.score(query, live)));
        expect(t.stats().vectors).toBe(s.stats().vectors);
      }),
      { numRuns: 30 },
    );
  });
});
