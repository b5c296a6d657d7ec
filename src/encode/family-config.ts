/**
 * Configuration of the non-M3 presets (dense, SPLADE, BM42, ColBERT): everything beyond the
 * weights that decides a model's outputs, and the readers of sentence-transformers / PyLate
 * files that supply it.
 *
 * Precedence when loading: built-in defaults < the model's own files (modules.json,
 * 1_Pooling/config.json, sentence_bert_config.json, config_sentence_transformers.json)
 * < the preset < explicit options.
 */
import { join } from 'node:path';
import { ModelError } from '../errors.js';
import { readModelJson } from './json.js';

/** What the encoder produces. */
export type FamilyKind = 'dense' | 'splade' | 'bm42' | 'colbert';

/**
 * Dense pooling: `cls` (first row), `mean` (masked mean), `max` (masked max), `mean_sqrt_len`
 * (masked sum / √len), `last_token` (last real token; with left padding the last row), or
 * `graph` (the ONNX graph already pools: its `sentence_embedding` output, e.g. NV-Embed's
 * latent-attention export).
 */
export type DensePooling = 'cls' | 'mean' | 'max' | 'mean_sqrt_len' | 'last_token' | 'graph';

/** ColBERT / PyLate conventions. */
export interface ColbertConfig {
  /** Marker token after CLS for queries (`[unused0]` colbert-ir, `[Q] ` PyLate, `[QueryMarker]` jina). */
  queryMarker: string;
  documentMarker: string;
  /** Query tokens incl. specials and marker; shorter queries are padded with [MASK] (default 32). */
  queryLength: number;
  /** Max document tokens incl. specials and marker (colbertv2: 180; PyLate default 180). */
  documentLength: number;
  /** Whether real tokens attend to the [MASK] expansion tokens (colbertv2: false). */
  attendToExpansion: boolean;
  /** Pad queries with [MASK] to `queryLength` (default true). */
  expansion: boolean;
  /** Words whose tokens are dropped from documents (default: ASCII punctuation). */
  skiplist: string[];
}

/** Full configuration of one family encoder. */
export interface FamilyConfig {
  family: string;
  kind: FamilyKind;
  pooling: DensePooling;
  normalize: boolean;
  /** Text prepended per role (prefixes or instruction templates). */
  prefixes: { query: string; document: string };
  /** Default max tokens per text, specials included. */
  maxLength: number;
  padding: 'right' | 'left';
  /** Append the EOS token after the text (decoder embedders). */
  appendEos: boolean;
  colbert?: ColbertConfig;
  /** SPLADE: `model` runs the query through the MLM; `tokens` gives each query token weight 1 (doc-only SPLADE). */
  spladeQuery?: 'model' | 'tokens';
  /** BM42: exponent of log(1 + w) (fastembed's alpha, default 0.5). */
  bm42Alpha?: number;
  /**
   * Query-time modifier the index applies to this model's sparse queries: `idf` (Qdrant's
   * `modifier: idf`, from the index's own live statistics; BM42's default) or `none`.
   */
  sparseModifier?: 'none' | 'idf';
  fusionWeights: [number, number, number];
}

/** Punctuation skip-list of colbert-ir and PyLate (Python's `string.punctuation`). */
export const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];

/** Defaults before files, preset and options apply. */
export function defaultConfig(): FamilyConfig {
  return {
    family: 'sentence-transformers',
    kind: 'dense',
    pooling: 'mean',
    normalize: false,
    prefixes: { query: '', document: '' },
    maxLength: 512,
    padding: 'right',
    appendEos: false,
    fusionWeights: [1, 0, 0],
  };
}

const readJsonIf = (path: string): Promise<Record<string, unknown> | undefined> => readModelJson(path, { optional: true, arrays: true });

/** What a model directory's sentence-transformers / PyLate files say. */
export interface StFiles {
  pooling?: DensePooling;
  normalize?: boolean;
  maxLength?: number;
  prefixes?: Partial<{ query: string; document: string }>;
  /** Path (relative) of a Dense projection module (PyLate `1_Dense`), if any. */
  densePath?: string;
  colbert?: Partial<ColbertConfig>;
}

/**
 * Reads modules.json, the pooling module's config, sentence_bert_config.json and
 * config_sentence_transformers.json from `dir` (all optional).
 *
 * @example
 * ```ts
 * const st = await readStFiles('/models/all-MiniLM-L6-v2'); // { pooling: 'mean', normalize: true, maxLength: 256 }
 * ```
 */
export async function readStFiles(dir: string): Promise<StFiles> {
  const out: StFiles = {};
  const modules = await readJsonIf(join(dir, 'modules.json'));
  let poolDir = '1_Pooling';
  if (Array.isArray(modules)) {
    out.normalize = modules.some((m) => typeof m?.type === 'string' && /Normalize$/.test(m.type));
    for (const m of modules as Array<{ type?: string; path?: string }>) {
      if (typeof m?.type !== 'string' || typeof m.path !== 'string') continue;
      if (/\.Pooling$/.test(m.type)) poolDir = m.path;
      if (/Dense(\.Dense)?$/.test(m.type)) out.densePath = m.path;
    }
  }
  const pool = await readJsonIf(join(dir, poolDir, 'config.json'));
  if (pool) {
    const on = (k: string): boolean => pool[k] === true;
    const mode = typeof pool.pooling_mode === 'string' ? pool.pooling_mode : undefined;
    const modes: Array<[boolean, DensePooling]> = [
      [on('pooling_mode_cls_token') || mode === 'cls', 'cls'],
      [on('pooling_mode_mean_tokens') || mode === 'mean', 'mean'],
      [on('pooling_mode_max_tokens') || mode === 'max', 'max'],
      [on('pooling_mode_mean_sqrt_len_tokens') || mode === 'mean_sqrt_len_tokens', 'mean_sqrt_len'],
      [on('pooling_mode_lasttoken') || mode === 'lasttoken', 'last_token'],
    ];
    const set = modes.filter(([b]) => b).map(([, p]) => p);
    if (on('pooling_mode_weightedmean_tokens') || set.length > 1) {
      throw new ModelError('UNSUPPORTED', `${join(dir, poolDir, 'config.json')}: weighted-mean or concatenated pooling modes are not supported; pass { pooling } explicitly`);
    }
    if (set.length === 1) out.pooling = set[0]!;
  }
  const sbc = await readJsonIf(join(dir, 'sentence_bert_config.json'));
  if (sbc && Number.isInteger(sbc.max_seq_length)) out.maxLength = sbc.max_seq_length as number;
  const cst = await readJsonIf(join(dir, 'config_sentence_transformers.json'));
  if (cst) {
    const prompts = cst.prompts as Record<string, unknown> | undefined;
    if (prompts && typeof prompts === 'object') {
      const p: Partial<{ query: string; document: string }> = {};
      if (typeof prompts.query === 'string') p.query = prompts.query;
      const doc = prompts.document ?? prompts.passage ?? prompts.doc;
      if (typeof doc === 'string') p.document = doc;
      out.prefixes = p;
    }
    const c: Partial<ColbertConfig> = {};
    if (typeof cst.query_prefix === 'string') c.queryMarker = cst.query_prefix;
    if (typeof cst.document_prefix === 'string') c.documentMarker = cst.document_prefix;
    if (Number.isInteger(cst.query_length)) c.queryLength = cst.query_length as number;
    if (Number.isInteger(cst.document_length)) c.documentLength = cst.document_length as number;
    if (typeof cst.attend_to_expansion_tokens === 'boolean') c.attendToExpansion = cst.attend_to_expansion_tokens;
    if (typeof cst.do_query_expansion === 'boolean') c.expansion = cst.do_query_expansion;
    if (Array.isArray(cst.skiplist_words) && cst.skiplist_words.every((w) => typeof w === 'string')) c.skiplist = cst.skiplist_words as string[];
    if (Object.keys(c).length > 0) out.colbert = c;
  }
  return out;
}
