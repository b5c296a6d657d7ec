/**
 * Presets: every model family `loadEncoder` knows is a configuration of the one loader.
 * Hub ids → kind and conventions, taken from the model cards and reference code
 * (sentence-transformers configs, FlagEmbedding, fastembed, colbert-ir, PyLate). The `m3`
 * presets (BGE-M3's layouts, the built-in static models) go to the M3 backend (heads files or
 * a three-output graph, trident.json); every other kind to the ONNX family backend. A preset
 * only sets what the model's own files cannot say (prefixes, instructions, EOS/left padding,
 * sparse and ColBERT rules); pooling/normalisation of sentence-transformers models are read
 * from their files unless the preset pins them.
 *
 * Verified here on tiny models of the same architecture (see test/fixtures/families); the
 * real checkpoints were not downloadable in this environment, so numbers against them are
 * left to a conformance run (README table).
 */
import type { ColbertConfig, FamilyConfig } from './family-config.js';
import { PUNCTUATION } from './family-config.js';
import type { EncoderKind } from './types.js';

/** A preset: which hub ids it covers and the settings it pins. */
export interface Preset {
  /** Canonical preset name (also accepted as `preset:` option). */
  name: string;
  /** Matching hub ids (case-insensitive regular expression on `owner/name`). */
  match: RegExp;
  /** Representative hub ids (documentation, README table). */
  ids: string[];
  config: Partial<Omit<FamilyConfig, 'colbert' | 'kind'>> & { kind?: EncoderKind; colbert?: Partial<ColbertConfig> };
  /** Default task of the instruction template (decoder embedders, instruct models). */
  defaultTask?: string;
  /** Instruction template for queries; `{task}` is replaced. */
  instruction?: string;
  /** Where an ONNX export lives when the repo itself has none (documentation). */
  onnxNote?: string;
}

const E5_INSTRUCT = 'Instruct: {task}\nQuery: ';
const WEB_TASK = 'Given a web search query, retrieve relevant passages that answer the query';

/** Every built-in preset, most specific first. */
export const PRESETS: readonly Preset[] = [
  {
    name: 'bge-m3',
    match: /^(BAAI\/bge-m3|aapot\/bge-m3-onnx|Xenova\/bge-m3|gpahal\/bge-m3-onnx-int8)$/i,
    ids: ['BAAI/bge-m3', 'aapot/bge-m3-onnx', 'Xenova/bge-m3', 'gpahal/bge-m3-onnx-int8'],
    config: { family: 'bge-m3', kind: 'm3' },
    onnxNote: 'heads: sparse_linear.pt + colbert_linear.pt beside a backbone graph, or a three-output graph (dense_vecs, sparse_vecs, colbert_vecs)',
  },
  {
    name: 'builtin',
    match: /^builtin:/,
    ids: ['builtin:static-en'],
    config: { family: 'bge-m3', kind: 'm3' },
    onnxNote: 'shipped in the package (src/models/<name>): a static M3-layout model, no download',
  },
  {
    name: 'multilingual-e5-instruct',
    match: /^intfloat\/multilingual-e5-large-instruct$/i,
    ids: ['intfloat/multilingual-e5-large-instruct'],
    config: { family: 'e5', pooling: 'mean', normalize: true, maxLength: 512 },
    instruction: E5_INSTRUCT,
    defaultTask: WEB_TASK,
  },
  {
    name: 'e5',
    match: /^intfloat\/(multilingual-)?e5-(small|base|large)(-v2)?$/i,
    ids: ['intfloat/e5-small-v2', 'intfloat/e5-base-v2', 'intfloat/e5-large-v2', 'intfloat/multilingual-e5-small', 'intfloat/multilingual-e5-base', 'intfloat/multilingual-e5-large'],
    config: { family: 'e5', pooling: 'mean', normalize: true, maxLength: 512, prefixes: { query: 'query: ', document: 'passage: ' } },
  },
  {
    name: 'gte',
    match: /^thenlper\/gte-(small|base|large)(-zh)?$/i,
    ids: ['thenlper/gte-small', 'thenlper/gte-base', 'thenlper/gte-large'],
    config: { family: 'gte', pooling: 'mean', normalize: true, maxLength: 512, prefixes: { query: '', document: '' } },
  },
  {
    name: 'gte-v1.5',
    match: /^Alibaba-NLP\/gte-(base|large)-en-v1\.5$|^Alibaba-NLP\/gte-multilingual-base$/i,
    ids: ['Alibaba-NLP/gte-base-en-v1.5', 'Alibaba-NLP/gte-large-en-v1.5', 'Alibaba-NLP/gte-multilingual-base'],
    config: { family: 'gte', pooling: 'cls', normalize: true, maxLength: 8192, prefixes: { query: '', document: '' } },
  },
  {
    name: 'gte-qwen2',
    match: /^Alibaba-NLP\/gte-Qwen2-/i,
    ids: ['Alibaba-NLP/gte-Qwen2-1.5B-instruct', 'Alibaba-NLP/gte-Qwen2-7B-instruct'],
    config: { family: 'decoder', pooling: 'last_token', normalize: true, maxLength: 8192, padding: 'left', appendEos: false },
    instruction: E5_INSTRUCT,
    defaultTask: WEB_TASK,
  },
  {
    name: 'ruri-v3',
    match: /^cl-nagoya\/ruri-v3-/i,
    ids: ['cl-nagoya/ruri-v3-30m', 'cl-nagoya/ruri-v3-70m', 'cl-nagoya/ruri-v3-130m', 'cl-nagoya/ruri-v3-310m'],
    config: { family: 'ruri', pooling: 'mean', normalize: true, maxLength: 8192, prefixes: { query: '検索クエリ: ', document: '検索文書: ' } },
  },
  {
    name: 'ruri',
    match: /^cl-nagoya\/ruri-(small|base|large)(-v2)?$/i,
    ids: ['cl-nagoya/ruri-small', 'cl-nagoya/ruri-base', 'cl-nagoya/ruri-large', 'cl-nagoya/ruri-small-v2', 'cl-nagoya/ruri-base-v2', 'cl-nagoya/ruri-large-v2'],
    config: { family: 'ruri', pooling: 'mean', normalize: true, maxLength: 512, prefixes: { query: 'クエリ: ', document: '文章: ' } },
  },
  {
    name: 'glucose-v2',
    match: /^pkshatech\/GLuCoSE-base-ja-v2$/i,
    ids: ['pkshatech/GLuCoSE-base-ja-v2'],
    config: { family: 'glucose', pooling: 'mean', normalize: true, maxLength: 512, prefixes: { query: 'query: ', document: 'passage: ' } },
  },
  {
    name: 'rosetta',
    match: /^pkshatech\/RoSEtta-base(-ja)?$/i,
    ids: ['pkshatech/RoSEtta-base-ja'],
    config: { family: 'rosetta', pooling: 'mean', normalize: true, maxLength: 1024, prefixes: { query: 'query: ', document: 'passage: ' } },
  },
  {
    name: 'jina-v2',
    match: /^jinaai\/jina-embeddings-v2-/i,
    ids: ['jinaai/jina-embeddings-v2-small-en', 'jinaai/jina-embeddings-v2-base-en', 'jinaai/jina-embeddings-v2-base-de', 'jinaai/jina-embeddings-v2-base-zh', 'jinaai/jina-embeddings-v2-base-code'],
    config: { family: 'jina-v2', pooling: 'mean', normalize: true, maxLength: 8192, prefixes: { query: '', document: '' } },
  },
  {
    name: 'e5-mistral',
    match: /^(intfloat\/e5-mistral-7b-instruct|Linq-AI-Research\/Linq-Embed-Mistral|Salesforce\/SFR-Embedding(-2_R|-Mistral))$/i,
    ids: ['intfloat/e5-mistral-7b-instruct', 'Linq-AI-Research/Linq-Embed-Mistral', 'Salesforce/SFR-Embedding-Mistral', 'Salesforce/SFR-Embedding-2_R'],
    config: { family: 'decoder', pooling: 'last_token', normalize: true, maxLength: 4096, padding: 'left', appendEos: true },
    instruction: E5_INSTRUCT,
    defaultTask: WEB_TASK,
    onnxNote: 'no official ONNX; export with optimum (feature-extraction, no past) — 7B fp32 is ~28 GB',
  },
  {
    name: 'nv-embed',
    match: /^nvidia\/NV-Embed-v[12]$/i,
    ids: ['nvidia/NV-Embed-v1', 'nvidia/NV-Embed-v2'],
    config: { family: 'nv-embed', pooling: 'graph', normalize: true, maxLength: 32768, padding: 'right', appendEos: true },
    instruction: E5_INSTRUCT,
    defaultTask: WEB_TASK,
    onnxNote: 'latent-attention pooling must be inside the export (a sentence_embedding output); a backbone-only export cannot reproduce it',
  },
  {
    name: 'opensearch-doc',
    match: /^opensearch-project\/opensearch-neural-sparse-encoding-doc-v(1|2-distill|2-mini)$/i,
    ids: ['opensearch-project/opensearch-neural-sparse-encoding-doc-v1', 'opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill', 'opensearch-project/opensearch-neural-sparse-encoding-doc-v2-mini'],
    config: { family: 'splade', kind: 'splade', maxLength: 512, spladeQuery: 'tokens', fusionWeights: [0, 1, 0] },
    onnxNote: "document-only: documents run the MLM; queries are tokenised and weighted by the repo's idf.json (no model run)",
  },
  {
    name: 'splade',
    match: /^naver\/(splade[-_]|efficient-splade)|^(prithivida\/Splade_PP_en_v[12]|hotchpotch\/japanese-splade-|aken12\/splade-japanese-v3)/i,
    ids: ['naver/splade-cocondenser-ensembledistil', 'naver/splade_v2_max', 'naver/splade-v3', 'naver/efficient-splade-VI-BT-large-query', 'naver/efficient-splade-VI-BT-large-doc', 'prithivida/Splade_PP_en_v1', 'aken12/splade-japanese-v3', 'hotchpotch/japanese-splade-v2'],
    config: { family: 'splade', kind: 'splade', maxLength: 512, spladeQuery: 'model', fusionWeights: [0, 1, 0] },
  },
  {
    name: 'bm42',
    match: /^Qdrant\/(bm42-all-minilm-l6-v2-attentions|all_miniLM_L6_v2_with_attentions)$/i,
    ids: ['Qdrant/bm42-all-minilm-l6-v2-attentions'],
    config: { family: 'bm42', kind: 'bm42', maxLength: 512, bm42Alpha: 0.5, sparseModifier: 'idf', fusionWeights: [0, 1, 0] },
    onnxNote: 'files live in Qdrant/all_miniLM_L6_v2_with_attentions (model.onnx with attention_6, stopwords.txt)',
  },
  {
    name: 'colbertv2',
    match: /^(colbert-ir\/colbertv2\.0|answerdotai\/answerai-colbert-small-v1)$/i,
    ids: ['colbert-ir/colbertv2.0', 'answerdotai/answerai-colbert-small-v1'],
    config: { family: 'colbert', kind: 'colbert', maxLength: 180, normalize: true, fusionWeights: [0, 0, 1], colbert: { queryMarker: '[unused0]', documentMarker: '[unused1]', queryLength: 32, documentLength: 180, attendToExpansion: false, expansion: true, skiplist: PUNCTUATION } },
  },
  {
    name: 'jina-colbert',
    match: /^jinaai\/jina-colbert-v[12]/i,
    ids: ['jinaai/jina-colbert-v2', 'jinaai/jina-colbert-v1-en'],
    config: { family: 'colbert', kind: 'colbert', maxLength: 8192, normalize: true, fusionWeights: [0, 0, 1], colbert: { queryMarker: '[QueryMarker]', documentMarker: '[DocumentMarker]', queryLength: 32, documentLength: 8192, attendToExpansion: true, expansion: true, skiplist: PUNCTUATION } },
  },
  {
    name: 'pylate',
    match: /^lightonai\/.*colbert|^lightonai\/Reason-ModernColBERT/i,
    ids: ['lightonai/GTE-ModernColBERT-v1', 'lightonai/colbertv2.0'],
    config: { family: 'colbert', kind: 'colbert', maxLength: 300, normalize: true, fusionWeights: [0, 0, 1], colbert: { queryMarker: '[Q] ', documentMarker: '[D] ', queryLength: 32, documentLength: 300, attendToExpansion: false, expansion: true, skiplist: PUNCTUATION } },
  },
  {
    name: 'sentence-transformers',
    match: /^(sentence-transformers\/|ibm-granite\/granite-embedding-|ibm\/slate)/i,
    ids: ['sentence-transformers/all-MiniLM-L6-v2', 'sentence-transformers/all-mpnet-base-v2', 'ibm-granite/granite-embedding-125m-english', 'ibm/slate-125m-english-rtrvr'],
    config: { family: 'sentence-transformers' },
  },
];

/**
 * The preset for a hub id or preset name, or undefined.
 *
 * @example
 * ```ts
 * findPreset('intfloat/multilingual-e5-base')?.config.prefixes; // { query: 'query: ', document: 'passage: ' }
 * ```
 */
export function findPreset(idOrName: string): Preset | undefined {
  return PRESETS.find((p) => p.name === idOrName) ?? PRESETS.find((p) => p.match.test(idOrName));
}
