import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenseIndex } from '../../src/dense/index.js';

const value = fc.float({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });

type Op = { kind: 'add' | 'update' | 'remove'; id: number; v: number[] };

const scenario = fc.integer({ min: 1, max: 8 }).chain((dim) =>
  fc.record({
    dim: fc.constant(dim),
    dtypes: fc.constantFrom(['f32', 'f32'] as const, ['f16', 'f16'] as const, ['i8', 'f16'] as const, ['f16', 'i8'] as const),
    ops: fc.array(
      fc.record({
        kind: fc.constantFrom('add' as const, 'add' as const, 'update' as const, 'remove' as const),
        id: fc.integer({ min: 0, max: 30 }),
        v: fc.array(value, { minLength: dim, maxLength: dim }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    query: fc.array(value, { minLength: dim, maxLength: dim }),
    k: fc.integer({ min: 1, max: 40 }),
    modulus: fc.integer({ min: 1, max: 5 }),
  }),
);

const nonZero = (v: number[]): boolean => v.some((x) => x !== 0);

describe('DenseIndex properties', () => {
  it('after any add/update/remove sequence, the oracle matches a float64 model and HNSW with k >= size returns everything', () => {
    fc.assert(
      fc.property(scenario, ({ dim, dtypes, ops, query, k, modulus }) => {
        const index = DenseIndex.create({ dimensions: dim, dtype: dtypes[0], rowDtype: dtypes[1] });
        const model = new Set<number>();
        for (const op of ops as Op[]) {
          if (op.kind === 'remove') {
            expect(index.remove(op.id)).toBe(model.delete(op.id));
            continue;
          }
          const shouldWork = nonZero(op.v) && (op.kind === 'add' ? !model.has(op.id) : model.has(op.id));
          let ok = true;
          try {
            if (op.kind === 'add') index.add(op.id, op.v);
            else index.update(op.id, op.v);
          } catch {
            ok = false;
          }
          expect(ok).toBe(shouldWork);
          if (ok) model.add(op.id);
        }
        expect(index.size).toBe(model.size);
        const q = Float32Array.from(query);
        // Oracle in float64 over the stored rows, ties by lower id.
        const all = [...model].map((id) => {
          const v = index.vector(id);
          let s = 0;
          for (let i = 0; i < dim; i++) s += q[i]! * v[i]!;
          return { id, s };
        });
        const exact = index.searchExact(q, k);
        expect(exact.ids.length).toBe(Math.min(k, model.size));
        const chosen = new Set(exact.ids);
        // Exact scores: i8 rows are scored with a quantised query, hence the looser bound.
        const tol = dtypes[1] === 'i8' ? 2e-2 : 1e-5;
        const byId = new Map(all.map((x) => [x.id, x.s]));
        exact.ids.forEach((id, i) => {
          expect(Math.abs(exact.scores[i]! - byId.get(id)!)).toBeLessThanOrEqual(tol);
        });
        for (const id of exact.ids) for (const o of all) if (!chosen.has(o.id)) expect(byId.get(id)!).toBeGreaterThanOrEqual(o.s - 2 * tol);
        // Graph search asked for at least the whole collection returns all of it, same scores as the oracle.
        const big = index.search(q, Math.max(k, model.size), { exact: false });
        expect([...big.ids].sort((a, b) => a - b)).toEqual([...model].sort((a, b) => a - b));
        const full = index.searchExact(q, Math.max(k, model.size));
        expect(Array.from(big.ids)).toEqual(Array.from(full.ids));
        expect(Array.from(big.scores)).toEqual(Array.from(full.scores));
        // Filtered search returns exactly the passing ids when k covers them all.
        const filter = (id: number): boolean => id % modulus === 0;
        const f = index.search(q, 64, { filter, exact: false });
        expect([...f.ids].sort((a, b) => a - b)).toEqual([...model].filter(filter).sort((a, b) => a - b));
      }),
      { numRuns: 150 },
    );
  });

  const root = mkdtempSync(join(tmpdir(), 'trident-dense-prop-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('saveFiles ∘ openFiles is the identity (rows, search and exact results)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ dim, dtypes, ops, query, k }) => {
        const a = DenseIndex.create({ dimensions: dim, dtype: dtypes[0], rowDtype: dtypes[1] });
        for (const op of ops as Op[]) {
          try {
            if (op.kind === 'add') a.add(op.id, op.v);
            else if (op.kind === 'update') a.update(op.id, op.v);
            else a.remove(op.id);
          } catch {
            // rejected operations change nothing (checked by the property above)
          }
        }
        const dir = mkdtempSync(join(root, 'p-'));
        await a.saveFiles(dir);
        const b = await DenseIndex.openFiles(dir);
        expect(b.size).toBe(a.size);
        expect(b.settings).toEqual(a.settings);
        const q = Float32Array.from(query);
        for (const [x, y] of [
          [a.searchExact(q, k), b.searchExact(q, k)],
          [a.search(q, k, { exact: false }), b.search(q, k, { exact: false })],
        ] as const) {
          expect(Array.from(y.ids)).toEqual(Array.from(x.ids));
          expect(Array.from(y.scores)).toEqual(Array.from(x.scores));
        }
        for (const id of a.searchExact(q, Math.max(1, a.size)).ids) expect(Array.from(b.vector(id))).toEqual(Array.from(a.vector(id)));
      }),
      { numRuns: 30 },
    );
  });
});
