/**
 * Metadata filters → Qdrant filters. Translates trident's {@link MetadataFilter} object form
 * into a Qdrant `Filter` (must / should / must_not with `match`, `range`, `is_null`) over the
 * payload's `metadata.<field>` keys, with the same meaning as the local `compileFilter`:
 *
 * | trident                     | Qdrant                                                       |
 * |-----------------------------|--------------------------------------------------------------|
 * | entries of one object (AND) | `must: [...]`                                                |
 * | `$and: [f…]`                | `must: [f…]`                                                 |
 * | `$or: [f…]`                 | `{ should: [f…] }` (at least one)                            |
 * | `$not: f`                   | `{ must_not: [f] }`                                          |
 * | `field: 'x'` / int / bool   | `{ key, match: { value } }`                                  |
 * | `field: 2.5` (non-integer)  | `{ key, range: { gte: 2.5, lte: 2.5 } }` (match takes no floats) |
 * | `field: null`               | `{ is_null: { key } }` (present and null, as locally)        |
 * | `{ in: [...] }`             | `{ should: [match any (strings) / any (ints) / value / …] }` |
 * | `{ nin: [...] }`            | `{ must_not: [the `in` condition] }` (a missing field matches, as locally; Qdrant's `except` would not) |
 * | `{ gt, gte, lt, lte }`      | `{ key, range: {…} }` (non-numbers never match, as locally)  |
 *
 * Differences that remain (documented in the README): a payload value that is an array
 * matches Qdrant conditions when any element does, while locally an array equals nothing.
 * Function filters cannot run in Qdrant: UNSUPPORTED. Field names with `.`, `[`, `]` or `"`
 * would be read as JSON paths by Qdrant: INVALID_ARGUMENT. Owns no state.
 */
import { invalid } from '../errors.js';
import { compileFilter } from '../hybrid/filter.js';
import type { FilterValue, MetadataFilter } from '../hybrid/types.js';
import type { QCondition, QFilter } from './schema.js';

/** Payload key under which a document's metadata is stored. */
export const METADATA_KEY = 'metadata';

/**
 * Translates a metadata filter (validated by the same rules as a local search first) into a
 * Qdrant filter.
 *
 * @example
 * ```ts
 * toQdrantFilter({ year: { gte: 2020 }, $not: { draft: true } });
 * // { must: [ { key: 'metadata.year', range: { gte: 2020 } }, { must_not: [ { must: [ { key: 'metadata.draft', match: { value: true } } ] } ] } ] }
 * ```
 */
export function toQdrantFilter(filter: MetadataFilter): QFilter {
  if (typeof filter === 'function') invalid('UNSUPPORTED', 'a function filter cannot run inside Qdrant: give an object filter ({ field: value, $and, $or, $not, in, nin, gt, gte, lt, lte })');
  compileFilter(filter); // same validation (and messages) as a local search
  return objectFilter(filter as Record<string, unknown>);
}

function objectFilter(f: Record<string, unknown>): QFilter {
  const must: QCondition[] = [];
  for (const key of Object.keys(f)) {
    const v = f[key];
    if (key === '$and') must.push(...(v as Record<string, unknown>[]).map(objectFilter));
    else if (key === '$or') must.push({ should: (v as Record<string, unknown>[]).map(objectFilter) });
    else if (key === '$not') must.push({ must_not: [objectFilter(v as Record<string, unknown>)] });
    else must.push(...fieldConditions(key, v));
  }
  return { must };
}

function payloadKey(field: string): string {
  if (/[.[\]"]/.test(field)) invalid('INVALID_ARGUMENT', `filter field '${field}' contains '.', '[', ']' or '"', which Qdrant reads as a JSON path: rename the metadata field`);
  return `${METADATA_KEY}.${field}`;
}

function valueCondition(key: string, v: FilterValue): QCondition {
  if (v === null) return { is_null: { key } };
  if (typeof v === 'number' && !Number.isInteger(v)) return { key, range: { gte: v, lte: v } };
  return { key, match: { value: v } };
}

function fieldConditions(field: string, cond: unknown): QCondition[] {
  const key = payloadKey(field);
  if (cond === null || typeof cond !== 'object') return [valueCondition(key, cond as FilterValue)];
  const c = cond as { in?: FilterValue[]; nin?: FilterValue[]; gt?: number; gte?: number; lt?: number; lte?: number };
  const out: QCondition[] = [];
  if (c.in) out.push(inCondition(key, c.in));
  if (c.nin) out.push({ must_not: [inCondition(key, c.nin)] });
  if (c.gt !== undefined || c.gte !== undefined || c.lt !== undefined || c.lte !== undefined) {
    out.push({ key, range: { ...(c.gt !== undefined ? { gt: c.gt } : {}), ...(c.gte !== undefined ? { gte: c.gte } : {}), ...(c.lt !== undefined ? { lt: c.lt } : {}), ...(c.lte !== undefined ? { lte: c.lte } : {}) } });
  }
  return out;
}

/** "One of": `match.any` takes only strings or only integers; other values get their own condition. */
function inCondition(key: string, values: readonly FilterValue[]): QFilter {
  const strings = [...new Set(values.filter((v): v is string => typeof v === 'string'))];
  const ints = [...new Set(values.filter((v): v is number => typeof v === 'number' && Number.isInteger(v)))];
  const should: QCondition[] = [];
  if (strings.length > 0) should.push({ key, match: { any: strings } });
  if (ints.length > 0) should.push({ key, match: { any: ints } });
  const rest = [...new Set(values.filter((v) => !(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))))];
  for (const v of rest) should.push(valueCondition(key, v));
  // An empty `should` in Qdrant matches everything; an empty `in` locally matches nothing:
  // "is empty and is not empty" is false for every point.
  if (should.length === 0) return { must: [{ is_empty: { key } }, { must_not: [{ is_empty: { key } }] }] };
  return { should };
}
