/**
 * Separate query and document encoders behind one {@link Encoder}: `encode(texts, { role })`
 * runs the query model for `role: 'query'` and the document model otherwise, so one
 * HybridIndex indexes with one model and searches with another.
 *
 * The families that need it:
 * - SPLADE trained as a pair, e.g. `naver/efficient-splade-VI-BT-large-query` (small, fast
 *   query encoder) with `naver/efficient-splade-VI-BT-large-doc`: both emit weights over the
 *   same BERT WordPiece vocabulary, so their dot product is the model's score.
 * - "Inference-free" document-only SPLADE (`opensearch-project/opensearch-neural-sparse-encoding-doc-*`)
 *   needs no second model: load it alone; its queries are tokenised and weighted by the model's
 *   `idf.json` (or weight 1 without one, `spladeQuery: 'tokens'`), see the `opensearch-doc` preset.
 *
 * Rules checked when composing: both parts produce the same heads, and a sparse pair shares one
 * vocabulary (same size and the same token strings), because the index stores the document
 * model's token ids and the query model's ids must mean the same tokens. Dense or multi-vector
 * pairs must agree on the dimension. The index identity combines both models' ids.
 */
import { createHash } from 'node:crypto';
import { EncoderClosedError, invalid, TridentError } from '../errors.js';
import { checkLoadOptions, loadChecked } from './load.js';
import type { EncodeOptions, Encoded, Encoder, EncoderInfo, LoadEncoderOptions, TokenLevel } from './types.js';

/**
 * The two models of a role pair.
 *
 * @example
 * ```ts
 * const parts: RoleParts = { query: spladeQueryEncoder, document: spladeDocEncoder };
 * const enc = composeByRole(parts);
 * ```
 */
export interface RoleParts {
  /** Encodes `role: 'query'` texts. */
  query: Encoder;
  /** Encodes documents (and everything without a role). */
  document: Encoder;
}

/** Spot-checks that two sparse encoders share one vocabulary (size and token strings). */
function checkVocabulary(q: Encoder, d: Encoder): void {
  const V = d.info.vocabSize;
  if (q.info.vocabSize !== V) {
    invalid('INVALID_ARGUMENT', `the query model has a ${q.info.vocabSize}-token vocabulary but the document model ${V}; a sparse pair must share one vocabulary (e.g. both BERT WordPiece 30522)`);
  }
  let probe: number[];
  try {
    const step = Math.max(1, Math.floor(V / 512));
    probe = [];
    for (let id = 0; id < V; id += step) probe.push(id);
    const a = q.decodeTokens(probe);
    const b = d.decodeTokens(probe);
    const bad = probe.findIndex((_, i) => a[i] !== b[i]);
    if (bad >= 0) invalid('INVALID_ARGUMENT', `the query and document models map token id ${probe[bad]} to different tokens (${JSON.stringify(a[bad])} vs ${JSON.stringify(b[bad])}); a sparse pair must share one vocabulary`);
  } catch (e) {
    if (e instanceof TridentError && e.code === 'UNSUPPORTED') return; // hashed vocabularies (BM42) cannot be decoded
    throw e;
  }
}

/**
 * One Encoder from a query model and a document model.
 *
 * @example
 * ```ts
 * const splade = composeByRole({
 *   query: await loadEncoder('naver/efficient-splade-VI-BT-large-query'),
 *   document: await loadEncoder('naver/efficient-splade-VI-BT-large-doc'),
 * });
 * const index = await HybridIndex.create({ encoder: splade }); // documents → the -doc model
 * await index.search('what is splade', { mode: 'sparse' });     // query → the -query model
 * ```
 */
export function composeByRole(parts: RoleParts): Encoder {
  const { query, document } = parts ?? ({} as RoleParts);
  for (const [name, e] of [
    ['query', query],
    ['document', document],
  ] as const) {
    if (!e || typeof e.encode !== 'function' || !e.info) invalid('INVALID_ARGUMENT', `composeByRole needs { query, document } encoders; '${name}' is ${e === undefined ? 'missing' : 'not an encoder'}`);
  }
  const hq = query.info.heads;
  const hd = document.info.heads;
  if (hq.dense !== hd.dense || hq.sparse !== hd.sparse || hq.multivector !== hd.multivector) {
    invalid('INVALID_ARGUMENT', `the query model's heads ${JSON.stringify(hq)} differ from the document model's ${JSON.stringify(hd)}; pair models of one kind (or use composeEncoders to mix kinds)`);
  }
  if ((hd.dense || hd.multivector) && query.info.dim !== document.info.dim) {
    invalid('INVALID_ARGUMENT', `the query model is ${query.info.dim}-d but the document model ${document.info.dim}-d; their vectors must live in one space`);
  }
  if (hd.sparse && query !== document) checkVocabulary(query, document);
  const ids = `query=${query.info.id};document=${document.info.id}`;
  const docInfo = document.info as EncoderInfo & { sparseModifier?: 'none' | 'idf' };
  const info: EncoderInfo & { sparseModifier?: 'none' | 'idf' } = {
    ...docInfo,
    id: `by-role-${createHash('sha256').update(ids).digest('hex').slice(0, 16)}`,
    name: query.info.name === document.info.name ? document.info.name : `query=${query.info.name}, document=${document.info.name}`,
    family: document.info.family === query.info.family ? document.info.family : `${query.info.family}+${document.info.family}`,
    maxLength: document.info.maxLength,
    fusionWeights: [...document.info.fusionWeights],
    heads: { ...hd },
    dtype: query.info.dtype === 'fp32' && document.info.dtype === 'fp32' ? 'fp32' : 'int8',
  };
  let closed = false;
  const open = (): void => {
    if (closed) throw new EncoderClosedError('the role-composed encoder is closed; compose new encoders');
  };
  return {
    info,
    async encode(texts: readonly string[], opts: EncodeOptions = {}): Promise<Encoded[]> {
      open();
      return (opts?.role === 'query' ? query : document).encode(texts, opts);
    },
    /** Token-level output of the document model (late chunking runs on documents). */
    async encodeTokens(texts: readonly string[], opts: EncodeOptions = {}): Promise<TokenLevel[]> {
      open();
      return (opts?.role === 'query' ? query : document).encodeTokens(texts, opts);
    },
    decodeTokens(tokenIds: Uint32Array | readonly number[]): string[] {
      open();
      return document.decodeTokens(tokenIds);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await query.close();
      if (document !== query) await document.close();
    },
  };
}

/**
 * Loads a query model and a document model (directories or hub ids, each matched to its
 * preset) and composes them with {@link composeByRole}. If the second load fails the first
 * model is released.
 *
 * @example
 * ```ts
 * const splade = await loadByRole('naver/efficient-splade-VI-BT-large-query', 'naver/efficient-splade-VI-BT-large-doc');
 * ```
 */
export async function loadByRole(querySource: string, documentSource: string, opts: LoadEncoderOptions = {}): Promise<Encoder> {
  checkLoadOptions('loadByRole() options', opts);
  const query = await loadChecked(querySource, opts, 'family');
  let document: Encoder;
  try {
    document = await loadChecked(documentSource, opts, 'family');
  } catch (e) {
    await query.close();
    throw e;
  }
  try {
    return composeByRole({ query, document });
  } catch (e) {
    await query.close();
    await document.close();
    throw e;
  }
}
