/**
 * The dense channel: one L2-normalised vector per entry in a DenseIndex (usearch HNSW with an
 * exact row store). Vectors come from the encoder (truncated Matryoshka-style to the channel's
 * dimensions) or from the caller.
 */
import * as path from 'node:path';
import { DenseIndex } from '../dense/index.js';
import { denseValue } from './vector-input.js';
import { scoreHeld } from './score-held.js';
import type { Channel, ChannelExplanation, ChannelStats, DenseChannelSpec, QuerySource, UnitSource } from './types.js';

export class DenseChannel implements Channel<Float32Array, Float32Array> {
  readonly kind = 'dense' as const;
  readonly unbounded = false;
  readonly firstStage = true;
  readonly spec: DenseChannelSpec;
  readonly store: DenseIndex;

  constructor(spec: DenseChannelSpec, store?: DenseIndex) {
    this.spec = spec;
    this.store =
      store ??
      DenseIndex.create({
        dimensions: spec.dimensions,
        dtype: spec.dtype,
        ...(spec.connectivity !== undefined ? { connectivity: spec.connectivity } : {}),
        ...(spec.expansionAdd !== undefined ? { expansionAdd: spec.expansionAdd } : {}),
        ...(spec.expansionSearch !== undefined ? { expansionSearch: spec.expansionSearch } : {}),
      });
  }

  /** Opens the channel's files from `dir`. */
  static async open(spec: DenseChannelSpec, dir: string): Promise<DenseChannel> {
    return new DenseChannel(spec, await DenseIndex.openFiles(dir));
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

  prepare(unit: UnitSource): Float32Array | null {
    const own = this.spec.source === 'vectors';
    const v = own ? unit.vectors?.[this.name] : unit.dense;
    if (v === undefined || v === null) return null;
    return denseValue(v, this.spec.dimensions, own, { doc: unit.doc }, this.name);
  }
  add(id: number, value: Float32Array): void {
    this.store.add(id, value);
  }
  remove(id: number): boolean {
    return this.store.remove(id);
  }

  query(q: QuerySource): Float32Array | null {
    const own = this.spec.source === 'vectors';
    const v = own ? q.vectors?.[this.name] : q.dense;
    if (v === undefined || v === null) return null;
    return denseValue(v, this.spec.dimensions, own, 'query', this.name);
  }
  candidates(q: Float32Array, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    return filter ? this.store.search(q, k, { filter }) : this.store.search(q, k);
  }
  score(q: Float32Array, ids: Uint32Array): Float32Array {
    return scoreHeld(this.store, ids, (held) => this.store.score(q, held));
  }
  explain(_q: Float32Array, _id: number, score: number): ChannelExplanation {
    return { score };
  }
  stats(): ChannelStats {
    return { kind: 'dense', size: this.store.size, dimensions: this.spec.dimensions, dtype: this.spec.dtype, bytes: this.store.size * this.store.rowBytes };
  }
  compact(): void {}
  async save(dir: string): Promise<string[]> {
    return (await this.store.saveFiles(dir)).map((f) => path.basename(f));
  }
}
