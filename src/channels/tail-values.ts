/**
 * The values of a segmented channel's tail (documents added since the last save), by internal
 * id: what the next save writes into a segment and what the tail's exact sparse scoring reads.
 * Usually a Map of the values as added. A tail adopted from a default-storage channel (an index
 * converted to `storage: 'segments'`, see {@link SegmentedChannel.adopt}) reads its documents'
 * values from that channel's store on demand instead of holding a decoded copy of every vector
 * until the save.
 */

/** The operations a segmented channel uses on its tail's values. */
export interface TailValues {
  readonly size: number;
  get(id: number): unknown;
  set(id: number, value: unknown): void;
  delete(id: number): void;
  keys(): IterableIterator<number>;
  clear(): void;
}

/**
 * The values of an adopted store's live documents, decoded on demand (`decode(id)`), plus the
 * values added after the adoption.
 *
 * @example
 * ```ts
 * const v = new AdoptedValues(store.ids(), (id) => store.vector(id));
 * v.get(3); // decoded from the store
 * ```
 */
export class AdoptedValues implements TailValues {
  readonly #adopted: Set<number>;
  readonly #decode: (id: number) => unknown;
  readonly #added = new Map<number, unknown>();

  constructor(ids: Iterable<number>, decode: (id: number) => unknown) {
    this.#adopted = new Set(ids);
    this.#decode = decode;
  }

  get size(): number {
    return this.#adopted.size + this.#added.size;
  }
  get(id: number): unknown {
    if (this.#added.has(id)) return this.#added.get(id);
    return this.#adopted.has(id) ? this.#decode(id) : undefined;
  }
  set(id: number, value: unknown): void {
    this.#adopted.delete(id);
    this.#added.set(id, value);
  }
  delete(id: number): void {
    this.#adopted.delete(id);
    this.#added.delete(id);
  }
  *keys(): IterableIterator<number> {
    yield* this.#adopted;
    yield* this.#added.keys();
  }
  clear(): void {
    this.#adopted.clear();
    this.#added.clear();
  }
}
