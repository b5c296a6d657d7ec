/**
 * Document metadata validation: what `add`/`update` accept is exactly what `save()` and the
 * write-ahead log can store and give back unchanged. Owns no state.
 */
import { invalid } from '../errors.js';
import type { ExternalId } from '../store/index.js';

/** Largest metadata object per document, in bytes of its JSON form (UTF-8): 1 MiB. */
export const MAX_METADATA_BYTES = 1 << 20;
/** Deepest nesting of objects and arrays inside one document's metadata. */
export const MAX_METADATA_DEPTH = 32;

/**
 * Checks one document's metadata and returns the copy the index keeps (later changes to the
 * caller's object do not reach the index). Metadata must be a plain object whose values are,
 * recursively, `null`, booleans, finite numbers, strings, arrays or plain objects (JSON
 * values that survive save/open unchanged), at most {@link MAX_METADATA_DEPTH} levels deep
 * and {@link MAX_METADATA_BYTES} bytes as JSON. Anything else (BigInt, functions, symbols,
 * `undefined` values, NaN/Infinity, Dates, Maps, class instances, cycles) is an
 * INVALID_ARGUMENT naming the document and the path of the bad value.
 *
 * @example
 * ```ts
 * canonicalMetadata('d1', { year: 2021, tags: ['a'] }); // { year: 2021, tags: ['a'] }
 * canonicalMetadata('d1', { n: 1n });                   // throws INVALID_ARGUMENT (metadata.n is a bigint)
 * ```
 */
export function canonicalMetadata(id: ExternalId, metadata: unknown): Record<string, unknown> | undefined {
  if (metadata === undefined) return undefined;
  const where = `document ${JSON.stringify(id)}`;
  if (!isPlain(metadata)) invalid('INVALID_ARGUMENT', `${where}: metadata must be a plain object (got ${describe(metadata)})`);
  const seen = new Set<object>();
  const walk = (v: unknown, at: string, depth: number): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) invalid('INVALID_ARGUMENT', `${where}: ${at} is ${v}; metadata numbers must be finite (JSON cannot store it)`);
      return;
    }
    if (typeof v !== 'object') invalid('INVALID_ARGUMENT', `${where}: ${at} is a ${typeof v}; metadata values must be JSON values (null, boolean, finite number, string, array, plain object)`);
    if (depth > MAX_METADATA_DEPTH) invalid('INVALID_ARGUMENT', `${where}: ${at} is nested deeper than ${MAX_METADATA_DEPTH} levels`);
    if (seen.has(v)) invalid('INVALID_ARGUMENT', `${where}: ${at} refers back to an enclosing value (a cycle); metadata must be a tree`);
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) invalid('INVALID_ARGUMENT', `${where}: ${at}[${i}] is a hole in a sparse array`);
        walk(v[i], `${at}[${i}]`, depth + 1);
      }
    } else {
      if (!isPlain(v)) invalid('INVALID_ARGUMENT', `${where}: ${at} is ${describe(v)}; metadata objects must be plain objects`);
      if (Object.getOwnPropertySymbols(v).length > 0) invalid('INVALID_ARGUMENT', `${where}: ${at} has symbol keys, which JSON cannot store`);
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${at}.${k}`, depth + 1);
    }
    seen.delete(v);
  };
  walk(metadata, 'metadata', 1);
  const json = JSON.stringify(metadata);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_METADATA_BYTES) invalid('INVALID_ARGUMENT', `${where}: metadata is ${bytes} bytes as JSON; the limit is ${MAX_METADATA_BYTES} (keep large payloads outside the index and store a reference)`);
  return JSON.parse(json) as Record<string, unknown>;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'non-plain'} object`;
  return `a ${typeof v}`;
}
