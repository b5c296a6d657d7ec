import { invalid } from '../errors.js';
import type { ExternalId } from '../store/index.js';
import type { MetadataFilter } from './types.js';

/**
 * Compiles a metadata filter into a predicate. Object filters AND their fields; a field
 * matches by equality, by `{ in: [...] }`, or by a numeric range `{ gt, gte, lt, lte }`
 * (non-numbers never match a range). A function filter is used as it is.
 *
 * @example
 * ```ts
 * compileFilter({ year: { gte: 2020 }, lang: { in: ['en', 'de'] } })({ year: 2021, lang: 'en' }, 'd1'); // true
 * ```
 */
export function compileFilter(filter: MetadataFilter): (metadata: Record<string, unknown> | undefined, id: ExternalId) => boolean {
  if (typeof filter === 'function') return filter;
  if (!filter || typeof filter !== 'object') invalid('INVALID_ARGUMENT', 'filter must be an object of field conditions or a function');
  const checks = Object.entries(filter).map(([field, cond]) => {
    if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
      const c = cond as Record<string, unknown>;
      if ('in' in c) {
        if (!Array.isArray(c['in'])) invalid('INVALID_ARGUMENT', `filter on '${field}': 'in' must be an array`);
        const set = new Set(c['in'] as unknown[]);
        return (m: Record<string, unknown>) => set.has(m[field]);
      }
      const ops = Object.keys(c);
      for (const op of ops) if (!['gt', 'gte', 'lt', 'lte'].includes(op)) invalid('INVALID_ARGUMENT', `filter on '${field}': unknown operator '${op}' (use in, gt, gte, lt, lte or a plain value)`);
      for (const op of ops) if (typeof c[op] !== 'number') invalid('INVALID_ARGUMENT', `filter on '${field}': '${op}' needs a number`);
      const { gt, gte, lt, lte } = c as { gt?: number; gte?: number; lt?: number; lte?: number };
      return (m: Record<string, unknown>) => {
        const v = m[field];
        if (typeof v !== 'number') return false;
        return (gt === undefined || v > gt) && (gte === undefined || v >= gte) && (lt === undefined || v < lt) && (lte === undefined || v <= lte);
      };
    }
    return (m: Record<string, unknown>) => m[field] === cond;
  });
  return (metadata) => {
    const m = metadata ?? {};
    for (const c of checks) if (!c(m)) return false;
    return true;
  };
}
