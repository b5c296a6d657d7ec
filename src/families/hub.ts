/**
 * Hub access for family models: a local directory is used as is; `owner/name` is fetched
 * into the shared Hugging Face cache by the encode stage's hub client (`ensureHubFiles`,
 * `@huggingface/hub`). Files: the chosen ONNX graph (+ external data), tokenizer files,
 * config.json and the family extras ({@link FAMILY_EXTRA_FILES}) that exist.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ModelError } from '../errors.js';
import { ensureHubFiles, isHubId } from '../encode/hub.js';
import { listModelFiles } from '../encode/layout.js';
import type { LoadEncoderOptions } from '../encode/types.js';
import { FAMILY_EXTRA_FILES, selectFamilyFiles } from './files.js';

async function isDir(p: string): Promise<boolean> {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}

/**
 * Local directory of `source` (downloading a hub repo's needed files when required).
 *
 * @example
 * ```ts
 * const dir = await resolveFamilyHub('intfloat/multilingual-e5-small', { dtype: 'int8' });
 * ```
 */
export async function resolveFamilyHub(source: string, opts: LoadEncoderOptions): Promise<string> {
  if (await isDir(resolve(source))) return resolve(source);
  if (!isHubId(source)) throw new ModelError('MODEL_NOT_FOUND', `${source} is neither a directory nor a hub id (owner/name)`);
  const dtype = opts.dtype ?? 'fp32';
  const snap = await ensureHubFiles(source, (listing) => {
    const files = selectFamilyFiles(listing, dtype, source);
    return [...new Set([...listModelFiles(files), ...FAMILY_EXTRA_FILES.filter((f) => listing.includes(f))])];
  }, opts);
  return snap.dir;
}
