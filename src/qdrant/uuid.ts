/**
 * Point ids for Qdrant: UUIDv5 (RFC 9562 §5.5, formerly RFC 4122 §4.3) of the external id,
 * so writing the same document twice addresses the same point (idempotent upserts and
 * deletes). Pure; uses node:crypto's SHA-1 only.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors.js';
import type { ExternalId } from '../store/index.js';

/** RFC 9562 namespace ids (Appendix A: Namespace ID values). */
export const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** RFC 9562 URL namespace. */
export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/**
 * trident's namespace for point ids: uuid5(NAMESPACE_URL, 'https://trident.dev/qdrant/point-id')
 * (fixed forever: changing it would orphan every point already written).
 */
export const TRIDENT_POINT_NAMESPACE = '864b6c70-855a-5d49-8a5b-b4828dc9b2b2';

function parseUuid(u: string): Buffer {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(u)) invalid('INVALID_ARGUMENT', `'${u}' is not a UUID (8-4-4-4-12 hex digits)`);
  return Buffer.from(u.replace(/-/g, ''), 'hex');
}

/**
 * UUID version 5: SHA-1 of the namespace's 16 bytes followed by the name's UTF-8 bytes; the
 * first 16 bytes of the digest with the version nibble set to 5 and the variant bits to 10.
 * Equal to Python's `uuid.uuid5(namespace, name)`.
 *
 * @example
 * ```ts
 * uuidV5('www.example.com', NAMESPACE_DNS); // '2ed6657d-e927-568b-95e1-2665a8aea6a2'
 * ```
 */
export function uuidV5(name: string, namespace: string): string {
  const h = createHash('sha1').update(parseUuid(namespace)).update(Buffer.from(name, 'utf8')).digest();
  const b = h.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The Qdrant point id of an external id: uuid5 in {@link TRIDENT_POINT_NAMESPACE} of
 * `s:<string>` or `n:<number>` (so the string '1' and the number 1 stay distinct, as they are
 * in a local index).
 *
 * @example
 * ```ts
 * pointId('doc-1'); // the same UUID on every machine and every run
 * ```
 */
export function pointId(id: ExternalId): string {
  if (typeof id === 'string' && id.length > 0) return uuidV5(`s:${id}`, TRIDENT_POINT_NAMESPACE);
  if (typeof id === 'number' && Number.isFinite(id)) return uuidV5(`n:${String(id)}`, TRIDENT_POINT_NAMESPACE);
  return invalid('INVALID_ARGUMENT', `document id ${String(id)} must be a non-empty string or a finite number`);
}
