/**
 * Metadata filters: compiles a {@link MetadataFilter} into a predicate over a document's
 * metadata. Fields are looked up as own properties only (never `constructor`, `toString` or
 * other prototype keys); a malformed filter is INVALID_ARGUMENT when compiled, before any
 * document is scored. Owns no state.
 */
import { InvalidArgumentError, TridentError, invalid } from '../errors.js';
import type { ExternalId } from '../store/index.js';
import type { FieldCondition, FilterValue, MetadataFilter } from './types.js';

type Pred = (m: Record<string, unknown>) => boolean;
const RANGE_OPS = ['gt', 'gte', 'lt', 'lte'] as const;
const FIELD_OPS = new Set<string>(['in', 'nin', ...RANGE_OPS]);

const own = (m: Record<string, unknown>, field: string): unknown => (Object.hasOwn(m, field) ? m[field] : undefined);
const isValue = (v: unknown): v is FilterValue => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v));
const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
};

/**
 * Compiles a metadata filter into a predicate.
 *
 * An object filter ANDs its entries. A field entry matches by equality with a string, number,
 * boolean or null; by `{ in: [...] }` / `{ nin: [...] }` (one of / none of); or by a numeric
 * range `{ gt, gte, lt, lte }` (non-numbers never match a range); operators of one field AND
 * together. Boolean entries (Qdrant's must / should / must_not): `$and: [filters]` (all),
 * `$or: [filters]` (at least one; must not be empty), `$not: filter` (must not match).
 * A field missing from a document's metadata matches nothing but `$not` and `nin`. A function
 * filter is called as it is; if it throws, the search fails with INVALID_ARGUMENT whose
 * `cause` is the thrown value.
 *
 * @example
 * ```ts
 * const f = compileFilter({ year: { gte: 2020 }, $or: [{ lang: 'en' }, { lang: 'de' }], $not: { draft: true } });
 * f({ year: 2021, lang: 'en' }, 'd1'); // true
 * ```
 */
export function compileFilter(filter: MetadataFilter): (metadata: Record<string, unknown> | undefined, id: ExternalId) => boolean {
  if (typeof filter === 'function') {
    return (metadata, id) => {
      try {
        return Boolean(filter(metadata, id));
      } catch (e) {
        if (e instanceof TridentError) throw e;
        throw new InvalidArgumentError('INVALID_ARGUMENT', `the filter function threw on document ${JSON.stringify(id)}: ${(e as Error)?.message ?? String(e)} (see cause)`, { cause: e });
      }
    };
  }
  const pred = compileObject(filter, 'filter');
  return (metadata) => pred(metadata ?? {});
}

function compileObject(filter: unknown, at: string): Pred {
  if (!isPlain(filter)) invalid('INVALID_ARGUMENT', `${at} must be a plain object of field conditions (or $and / $or / $not), got ${describe(filter)}`);
  const checks: Pred[] = [];
  for (const key of Object.keys(filter)) {
    const v = filter[key];
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(v)) invalid('INVALID_ARGUMENT', `${at}.${key} must be an array of filters`);
      if (key === '$or' && v.length === 0) invalid('INVALID_ARGUMENT', `${at}.$or is empty: it would match nothing; give at least one filter`);
      const parts = v.map((f, i) => compileObject(f, `${at}.${key}[${i}]`));
      checks.push(key === '$and' ? (m) => parts.every((p) => p(m)) : (m) => parts.some((p) => p(m)));
    } else if (key === '$not') {
      const inner = compileObject(v, `${at}.$not`);
      checks.push((m) => !inner(m));
    } else if (key.startsWith('$')) {
      invalid('INVALID_ARGUMENT', `${at}: unknown operator '${key}' (use $and, $or, $not, or a field name)`);
    } else checks.push(compileField(key, v as FieldCondition, `${at}.${key}`));
  }
  return (m) => {
    for (const c of checks) if (!c(m)) return false;
    return true;
  };
}

function compileField(field: string, cond: FieldCondition, at: string): Pred {
  if (isValue(cond)) return (m) => own(m, field) === cond && (cond !== null || Object.hasOwn(m, field));
  if (!isPlain(cond)) invalid('INVALID_ARGUMENT', `${at} is ${describe(cond)}: use a string, number, boolean or null, or an operator object { in, nin, gt, gte, lt, lte }`);
  const ops = Object.keys(cond);
  if (ops.length === 0) invalid('INVALID_ARGUMENT', `${at} is an empty operator object: give at least one of in, nin, gt, gte, lt, lte (or a plain value for equality)`);
  for (const op of ops) if (!FIELD_OPS.has(op)) invalid('INVALID_ARGUMENT', `${at}: unknown operator '${op}' (use in, nin, gt, gte, lt, lte or a plain value)`);
  const c = cond as Record<string, unknown>;
  const checks: Pred[] = [];
  for (const op of ['in', 'nin'] as const) {
    if (!(op in c)) continue;
    const list = c[op];
    if (!Array.isArray(list) || !list.every(isValue)) invalid('INVALID_ARGUMENT', `${at}.${op} must be an array of strings, numbers, booleans or null`);
    const set = new Set<unknown>(list);
    checks.push(op === 'in' ? (m) => Object.hasOwn(m, field) && set.has(m[field]) : (m) => !(Object.hasOwn(m, field) && set.has(m[field])));
  }
  const range = RANGE_OPS.filter((op) => op in c);
  for (const op of range) if (typeof c[op] !== 'number' || Number.isNaN(c[op])) invalid('INVALID_ARGUMENT', `${at}.${op} needs a number, got ${describe(c[op])}`);
  if (range.length > 0) {
    const { gt, gte, lt, lte } = c as { gt?: number; gte?: number; lt?: number; lte?: number };
    checks.push((m) => {
      const v = own(m, field);
      if (typeof v !== 'number') return false;
      return (gt === undefined || v > gt) && (gte === undefined || v >= gte) && (lt === undefined || v < lt) && (lte === undefined || v <= lte);
    });
  }
  return (m) => {
    for (const ch of checks) if (!ch(m)) return false;
    return true;
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return `a function (${(v as { name?: string }).name || 'anonymous'})`;
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'non-plain'} object`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}
