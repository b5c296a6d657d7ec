/**
 * What the vector channels (dense, sparse, multi-vector) share: their spec and store,
 * membership and removal, where a unit's or a query's raw value comes from (the encoder's
 * output of the channel's kind, or the caller's vector named after the channel), and saving
 * the store's files. Each kind adds how a raw value is read and checked, and how it searches.
 */
import * as path from 'node:path';
import type { Owner } from './vector-input.js';
import type { DenseChannelSpec, MultiVectorChannelSpec, QuerySource, SaveIO, SparseChannelSpec, UnitSource } from './types.js';

/** The store operations every vector channel uses. */
export interface ChannelStore {
  readonly size: number;
  has(id: number): boolean;
  remove(id: number): boolean;
  saveFiles(dir: string): Promise<string[]>;
}

export abstract class StoreChannel<S extends ChannelStore, Spec extends DenseChannelSpec | SparseChannelSpec | MultiVectorChannelSpec, V> {
  readonly spec: Spec;
  readonly store: S;

  constructor(spec: Spec, store: S) {
    this.spec = spec;
    this.store = store;
  }

  get name(): string {
    return this.spec.name;
  }
  get size(): number {
    return this.store.size;
  }
  has(id: number): boolean {
    return this.store.has(id);
  }
  remove(id: number): boolean {
    return this.store.remove(id);
  }

  /** Reads and checks a raw value (typed errors naming the owner and the channel). */
  protected abstract read(raw: unknown, owner: Owner): V;

  /** The raw value for this channel: the caller's own vector, or the encoder's output of this kind. */
  #raw(src: UnitSource | QuerySource): unknown {
    const v = this.spec.source === 'vectors' ? src.vectors?.[this.name] : src[this.spec.kind];
    return v ?? null;
  }
  prepare(unit: UnitSource): V | null {
    const v = this.#raw(unit);
    return v === null ? null : this.read(v, { doc: unit.doc });
  }
  query(q: QuerySource): V | null {
    const v = this.#raw(q);
    return v === null ? null : this.read(v, 'query');
  }
  async save(dir: string, _io: SaveIO): Promise<string[]> {
    return (await this.store.saveFiles(dir)).map((f) => path.basename(f));
  }
}
