/**
 * `loadEncoder(source, opts)`: the one loader of every local model. It validates the options
 * once, picks the preset (`opts.preset`, else the one matching `source`, see presets.ts),
 * decides the kind (`opts.kind` < preset < the model directory's files) and hands over to one
 * of two backends: `m3` layouts (load-m3.ts: heads files or a three-output graph,
 * trident.json, the built-in static models) or the ONNX family backend (load-family.ts:
 * dense, SPLADE, BM42, ColBERT). Both return the same {@link Encoder} contract.
 *
 * Kind detection without a preset: `builtin:` and directories with trident.json or M3 head
 * files are `m3`; directories with sentence-transformers / PyLate / BM42 files (modules.json,
 * config_sentence_transformers.json, sentence_bert_config.json, 1_Pooling/, stopwords.txt) or
 * only a `vocab.txt` tokenizer go to the family backend; anything else (hub ids without a
 * preset included) is `m3`, as before the loaders were merged.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { invalid, ModelError } from '../errors.js';
import { checkOptions, type OptionKeys } from '../options.js';
import type { FamilyEncoder } from './family.js';
import { listFiles } from './layout.js';
import { loadFamily } from './load-family.js';
import { loadM3 } from './load-m3.js';
import { findPreset, type Preset } from './presets.js';
import type { Encoder, EncoderKind, LoadEncoderOptions } from './types.js';

const LOAD_KEYS = {
  dtype: true,
  cacheDir: true,
  threads: true,
  onProgress: true,
  offline: true,
  hubUrl: true,
  accessToken: true,
  revision: true,
  heads: true,
  downloadTimeoutMs: true,
  downloadRetries: true,
  preset: true,
  kind: true,
  pooling: true,
  normalize: true,
  prefixes: true,
  task: true,
  maxLength: true,
  padding: true,
  appendEos: true,
  colbert: true,
  spladeQuery: true,
  sparseModifier: true,
  fusionWeights: true,
  wordSplitter: true,
} as const satisfies OptionKeys<LoadEncoderOptions>;

const KINDS: readonly EncoderKind[] = ['m3', 'dense', 'splade', 'bm42', 'colbert'];
const POOLINGS = ['cls', 'mean', 'max', 'mean_sqrt_len', 'last_token', 'graph'];
/** Options only the family backend understands (an M3 layout refuses them). */
const FAMILY_ONLY = ['task', 'padding', 'appendEos', 'colbert', 'spladeQuery', 'sparseModifier', 'wordSplitter'] as const;
const M3_POOLINGS = ['cls', 'mean', 'last_token'];

/**
 * Validates loader options themselves (known keys, types and ranges; INVALID_ARGUMENT naming
 * the closest valid key); the merged configuration is checked by each backend.
 *
 * @example
 * ```ts
 * checkLoadOptions('loadEncoder() options', { dtyp: 'int8' }); // INVALID_ARGUMENT … did you mean 'dtype'?
 * ```
 */
export function checkLoadOptions(where: string, opts: LoadEncoderOptions): void {
  checkOptions(where, opts, LOAD_KEYS);
  if (opts.heads !== undefined) checkOptions(`${where.replace(/ options$/, '')} heads`, opts.heads, { dense: true, sparse: true, multivector: true });
  const bad = (m: string): never => invalid('INVALID_ARGUMENT', m);
  if (opts.dtype !== undefined && opts.dtype !== 'fp32' && opts.dtype !== 'int8') bad(`dtype must be 'fp32' or 'int8', got ${JSON.stringify(opts.dtype)}`);
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) bad(`threads must be a positive integer, got ${opts.threads}`);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') bad('onProgress must be a function');
  if (opts.preset !== undefined && typeof opts.preset !== 'string') bad(`preset must be a preset name or hub id (string), got ${typeof opts.preset}`);
  if (opts.kind !== undefined && !KINDS.includes(opts.kind)) bad(`kind must be ${KINDS.join(', ')}, got ${JSON.stringify(opts.kind)}`);
  if (opts.pooling !== undefined && !POOLINGS.includes(opts.pooling)) bad(`pooling must be ${POOLINGS.join(', ')}, got ${JSON.stringify(opts.pooling)}`);
  if (opts.normalize !== undefined && typeof opts.normalize !== 'boolean') bad('normalize must be a boolean');
  if (opts.maxLength !== undefined && (!Number.isInteger(opts.maxLength) || opts.maxLength < 2)) bad(`maxLength must be an integer >= 2, got ${opts.maxLength}`);
  if (opts.prefixes !== undefined) {
    const p = opts.prefixes;
    if (!p || typeof p !== 'object' || (p.query !== undefined && typeof p.query !== 'string') || (p.document !== undefined && typeof p.document !== 'string')) {
      bad('prefixes must be { query?: string, document?: string }');
    }
  }
  const w = opts.fusionWeights;
  if (w !== undefined && (!Array.isArray(w) || w.length !== 3 || !w.every((x) => Number.isFinite(x) && x >= 0))) bad('fusionWeights must be three non-negative numbers [dense, sparse, multivector]');
  const oneOf = (k: 'sparseModifier' | 'spladeQuery' | 'padding', allowed: readonly string[]): void => {
    if (opts[k] !== undefined && !allowed.includes(opts[k] as string)) bad(`${k} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(opts[k])}`);
  };
  oneOf('sparseModifier', ['none', 'idf']);
  oneOf('spladeQuery', ['model', 'tokens']);
  oneOf('padding', ['left', 'right']);
  if (opts.appendEos !== undefined && typeof opts.appendEos !== 'boolean') bad('appendEos must be a boolean');
  if (opts.task !== undefined && typeof opts.task !== 'string') bad('task must be a string');
  if (opts.colbert !== undefined && (opts.colbert === null || typeof opts.colbert !== 'object')) bad('colbert must be an object of ColBERT settings');
  const ws = opts.wordSplitter;
  if (ws !== undefined && (!ws || typeof ws.split !== 'function' || typeof ws.name !== 'string' || ws.name === '')) {
    bad('wordSplitter must be { name: string, split(text): string[] } (the name enters the encoder identity)');
  }
}

/** The preset named by `opts.preset` (unknown name → INVALID_ARGUMENT), else the one matching `source`. */
function pickPreset(source: string, opts: LoadEncoderOptions): Preset | undefined {
  if (opts.preset === undefined) return findPreset(source);
  const p = findPreset(opts.preset);
  if (!p) invalid('INVALID_ARGUMENT', `unknown preset ${JSON.stringify(opts.preset)}; see PRESETS for the names`);
  return p;
}

const ST_MARKERS = /^(modules\.json|config_sentence_transformers\.json|sentence_bert_config\.json|1_Pooling\/config\.json|stopwords\.txt)$/;
const M3_MARKERS = /(^|\/)(trident\.json|sparse_linear\.(pt|safetensors)|colbert_linear\.(pt|safetensors))$/;

/** Kind of a source with no preset and no `kind` option (see the module doc). */
async function detectKind(source: string, opts: LoadEncoderOptions): Promise<EncoderKind | 'family'> {
  if (FAMILY_ONLY.some((k) => opts[k] !== undefined)) return 'family';
  if (source.startsWith('builtin:')) return 'm3';
  const dir = resolve(source);
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    /* a hub id */
  }
  if (!isDir) return 'm3';
  const files = await listFiles(dir);
  if (files.some((f) => M3_MARKERS.test(f))) return 'm3';
  const vocabOnly = files.includes('vocab.txt') && !files.some((f) => /(^|\/)tokenizer\.json$/.test(f));
  return vocabOnly || files.some((f) => ST_MARKERS.test(f)) ? 'family' : 'm3';
}

function checkSource(source: unknown): asserts source is string {
  if (typeof source !== 'string' || source.length === 0) {
    throw new ModelError('MODEL_NOT_FOUND', 'the model source must be a hub id (BAAI/bge-m3), a directory, or builtin:<name>');
  }
}

/**
 * Loads an encoder: a hub id (`BAAI/bge-m3`, `intfloat/multilingual-e5-small`,
 * `prithivida/Splade_PP_en_v1`, `Qdrant/bm42-all-minilm-l6-v2-attentions`,
 * `colbert-ir/colbertv2.0`, … see `PRESETS`), a local directory in any of those layouts, or
 * `builtin:<name>`. The preset matched by `opts.preset` or `source` says what kind of model it
 * is and which conventions it follows; options override the preset.
 *
 * @example
 * ```ts
 * const enc = await loadEncoder('BAAI/bge-m3', { dtype: 'fp32', threads: 2, onProgress: (p) => console.log(p.file, p.loaded) });
 * const [q] = await enc.encode(['What is BGE M3?'], { role: 'query' });
 * const e5 = await loadEncoder('./e5-small-onnx', { preset: 'multilingual-e5' }); // 'query: ' / 'passage: ' prefixes
 * await enc.close();
 * ```
 */
export async function loadEncoder(source: string, opts: LoadEncoderOptions = {}): Promise<Encoder> {
  checkLoadOptions('loadEncoder() options', opts);
  return loadChecked(source, opts, 'detect');
}

/**
 * {@link loadEncoder} after option validation. `fallback` is the backend of a source that has
 * neither a preset nor `opts.kind`: `detect` looks at its files, `family` (loadByRole, whose
 * parts are SPLADE/dense pairs) takes the family backend.
 */
export async function loadChecked(source: string, opts: LoadEncoderOptions, fallback: 'detect' | 'family'): Promise<Encoder> {
  checkSource(source);
  const preset = pickPreset(source, opts);
  const kind = opts.kind ?? preset?.config.kind ?? (preset || fallback === 'family' ? 'family' : await detectKind(source, opts));
  if (kind !== 'm3') return loadFamily(source, opts, preset);
  const refused = FAMILY_ONLY.filter((k) => opts[k] !== undefined);
  if (refused.length > 0) invalid('INVALID_ARGUMENT', `${refused.join(', ')} ${refused.length > 1 ? 'apply' : 'applies'} to the dense/SPLADE/BM42/ColBERT presets, not to an M3 layout (${preset?.name ?? source}); remove ${refused.length > 1 ? 'them' : 'it'} or pass { kind } of another family`);
  if (opts.pooling !== undefined && !M3_POOLINGS.includes(opts.pooling)) invalid('INVALID_ARGUMENT', `an M3 layout pools with ${M3_POOLINGS.join(', ')}; got ${JSON.stringify(opts.pooling)}`);
  return loadM3(source, opts);
}

/**
 * Loads a model through the family backend whatever its files look like (kind `dense` unless
 * the preset, the model's files or `opts.kind` say otherwise).
 *
 * @deprecated use {@link loadEncoder}, which picks the backend from the preset and the files;
 * pass `{ kind }` or `{ preset }` to force one.
 * @example
 * ```ts
 * const splade = await loadFamilyEncoder('prithivida/Splade_PP_en_v1'); // same as loadEncoder(…)
 * ```
 */
export async function loadFamilyEncoder(source: string, opts: LoadEncoderOptions = {}): Promise<FamilyEncoder> {
  checkLoadOptions('loadFamilyEncoder() options', opts);
  checkSource(source);
  const preset = pickPreset(source, opts);
  if (opts.kind === 'm3' || (opts.kind === undefined && preset?.config.kind === 'm3')) {
    invalid('INVALID_ARGUMENT', `${preset?.name ?? source} is an M3 layout: load it with loadEncoder()`);
  }
  return loadFamily(source, opts, preset);
}
