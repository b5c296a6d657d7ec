import { invalid, StorageError } from '../errors.js';

/** A document id as users give it. Strings and numbers are distinct ids ('1' ≠ 1). */
export type ExternalId = string | number;

/**
 * Maps external ids to dense internal u32 ids shared by the dense, sparse and multi-vector
 * stores. Internal ids are never reused: a deleted id leaves a hole (tombstone) that the
 * stores compact away; the map keeps `null` in its place.
 *
 * @example
 * ```ts
 * const ids = new IdMap(); const n = ids.assign('doc-1'); ids.internal('doc-1') === n;
 * ```
 */
export class IdMap {
  #toInternal = new Map<ExternalId, number>();
  #external: (ExternalId | null)[] = [];

  /** Number of live ids. */
  get size(): number {
    return this.#toInternal.size;
  }
  /** The next internal id to be assigned (= number of slots, live or deleted). */
  get capacity(): number {
    return this.#external.length;
  }
  /** Assigns the next internal id; throws DUPLICATE_ID if the id is live. */
  assign(id: ExternalId): number {
    checkId(id);
    if (this.#toInternal.has(id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(id)} already exists; delete it first or use a new id`);
    const n = this.#external.length;
    this.#external.push(id);
    this.#toInternal.set(id, n);
    return n;
  }
  internal(id: ExternalId): number | undefined {
    return this.#toInternal.get(id);
  }
  has(id: ExternalId): boolean {
    return this.#toInternal.has(id);
  }
  external(internal: number): ExternalId | undefined {
    return this.#external[internal] ?? undefined;
  }
  isLive(internal: number): boolean {
    return this.#external[internal] != null;
  }
  /** Removes a live id and returns its internal id (undefined if unknown). */
  delete(id: ExternalId): number | undefined {
    const n = this.#toInternal.get(id);
    if (n === undefined) return undefined;
    this.#toInternal.delete(id);
    this.#external[n] = null;
    return n;
  }
  /** Live internal ids in ascending order. */
  liveInternalIds(): Uint32Array {
    const out = new Uint32Array(this.#toInternal.size);
    let j = 0;
    for (let i = 0; i < this.#external.length; i++) if (this.#external[i] != null) out[j++] = i;
    return out;
  }
  toJSON(): (ExternalId | null)[] {
    return this.#external.slice();
  }
  static fromJSON(slots: unknown, file = 'ids.json'): IdMap {
    if (!Array.isArray(slots)) throw new StorageError('CORRUPT_FILE', `${file} is not an id list`, { file });
    const m = new IdMap();
    for (const s of slots) {
      if (s !== null && typeof s !== 'string' && typeof s !== 'number') throw new StorageError('CORRUPT_FILE', `${file} holds a non-id value`, { file });
      m.#external.push(s);
      if (s !== null) {
        if (m.#toInternal.has(s)) throw new StorageError('CORRUPT_FILE', `${file} lists id ${JSON.stringify(s)} twice`, { file });
        m.#toInternal.set(s, m.#external.length - 1);
      }
    }
    return m;
  }
}

/** Throws INVALID_ARGUMENT unless id is a non-empty string or a finite number. */
export function checkId(id: unknown): asserts id is ExternalId {
  if (typeof id === 'string') {
    if (id.length === 0) invalid('INVALID_ARGUMENT', 'document id must not be the empty string');
    return;
  }
  if (typeof id === 'number' && Number.isFinite(id)) return;
  invalid('INVALID_ARGUMENT', `document id ${String(id)} must be a non-empty string or a finite number`);
}
