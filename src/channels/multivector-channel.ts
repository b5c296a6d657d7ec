/**
 * The multi-vector channel: one normalised vector per token, scored by ColBERT MaxSim in the
 * native kernels (TS twin as fallback). A `residual` store finds its own candidates (PLAID-style
 * centroid interaction, `MultiVectorStore.candidates`, exact MaxSim on the survivors); other
 * dtypes only re-rank what other channels find, and searched alone score every live entry.
 */
import { MultiVectorStore } from '../multivector/index.js';
import { multiVectorValue } from './vector-input.js';
import { scoreHeld } from './score-held.js';
import { StoreChannel } from './store-channel.js';
import type { Owner } from './vector-input.js';
import type { Channel, ChannelExplanation, ChannelStats, ExplainContext, MultiVectorChannelSpec, MultiVectorValue } from './types.js';

export class MultiVectorChannel extends StoreChannel<MultiVectorStore, MultiVectorChannelSpec, MultiVectorValue> implements Channel<MultiVectorValue, MultiVectorValue> {
  readonly kind = 'multivector' as const;
  readonly unbounded = false;

  constructor(spec: MultiVectorChannelSpec, store?: MultiVectorStore) {
    super(spec, store ?? MultiVectorStore.create({ dimensions: spec.dimensions, dtype: spec.dtype, poolFactor: spec.poolFactor, ...(spec.screening ? { screening: spec.screening } : {}), ...(spec.bits !== undefined ? { bits: spec.bits } : {}), ...(spec.centroids !== undefined ? { centroids: spec.centroids } : {}) }));
  }

  static async open(spec: MultiVectorChannelSpec, dir: string): Promise<MultiVectorChannel> {
    return new MultiVectorChannel(spec, await MultiVectorStore.openFiles(dir, spec.screening ? { screening: spec.screening } : {}));
  }

  add(id: number, value: MultiVectorValue): void {
    this.store.add(id, value);
  }
  protected read(raw: unknown, owner: Owner): MultiVectorValue {
    return multiVectorValue(raw, this.spec.dimensions, owner, this.name);
  }
  /** True for a `residual` store: it produces candidates through its centroid lists. */
  get firstStage(): boolean {
    return this.spec.dtype === 'residual';
  }
  candidates(q: MultiVectorValue, k: number, filter: ((id: number) => boolean) | null): { ids: Uint32Array; scores: Float32Array } {
    if (this.spec.dtype !== 'residual' || this.store.size === 0) return this.store.searchExhaustive(q, k, filter ? { filter } : {});
    if (!filter) return this.store.candidates(q, k);
    // filtered: oversample through the lists; an exact filtered scan when too few pass
    const top = this.store.candidates(q, Math.min(this.store.size, 4 * k));
    const keep: number[] = [];
    for (let i = 0; i < top.ids.length && keep.length < k; i++) if (filter(top.ids[i]!)) keep.push(i);
    if (keep.length < k && top.ids.length < this.store.size) return this.store.searchExhaustive(q, k, { filter });
    return { ids: Uint32Array.from(keep, (i) => top.ids[i]!), scores: Float32Array.from(keep, (i) => top.scores[i]!) };
  }
  score(q: MultiVectorValue, ids: Uint32Array): Float32Array {
    return scoreHeld(this.store, ids, (held) => this.store.score(q, held));
  }
  explain(q: MultiVectorValue, id: number, score: number, ctx: ExplainContext): ChannelExplanation {
    if (!this.store.has(id)) return { score, alignments: [] };
    const al = this.store.alignments(q, id, 8);
    const qTok = q.tokenIds ? ctx.decode(Array.from(q.tokenIds)) : [];
    const dTok = ctx.decode(al.map((a) => a.docTokenId ?? 0));
    return {
      score,
      alignments: al.map((a, i) => {
        const item: NonNullable<ChannelExplanation['alignments']>[number] = {
          queryToken: qTok[a.queryIndex] ?? String(a.queryIndex),
          docToken: a.docTokenId !== undefined ? dTok[i]! : String(a.docIndex),
          score: a.score,
        };
        if (a.docCharSpan) {
          item.docSpan = [a.docCharSpan[0], a.docCharSpan[1]];
          if (ctx.text !== undefined) item.docText = ctx.text.slice(a.docCharSpan[0], a.docCharSpan[1]);
        }
        return item;
      }),
    };
  }
  stats(): ChannelStats {
    return { ...this.store.stats(), kind: 'multivector', size: this.store.size };
  }
  compact(): void {
    this.store.compact();
  }
}
