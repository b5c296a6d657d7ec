/**
 * Composition: one {@link Encoder} from several, so a HybridIndex can mix families, e.g.
 * E5 dense + SPLADE sparse + ColBERT multi-vector. Each distinct component runs once per
 * `encode` call (an encoder given for two heads is not run twice); the dense vector comes
 * from `dense`, the sparse vector from `sparse`, the token vectors from `multivector`.
 *
 * Which model feeds which store: `dense` → the dense index (`info.dim` is its dimension),
 * `sparse` → the sparse index (ids are that model's: WordPiece ids for SPLADE, hashed stems for
 * BM42 — never mix two sparse vocabularies in one index), `multivector` → the token-vector
 * store (its own dimension, e.g. 128 for colbertv2, 96 for answerai-colbert-small).
 *
 * Fusion: the components were not distilled together, so their raw scores live on unrelated
 * scales (cosine ≈ 0–1, SPLADE dot products ≈ 5–40, BM42 IDF sums, MaxSim averages). The
 * composite reports fusion weights 1 for each present head and 0 otherwise, and
 * {@link COMPOSED_FUSION} recommends rank fusion (RRF, k = 60) or distribution-based score
 * fusion (DBSF) — not M3's raw weighted sum — until weights are calibrated on your own
 * labelled queries (HybridIndex.calibrate).
 */
import { createHash } from 'node:crypto';
import { EncoderClosedError, invalid, TridentError } from '../errors.js';
import type { EncodeOptions, Encoded, Encoder, EncoderInfo, TokenLevel } from './types.js';

/** Recommended fusion for a composed encoder (feed to `search({ fusion })`). */
export const COMPOSED_FUSION = Object.freeze({ kind: 'rrf' as const, rrfK: 60 });

/** Which encoder feeds which head. */
export interface ComposeParts {
  dense?: Encoder;
  sparse?: Encoder;
  multivector?: Encoder;
  /** Override the reported fusion weights [dense, sparse, multivector]. */
  fusionWeights?: [number, number, number];
}

/**
 * Makes one Encoder from per-head encoders.
 *
 * @example
 * ```ts
 * const enc = composeEncoders({
 *   dense: await loadEncoder('intfloat/multilingual-e5-small'),
 *   sparse: await loadEncoder('naver/splade-v3'),
 *   multivector: await loadEncoder('answerdotai/answerai-colbert-small-v1'),
 * });
 * const index = await HybridIndex.create({ encoder: enc });
 * await index.search('q', { mode: 'all', fusion: COMPOSED_FUSION });
 * ```
 */
export function composeEncoders(parts: ComposeParts): Encoder {
  const { dense, sparse, multivector } = parts ?? {};
  if (!dense && !sparse && !multivector) invalid('INVALID_ARGUMENT', 'composeEncoders needs at least one of { dense, sparse, multivector }');
  const check = (e: Encoder | undefined, head: 'dense' | 'sparse' | 'multivector'): void => {
    if (e && (typeof e.encode !== 'function' || !e.info?.heads?.[head])) {
      invalid('INVALID_ARGUMENT', `the ${head} component (${e?.info?.id ?? 'not an encoder'}) does not produce a ${head} output`);
    }
  };
  check(dense, 'dense');
  check(sparse, 'sparse');
  check(multivector, 'multivector');
  const distinct = [...new Set([dense, sparse, multivector].filter((e): e is Encoder => !!e))];
  const w = parts.fusionWeights ?? [dense ? 1 : 0, sparse ? 1 : 0, multivector ? 1 : 0];
  const ids = `dense=${dense?.info.id ?? '-'};sparse=${sparse?.info.id ?? '-'};mv=${multivector?.info.id ?? '-'}`;
  const info: EncoderInfo & { sparseModifier?: 'none' | 'idf' } = {
    id: `composite-${createHash('sha256').update(ids).digest('hex').slice(0, 16)}`,
    name: `composite(${[dense ? `dense=${dense.info.name}` : '', sparse ? `sparse=${sparse.info.name}` : '', multivector ? `multivector=${multivector.info.name}` : ''].filter(Boolean).join(', ')})`,
    family: 'composite',
    dim: dense?.info.dim ?? multivector?.info.dim ?? 0,
    maxLength: Math.min(...distinct.map((e) => e.info.maxLength)),
    vocabSize: sparse?.info.vocabSize ?? dense?.info.vocabSize ?? 0,
    fusionWeights: [...w],
    heads: { dense: !!dense, sparse: !!sparse, multivector: !!multivector },
    dtype: distinct.every((e) => e.info.dtype === 'fp32') ? 'fp32' : 'int8',
    // the sparse component decides how the index weighs sparse queries (BM42: IDF at search time)
    ...(sparse?.info.sparseModifier === 'idf' ? { sparseModifier: 'idf' as const } : {}),
  };
  let closed = false;
  const open = (): void => {
    if (closed) throw new EncoderClosedError('the composed encoder is closed; compose new encoders');
  };
  return {
    info,
    async encode(texts: readonly string[], opts: EncodeOptions = {}): Promise<Encoded[]> {
      open();
      const outs = new Map<Encoder, Encoded[]>();
      for (const e of distinct) outs.set(e, await e.encode(texts, opts));
      return texts.map((_, i) => {
        const d = dense ? outs.get(dense)![i]! : undefined;
        const s = sparse ? outs.get(sparse)![i]! : undefined;
        const m = multivector ? outs.get(multivector)![i]! : undefined;
        const any = (d ?? s ?? m)!;
        return {
          dense: d ? d.dense : new Float32Array(0),
          sparse: s ? s.sparse : { ids: new Uint32Array(0), weights: new Float32Array(0) },
          multivector: m ? m.multivector : { data: new Float32Array(0), dim: info.dim, count: 0, tokenIds: new Uint32Array(0), charSpans: [] },
          truncated: [d, s, m].some((x) => x?.truncated),
          tokenCount: any.tokenCount,
        };
      });
    },
    /** Token-level output of the dense component (late chunking pools one model's states). */
    async encodeTokens(texts: readonly string[], opts?: EncodeOptions): Promise<TokenLevel[]> {
      open();
      if (!dense) throw new TridentError('UNSUPPORTED', 'late chunking needs a dense component');
      return dense.encodeTokens(texts, opts);
    },
    decodeTokens(ids: Uint32Array | readonly number[]): string[] {
      open();
      return (sparse ?? dense ?? multivector)!.decodeTokens(ids);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const e of distinct) await e.close();
    },
  };
}
