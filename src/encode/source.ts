/**
 * Resolves a model `source` to a local directory and its chosen files:
 * - `builtin:<name>` → `<package root>/src/models/<name>/` (package root found by walking
 *   up from this module to trident's package.json, so it works from src/ and dist/);
 * - an existing directory (absolute or relative path) → that directory;
 * - `owner/name` → the Hugging Face hub, through the download cache (hub.ts).
 * {@link resolveSource} picks the files of an M3 layout, {@link resolveModelDir} those of the
 * other presets (sentence-transformers / PyLate / BM42 extras included).
 */
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../errors.js';
import { ensureHubFiles, isHubId, resolveHubModel, type ResolvedModel } from './hub.js';
import { FAMILY_EXTRA_FILES, listFiles, listModelFiles, selectFamilyFiles, selectModelFiles } from './layout.js';
import type { LoadEncoderOptions } from './types.js';

/**
 * The package root (directory of trident's package.json).
 *
 * @example
 * ```ts
 * packageRoot(); // '/app/node_modules/trident'
 * ```
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'trident') return dir;
      } catch {
        /* keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ModelError('MODEL_NOT_FOUND', 'cannot locate the trident package root for builtin models');
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the model's directory and files for `source`.
 *
 * @example
 * ```ts
 * const { dir, files } = await resolveSource('./models/bge-m3', { dtype: 'int8' });
 * ```
 */
export async function resolveSource(source: string, opts: LoadEncoderOptions): Promise<ResolvedModel> {
  if (typeof source !== 'string' || source.length === 0) {
    throw new ModelError('MODEL_NOT_FOUND', 'the model source must be a hub id (BAAI/bge-m3), a directory, or builtin:<name>');
  }
  const dtype = opts.dtype ?? 'fp32';
  let dir: string | undefined;
  if (source.startsWith('builtin:')) {
    const name = source.slice('builtin:'.length);
    if (!/^[\w.-]+$/.test(name) || name.includes('..')) throw new ModelError('MODEL_NOT_FOUND', `bad builtin model name ${JSON.stringify(name)}`);
    dir = join(packageRoot(), 'src', 'models', name);
    if (!(await isDir(dir))) throw new ModelError('MODEL_NOT_FOUND', `builtin model "${name}" is not installed (looked in ${dir})`);
  } else if (await isDir(resolve(source))) {
    dir = resolve(source);
  }
  if (dir) return { dir, files: selectModelFiles(await listFiles(dir, 1), dtype, dir) };
  if (isHubId(source)) return resolveHubModel(source, opts);
  throw new ModelError('MODEL_NOT_FOUND', `${source} is neither a directory nor a hub id (owner/name)`);
}

/**
 * Local directory of `source` for the non-M3 presets: a directory is used as is; `owner/name`
 * is fetched into the shared Hugging Face cache (the chosen ONNX graph + external data,
 * tokenizer files, config.json and the {@link FAMILY_EXTRA_FILES} that exist).
 *
 * @example
 * ```ts
 * const dir = await resolveModelDir('intfloat/multilingual-e5-small', { dtype: 'int8' });
 * ```
 */
export async function resolveModelDir(source: string, opts: LoadEncoderOptions): Promise<string> {
  if (await isDir(resolve(source))) return resolve(source);
  if (!isHubId(source)) throw new ModelError('MODEL_NOT_FOUND', `${source} is neither a directory nor a hub id (owner/name)`);
  const dtype = opts.dtype ?? 'fp32';
  const snap = await ensureHubFiles(
    source,
    (listing) => {
      const files = selectFamilyFiles(listing, dtype, source);
      return [...new Set([...listModelFiles(files), ...FAMILY_EXTRA_FILES.filter((f) => listing.includes(f))])];
    },
    opts,
  );
  return snap.dir;
}
