/**
 * Public types of the encode stage: the one {@link Encoder} contract every preset (M3
 * layouts, dense, SPLADE, BM42, ColBERT, composed and remote encoders) implements, the
 * options of the one loader ({@link LoadEncoderOptions}) and the outputs.
 */
import type { EncoderClosedError } from '../errors.js';
import type { HeadSet } from './config.js';
import type { ColbertConfig, DensePooling, FamilyKind } from './family-config.js';
import type { WordSplitter } from './japanese.js';

/**
 * Whether a text is a query or a document (selects prefixes/instructions per family).
 *
 * @example
 * ```ts
 * await enc.encode(['what is bm25?'], { role: 'query' satisfies Role });
 * ```
 */
export type Role = 'query' | 'document';

/**
 * Half-open UTF-16 code-unit range `[start, end)` into the input text.
 *
 * @example
 * ```ts
 * const [s, e]: CharSpan = out.multivector.charSpans[0]!;
 * text.slice(s, e); // the source of the first token
 * ```
 */
export type CharSpan = [number, number];

/**
 * Sparse lexical weights: token ids ascending, one weight each (> 0).
 *
 * @example
 * ```ts
 * const { ids, weights } = (await enc.encode(['BM25 ranks documents']))[0]!.sparse;
 * enc.decodeTokens(ids); // ['▁BM', '25', …]
 * ```
 */
export interface SparseVector {
  ids: Uint32Array;
  weights: Float32Array;
}

/**
 * Per-token vectors: `count` rows of `dim` floats, row-major.
 *
 * @example
 * ```ts
 * const mv = (await enc.encode(['hello world']))[0]!.multivector;
 * const row1 = mv.data.subarray(mv.dim, 2 * mv.dim); // second token's vector
 * ```
 */
export interface MultiVector {
  data: Float32Array;
  dim: number;
  count: number;
  /** Token id of each row. */
  tokenIds: Uint32Array;
  /** Where each row's token came from in the input text (`[0, 0]` for special tokens). */
  charSpans: CharSpan[];
}

/**
 * Pooled output for one text.
 *
 * @example
 * ```ts
 * const [o] = await enc.encode(['a long document …'], { maxLength: 512 });
 * if (o!.truncated) console.log(`cut to ${o!.tokenCount} tokens`);
 * ```
 */
export interface Encoded {
  /** L2-normalised dense vector (empty when the dense head is disabled). */
  dense: Float32Array;
  /** Lexical weights (empty when the sparse head is disabled). */
  sparse: SparseVector;
  /** Per-token vectors (count 0 when the multi-vector head is disabled). */
  multivector: MultiVector;
  /** True when the text was cut to `maxLength` tokens. */
  truncated: boolean;
  /** Tokens fed to the model, specials included, after truncation. */
  tokenCount: number;
}

/**
 * Un-pooled per-token output for one text (late chunking).
 *
 * @example
 * ```ts
 * const [t] = await enc.encodeTokens([longText], { maxLength: 8192 });
 * // pool t.colbert rows / t.tokenWeights over each chunk's token range
 * ```
 */
export interface TokenLevel {
  /** All token ids, specials included. */
  tokenIds: Uint32Array;
  /** One span per token; `[0, 0]` for specials. */
  charSpans: CharSpan[];
  /** Sparse weight at every position (0 at dropped ids such as specials). Length = tokenIds.length. */
  tokenWeights: Float32Array;
  /** (T-1) × dim normalised multi-vectors for positions 1..T-1. */
  colbert: Float32Array;
  /** T × hidden last hidden state, or null when the model layout does not expose it. */
  hidden: Float32Array | null;
  /** Pooled dense vector of the whole text. */
  dense: Float32Array;
  truncated: boolean;
  /**
   * 1 at the positions of tokens from the caller's text (not specials, not the role prefix);
   * absent when every non-special position is text (M3).
   */
  textMask?: Uint8Array;
  /** False when `tokenWeights` carries no lexical weights (dense presets); absent = true. */
  lexical?: boolean;
}

/**
 * Options of {@link Encoder.encode}.
 *
 * @example
 * ```ts
 * await enc.encode(docs, { role: 'document', maxLength: 1024, batchSize: 4 });
 * ```
 */
export interface EncodeOptions {
  /** Query or document (default `document`). */
  role?: Role;
  /** Max tokens per text, specials included (default: the model's, 512 for M3). */
  maxLength?: number;
  /** Texts per forward pass (default 8). */
  batchSize?: number;
}

/**
 * Static facts about a loaded encoder.
 *
 * @example
 * ```ts
 * enc.info; // { id: 'bge-m3-fp32-…', name: 'BAAI/bge-m3', family: 'bge-m3', dim: 1024, maxLength: 512, vocabSize: 250002, … }
 * ```
 */
export interface EncoderInfo {
  /**
   * Stable identity of model semantics: config + tokenizer + weight-file fingerprint, stored in
   * index manifests. Its prefix is the output layout family (`bge-m3-fp32-…` for every model with
   * M3's three heads, the built-in static model included): print {@link EncoderInfo.name} to say
   * which model ran.
   */
  id: string;
  /**
   * What the model is called: trident.json's `name` (`static-en` for builtin:static-en), the hub
   * id (`BAAI/bge-m3`), or the model directory's name. For people; not part of the identity.
   */
  name: string;
  /** Output layout family (`bge-m3`: dense + sparse + multi-vector heads with M3's semantics). */
  family: string;
  /** Dense dimension (also the multi-vector dimension for M3). */
  dim: number;
  /** Default max tokens per text. */
  maxLength: number;
  vocabSize: number;
  /** Default fusion weights [dense, sparse, multivector]. */
  fusionWeights: [number, number, number];
  /** Heads this encoder computes. */
  heads: HeadSet;
  /** Precision of the weights actually loaded. */
  dtype: 'fp32' | 'int8';
  /** `idf` when the index must apply IDF to sparse queries at search time (BM42); absent = `none`. */
  sparseModifier?: 'none' | 'idf';
}

/**
 * The contract every encoder implements, whatever its preset (M3 layouts, E5/GTE/… dense,
 * SPLADE, BM42, ColBERT, composed, remote APIs). One call gives every representation the
 * model has.
 *
 * @example
 * ```ts
 * const enc: Encoder = await loadEncoder('BAAI/bge-m3');
 * const [q] = await enc.encode(['what is bm25?'], { role: 'query' });
 * ```
 */
export interface Encoder {
  readonly info: EncoderInfo;
  /** Pooled dense + sparse + multi-vector output, one entry per text, in input order. */
  encode(texts: readonly string[], opts?: EncodeOptions): Promise<Encoded[]>;
  /** Un-pooled per-token output, for late chunking. */
  encodeTokens(texts: readonly string[], opts?: EncodeOptions): Promise<TokenLevel[]>;
  /** Piece strings of token ids (for explanations). */
  decodeTokens(ids: Uint32Array | readonly number[]): string[];
  /** Frees the model; idempotent. Later calls throw ENCODER_CLOSED ({@link EncoderClosedError}). */
  close(): Promise<void>;
}

/**
 * Progress of a file download.
 *
 * @example
 * ```ts
 * await loadEncoder('BAAI/bge-m3', { onProgress: (p: DownloadProgress) => console.log(p.file, p.loaded, p.total) });
 * ```
 */
export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number | undefined;
}

/**
 * What an encoder produces: `m3` (BGE-M3 layouts: dense + sparse + multi-vector heads, the
 * built-in static model included), `dense`, `splade`, `bm42` or `colbert`.
 *
 * @example
 * ```ts
 * await loadEncoder('./my-splade-onnx', { kind: 'splade' satisfies EncoderKind });
 * ```
 */
export type EncoderKind = 'm3' | FamilyKind;

/**
 * Options of `loadEncoder`: how to fetch and run the model, then the preset settings that
 * override the preset and the model's own files (defaults < model files < preset < options).
 *
 * @example
 * ```ts
 * await loadEncoder('BAAI/bge-m3', { dtype: 'int8', cacheDir: '/data/models', threads: 4, offline: true });
 * await loadEncoder('./e5-small-onnx', { preset: 'multilingual-e5', maxLength: 256 });
 * ```
 */
export interface LoadEncoderOptions {
  /**
   * `fp32` (default) or `int8` (uses the quantized file where the layout has one; a
   * layout with only a quantized graph loads it for either value, `info.dtype` tells).
   * Dynamic int8 graphs quantise activations per batch tensor, so int8 results depend
   * slightly on which texts share a batch (fp32 results do not).
   */
  dtype?: 'fp32' | 'int8';
  /**
   * The Hugging Face hub cache (shared with Python's huggingface_hub and transformers.js:
   * `models--<org>--<name>/{blobs,snapshots,refs}`). Default env HF_HUB_CACHE, else
   * `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
   */
  cacheDir?: string;
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
  /** Download progress callback. */
  onProgress?: (p: DownloadProgress) => void;
  /** Use the cache only, with no request (default: env TRIDENT_OFFLINE=1 or HF_HUB_OFFLINE=1). */
  offline?: boolean;
  /** Hub endpoint (default env HF_ENDPOINT, else https://huggingface.co). */
  hubUrl?: string;
  /**
   * Hugging Face access token (`hf_…`) for private or gated repos. Default env HF_TOKEN, else
   * HUGGING_FACE_HUB_TOKEN, else the token file `huggingface-cli login` wrote (`$HF_HOME/token`).
   */
  accessToken?: string;
  /** Hub revision (default `main`). */
  revision?: string;
  /** Compute only some heads (default: all the model has). */
  heads?: Partial<HeadSet>;
  /** Abort a download that makes no progress for this long (default 30 000 ms). */
  downloadTimeoutMs?: number;
  /** Retries per file after a failed or cut transfer (default 3). */
  downloadRetries?: number;
  /** Preset name or hub id whose conventions to use (default: matched from `source`; see `PRESETS`). */
  preset?: string;
  /** What the model produces (default: the preset's, else detected from the model's files). */
  kind?: EncoderKind;
  /** Dense pooling (M3 layouts: `cls`, `mean` or `last_token`). */
  pooling?: DensePooling;
  /** L2-normalise dense and multi-vector outputs. */
  normalize?: boolean;
  /** Text prepended per role. */
  prefixes?: Partial<{ query: string; document: string }>;
  /** Task of the instruction template (`Instruct: {task}\nQuery: `) for instruct presets. */
  task?: string;
  /** Default max tokens per text, specials included. */
  maxLength?: number;
  /** Padding side (decoder embedders pad on the left). Not for M3 layouts. */
  padding?: 'left' | 'right';
  /** Append the EOS token after the text (decoder embedders). Not for M3 layouts. */
  appendEos?: boolean;
  /** ColBERT / PyLate conventions (kind `colbert`). */
  colbert?: Partial<ColbertConfig>;
  /** SPLADE queries: `model` runs the MLM, `tokens` weighs query tokens by idf.json (kind `splade`). */
  spladeQuery?: 'model' | 'tokens';
  /** Query-time sparse modifier the index applies (`idf` default for BM42, else `none`). */
  sparseModifier?: 'none' | 'idf';
  /** Default fusion weights [dense, sparse, multivector]. */
  fusionWeights?: [number, number, number];
  /**
   * Word splitter for BertJapanese-style tokenizers (vocab.txt with `word_tokenizer_type: mecab`,
   * e.g. Ruri v1/v2): see {@link WordSplitter}. Required by those models, refused by others.
   */
  wordSplitter?: WordSplitter;
}
