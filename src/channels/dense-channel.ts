/**
 * The dense channel: one L2-normalised vector per entry in a DenseIndex (usearch HNSW with an
 * exact row store). Vectors come from the encoder (truncated Matryoshka-style to the channel's
 * dimensions) or from the caller.
 */
import { DenseIndex } from '../dense/index.js';
import { denseValue } from './vector-input.js';
import { scoreHeld } from './score-held.js';
import { StoreChannel } from './store-channel.js';
import type { Owner } from './vector-input.js';
import type { Channel, ChannelExplanation, ChannelStats, DenseChannelSpec } from './types.js';

export class DenseChannel extends StoreChannel<DenseIndex, DenseChannelSpec, Float32Array> implements Channel<Float32Array, Float32Array> {
  readonly kind = 'dense' as const;
  readonly unbounded = false;
  readonly firstStage = true;

  constructor(spec: DenseChannelSpec, store?: DenseIndex) {
    super(
      spec,
      store ??
        DenseIndex.create({
          dimensions: spec.dimensions,
          dtype: spec.dtype,
          ...(spec.connectivity !== undefined ? { connectivity: spec.connectivity } : {}),
          ...(spec.expansionAdd !== undefined ? { expansionAdd: spec.expansionAdd } : {}),
          ...(spec.expansionSearch !== undefined ? { expansionSearch: spec.expansionSearch } : {}),
        }),
    );
  }

  /** Opens the channel's files from `dir`. */
  static async open(spec: DenseChannelSpec, dir: string): Promise<DenseChannel> {
    return new DenseChannel(spec, await DenseIndex.openFiles(dir));
  }

  add(id: number, value: Float32Array): void {
    this.store.add(id, value);
  }
  /** One row-major copy of the batch, inserted with every core (DenseIndex.addBatch). */
  addBatch(ids: Uint32Array, values: readonly Float32Array[]): void {
    const d = this.spec.dimensions;
    const rows = new Float32Array(values.length * d);
    for (let i = 0; i < values.length; i++) rows.set(values[i]!, i * d);
    this.store.addBatch(ids, rows);
  }
  /** The caller's vectors must have exactly the channel's dimensions; the encoder's are truncated (Matryoshka). */
  protected read(raw: unknown, owner: Owner): Float32Array {
    return denseValue(raw, this.spec.dimensions, this.spec.source === 'vectors', owner, this.name);
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
}
