/**
 * The sparse channel: learned lexical weights per token id (BGE-M3's sparse head, SPLADE,
 * BM42) in our inverted index, scored by dot product (exact pruned top-k). With the `idf`
 * modifier the query's weights take the index's IDF at search time (BM42).
 */
import { SparseIndex } from '../sparse/index.js';
import { sparseValue } from './vector-input.js';
import { StoreChannel } from './store-channel.js';
import type { Owner } from './vector-input.js';
import type { Channel, ChannelExplanation, ChannelStats, ExplainContext, SparseChannelSpec, SparseValue } from './types.js';

export class SparseChannel extends StoreChannel<SparseIndex, SparseChannelSpec, SparseValue> implements Channel<SparseValue, SparseValue> {
  readonly kind = 'sparse' as const;
  readonly unbounded = false;
  readonly firstStage = true;

  constructor(spec: SparseChannelSpec, store?: SparseIndex) {
    super(spec, store ?? SparseIndex.create({ scorer: 'dot' }));
    if (spec.modifier === 'idf') this.store.setQueryModifier('idf');
  }

  static async open(spec: SparseChannelSpec, dir: string): Promise<SparseChannel> {
    return new SparseChannel(spec, await SparseIndex.openFiles(dir));
  }

  add(id: number, value: SparseValue): void {
    this.store.add(id, value);
  }
  addBatch(ids: Uint32Array, values: readonly SparseValue[]): void {
    this.store.addBatch(ids, values as SparseValue[]);
  }

  protected read(raw: unknown, owner: Owner): SparseValue {
    return sparseValue(raw, owner, this.name);
  }
  candidates(q: SparseValue, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    if (q.ids.length === 0) return { ids: new Uint32Array(0), scores: new Float32Array(0) };
    return this.store.search(q, k, filter ? { filter } : {});
  }
  score(q: SparseValue, ids: Uint32Array): Float32Array {
    return this.store.score(q, ids);
  }
  explain(q: SparseValue, id: number, score: number, ctx: ExplainContext): ChannelExplanation {
    if (!this.store.has(id)) return { score, matches: [] };
    const matches = this.store.matches(q, id);
    const tokens = ctx.decode(matches.map((m) => m.id));
    return {
      score,
      matches: matches.map((m, i) => ({ tokenId: m.id, token: tokens[i]!, queryWeight: m.queryWeight, docWeight: m.docWeight, contribution: m.queryWeight * m.docWeight })).sort((a, b) => b.contribution - a.contribution),
    };
  }
  stats(): ChannelStats {
    return { ...this.store.stats(), kind: 'sparse', size: this.store.size };
  }
  compact(): void {
    this.store.compact();
  }
}
