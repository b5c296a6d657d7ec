/**
 * The filter translation keeps the local meaning: for random metadata and random filters,
 * `compileFilter` (the local predicate) and the translated Qdrant filter, evaluated by the
 * rules Qdrant documents for each condition (docs "Filtering": must = all, should = at least
 * one, must_not = none; match value / any = equality with the value or one of them; range on
 * numbers; is_null = the key is present with null; is_empty = missing, null or []), agree.
 * This interpreter checks the translation, not Qdrant: the live suite does that.
 * Scalar metadata only (arrays are a documented difference: Qdrant matches any element).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter, type FilterObject, type FilterValue } from '../../src/hybrid/index.js';
import { toQdrantFilter } from '../../src/qdrant/filter.js';

type Json = Record<string, unknown>;
const get = (p: Json, key: string): { has: boolean; v: unknown } => {
  const [root, field] = key.split('.') as [string, string];
  const m = p[root] as Json | undefined;
  return m && Object.hasOwn(m, field) ? { has: true, v: m[field] } : { has: false, v: undefined };
};
function cond(c: Json, p: Json): boolean {
  if ('must' in c || 'should' in c || 'must_not' in c) return filter(c, p);
  if ('is_null' in c) {
    const g = get(p, (c.is_null as { key: string }).key);
    return g.has && g.v === null;
  }
  if ('is_empty' in c) {
    const g = get(p, (c.is_empty as { key: string }).key);
    return !g.has || g.v === null || (Array.isArray(g.v) && g.v.length === 0);
  }
  const g = get(p, c.key as string);
  if (c.match) {
    const m = c.match as { value?: unknown; any?: unknown[] };
    if (!g.has) return false;
    if ('value' in m) return g.v === m.value;
    return m.any!.includes(g.v);
  }
  const r = c.range as { gt?: number; gte?: number; lt?: number; lte?: number };
  if (typeof g.v !== 'number') return false;
  return (r.gt === undefined || g.v > r.gt) && (r.gte === undefined || g.v >= r.gte) && (r.lt === undefined || g.v < r.lt) && (r.lte === undefined || g.v <= r.lte);
}
function filter(f: Json, p: Json): boolean {
  const list = (k: string) => (f[k] === undefined ? [] : (f[k] as Json[]));
  return list('must').every((c) => cond(c, p)) && (list('should').length === 0 || list('should').some((c) => cond(c, p))) && !list('must_not').some((c) => cond(c, p));
}

const FIELDS = ['a', 'b', 'c'];
const value: fc.Arbitrary<FilterValue> = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -1.5, 2.25), fc.constantFrom('x', 'y', 'z'), fc.boolean(), fc.constant(null));
const metadata = fc.record({ a: value, b: value, c: value }, { requiredKeys: [] });
const fieldCond = fc.oneof(
  value,
  fc.record({ in: fc.array(value, { maxLength: 4 }) }),
  fc.record({ nin: fc.array(value, { maxLength: 4 }) }),
  fc.record({ gt: fc.integer({ min: -3, max: 3 }), lte: fc.constantFrom(0.5, 2, 3) }, { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0),
);
const filterArb: fc.Arbitrary<FilterObject> = fc.letrec<{ f: FilterObject }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.dictionary(fc.constantFrom(...FIELDS), fieldCond, { minKeys: 1, maxKeys: 2 }) as fc.Arbitrary<FilterObject>,
    fc.record({ $and: fc.array(tie('f'), { maxLength: 2 }) }) as fc.Arbitrary<FilterObject>,
    fc.record({ $or: fc.array(tie('f'), { minLength: 1, maxLength: 2 }) }) as fc.Arbitrary<FilterObject>,
    fc.record({ $not: tie('f') }) as fc.Arbitrary<FilterObject>,
  ),
})).f;

describe('toQdrantFilter', () => {
  it('agrees with the local compileFilter on random metadata and filters', () => {
    fc.assert(
      fc.property(filterArb, fc.array(metadata, { minLength: 1, maxLength: 8 }), (f, docs) => {
        const local = compileFilter(f);
        const q = toQdrantFilter(f) as Json;
        for (const m of docs) expect(filter(q, { metadata: m })).toBe(local(m as Record<string, unknown>, 'id'));
      }),
      { numRuns: 3000, seed: 18 },
    );
  });
  it('named regressions: nin matches a missing field, null equality needs the field, an empty in matches nothing', () => {
    const cases: Array<[FilterObject, Json, boolean]> = [
      [{ a: { nin: ['x'] } }, {}, true],
      [{ a: null }, {}, false],
      [{ a: null }, { a: null }, true],
      [{ a: { in: [] } }, { a: 1 }, false],
      [{ a: 2.25 }, { a: 2.25 }, true],
      [{ a: { in: [0.5, 'x', null] } }, { a: null }, true],
    ];
    for (const [f, m, want] of cases) {
      expect(compileFilter(f)(m, 'id')).toBe(want);
      expect(filter(toQdrantFilter(f) as Json, { metadata: m })).toBe(want);
    }
  });
});
