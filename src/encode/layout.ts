/**
 * Which files of a model repository/directory the encoder needs, decided from file
 * names only (the same rule for hub downloads and local directories):
 * one ONNX graph (fp32 or int8 per `dtype`), its external-data sidecars, the
 * tokenizer files (`vocab.txt` for BERT models without tokenizer.json), `config.json`,
 * the two M3 head files if present, `trident.json`, and the sentence-transformers /
 * PyLate / BM42 extras of the other presets (modules.json, 1_Pooling/, 1_Dense/,
 * stopwords.txt, idf.json). What the graph outputs (three-output vs backbone) is decided
 * later from the session.
 */
import { readdir } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { ModelError } from '../errors.js';

/** Relative `/` paths of the files in `dir`, `maxDepth` directory levels deep (hidden entries skipped). */
export async function listFiles(dir: string, maxDepth = 2): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory() && depth < maxDepth) await walk(p, depth + 1);
      else if (e.isFile() || e.isSymbolicLink()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir, 0);
  return out;
}

/** Files chosen for one model. Paths are relative, `/`-separated. */
export interface ModelFiles {
  onnx: string;
  externalData: string[];
  tokenizer: string;
  tokenizerConfig?: string;
  specialTokensMap?: string;
  config?: string;
  sparseHead?: string;
  colbertHead?: string;
  trident?: string;
  /** Precision of the chosen graph. */
  dtype: 'fp32' | 'int8';
}

const INT8 = /(quant|int8|uint8|qint8|q8)/i;
const SKIP = /(fp16|f16|half|q4|bnb4|int4|uint4|q4f16)/i;

function kind(p: string): 'fp32' | 'int8' | 'skip' {
  const b = posix.basename(p);
  if (SKIP.test(b)) return 'skip';
  return INT8.test(b) ? 'int8' : 'fp32';
}

function nameRank(p: string): number {
  const b = posix.basename(p);
  const order = ['model.onnx', 'model_quantized.onnx', 'model_int8.onnx', 'model_qint8.onnx'];
  const i = order.indexOf(b);
  return i < 0 ? order.length : i;
}

function pickNear(all: Set<string>, dir: string, names: string[]): string | undefined {
  for (const d of [dir, '']) {
    for (const n of names) {
      const p = d ? `${d}/${n}` : n;
      if (all.has(p)) return p;
    }
  }
  return undefined;
}

/**
 * Chooses the files to use among `paths` (relative paths of a repo or directory).
 * Throws MODEL_NOT_FOUND (naming `where`) if no usable ONNX graph or tokenizer exists.
 *
 * @example
 * ```ts
 * selectModelFiles(['onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json'], 'fp32', 'BAAI/bge-m3').onnx; // 'onnx/model.onnx'
 * ```
 */
export function selectModelFiles(paths: readonly string[], dtype: 'fp32' | 'int8', where: string): ModelFiles {
  const all = new Set(paths);
  const graphs = paths.filter((p) => p.endsWith('.onnx') && kind(p) !== 'skip');
  if (graphs.length === 0) {
    throw new ModelError('MODEL_NOT_FOUND', `${where}: no ONNX model file (model.onnx, onnx/model.onnx, model_quantized.onnx, …) found; point to a directory or hub repo with an ONNX export of the model`);
  }
  const depth = (p: string): number => p.split('/').length;
  graphs.sort((a, b) => {
    const ka = kind(a) === dtype ? 0 : 1;
    const kb = kind(b) === dtype ? 0 : 1;
    return ka - kb || depth(a) - depth(b) || nameRank(a) - nameRank(b) || a.localeCompare(b);
  });
  const onnx = graphs[0]!;
  const dir = posix.dirname(onnx) === '.' ? '' : posix.dirname(onnx);
  const base = posix.basename(onnx);
  const externalData = paths.filter((p) => {
    const d = posix.dirname(p) === '.' ? '' : posix.dirname(p);
    const b = posix.basename(p);
    return d === dir && b !== base && (b.startsWith(`${base}_data`) || b.startsWith(`${base}.data`));
  });
  const tokenizer = pickNear(all, dir, ['tokenizer.json']);
  if (!tokenizer) {
    throw new ModelError('MODEL_NOT_FOUND', `${where}: tokenizer.json is missing; copy the model's tokenizer.json next to ${onnx}`);
  }
  const files: ModelFiles = { onnx, externalData, tokenizer, dtype: kind(onnx) === 'int8' ? 'int8' : 'fp32' };
  const opt = (key: 'tokenizerConfig' | 'specialTokensMap' | 'config' | 'sparseHead' | 'colbertHead' | 'trident', names: string[]): void => {
    const p = pickNear(all, dir, names);
    if (p) files[key] = p;
  };
  opt('tokenizerConfig', ['tokenizer_config.json']);
  opt('specialTokensMap', ['special_tokens_map.json']);
  opt('config', ['config.json']);
  opt('sparseHead', ['sparse_linear.safetensors', 'sparse_linear.pt']);
  opt('colbertHead', ['colbert_linear.safetensors', 'colbert_linear.pt']);
  opt('trident', ['trident.json']);
  return files;
}

/** Every path of a {@link ModelFiles}. */
export function listModelFiles(f: ModelFiles): string[] {
  return [f.onnx, ...f.externalData, f.tokenizer, f.tokenizerConfig, f.specialTokensMap, f.config, f.sparseHead, f.colbertHead, f.trident].filter((x): x is string => typeof x === 'string');
}

/**
 * File lists of well-known hub repos, used when the hub's file-listing API is not
 * reachable (mirrors that only serve `resolve/`).
 */
export const KNOWN_REPO_FILES: Readonly<Record<string, readonly string[]>> = {
  'BAAI/bge-m3': ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'sparse_linear.pt', 'colbert_linear.pt', 'onnx/model.onnx', 'onnx/model.onnx_data'],
  'aapot/bge-m3-onnx': ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.onnx', 'model.onnx.data'],
  'Xenova/bge-m3': ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model_quantized.onnx'],
};

/** Files a non-M3 preset reads besides {@link ModelFiles}. */
export interface FamilyFiles extends ModelFiles {
  stopwords?: string;
  /** Query token weights of document-only SPLADE (`idf.json`: token string → weight). */
  idf?: string;
}

/** Extra (non-graph) files a non-M3 preset may need, for downloads. */
export const FAMILY_EXTRA_FILES = ['modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', '1_Pooling/config.json', '1_Dense/config.json', '1_Dense/model.safetensors', '1_Dense/pytorch_model.bin', 'stopwords.txt', 'idf.json', 'tokenizer_config.json', 'special_tokens_map.json', 'config.json'];

/**
 * Chooses the files of a non-M3 model among `paths` (`vocab.txt` is the tokenizer of a model
 * that has no tokenizer.json).
 *
 * @example
 * ```ts
 * selectFamilyFiles(['onnx/model.onnx', 'tokenizer.json', 'stopwords.txt'], 'fp32', 'dir').stopwords; // 'stopwords.txt'
 * ```
 */
export function selectFamilyFiles(paths: readonly string[], dtype: 'fp32' | 'int8', where: string): FamilyFiles {
  // BERT / BertJapanese models without tokenizer.json (Ruri v1/v2): vocab.txt stands in for it
  const vocab = paths.some((p) => /(^|\/)tokenizer\.json$/.test(p)) ? undefined : paths.find((p) => /(^|\/)vocab\.txt$/.test(p));
  const virtual = vocab ? vocab.replace(/vocab\.txt$/, 'tokenizer.json') : undefined;
  const files: FamilyFiles = selectModelFiles(virtual ? [...paths, virtual] : paths, dtype, where);
  if (vocab && files.tokenizer === virtual) files.tokenizer = vocab;
  if (paths.includes('stopwords.txt')) files.stopwords = 'stopwords.txt';
  if (paths.includes('idf.json')) files.idf = 'idf.json';
  return files;
}
