/**
 * Finds a family model's files in a local directory (or a hub cache directory): the ONNX
 * graph (via the encode stage's file-name rules), tokenizer files, config.json and the
 * sentence-transformers / PyLate / BM42 extras (modules.json, 1_Pooling/, 1_Dense/,
 * config_sentence_transformers.json, sentence_bert_config.json, stopwords.txt, idf.json).
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { selectModelFiles, type ModelFiles } from '../encode/layout.js';

/** Relative `/` paths of the files in `dir`, two directory levels deep (hidden entries skipped). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 2) await walk(p, depth + 1);
      else if (e.isFile() || e.isSymbolicLink()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir, 0);
  return out;
}

/** Files a family encoder reads. */
export interface FamilyFiles extends ModelFiles {
  stopwords?: string;
  /** Query token weights of document-only SPLADE (`idf.json`: token string → weight). */
  idf?: string;
}

/** Extra (non-graph) files a family model may need, for downloads. */
export const FAMILY_EXTRA_FILES = [
  'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', '1_Pooling/config.json',
  '1_Dense/config.json', '1_Dense/model.safetensors', '1_Dense/pytorch_model.bin', 'stopwords.txt', 'idf.json',
  'tokenizer_config.json', 'special_tokens_map.json', 'config.json',
];

/**
 * Chooses the files of a family model among `paths` (`vocab.txt` is the tokenizer of a model
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
