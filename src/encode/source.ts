/**
 * Resolves a model `source` to a local directory and its chosen files:
 * - `builtin:<name>` → `<package root>/src/models/<name>/` (package root found by walking
 *   up from this module to trident's package.json, so it works from src/ and dist/);
 * - an existing directory (absolute or relative path) → that directory;
 * - `owner/name` → the Hugging Face hub, through the download cache (hub.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../errors.js';
import { isHubId, resolveHubModel, type ResolvedModel } from './hub.js';
import { selectModelFiles } from './layout.js';
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
      } catch { /* keep walking */ }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ModelError('MODEL_NOT_FOUND', 'cannot locate the trident package root for builtin models');
}

/** Relative paths of files in `dir` (two levels deep, hidden entries skipped). */
async function listDir(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 1) await walk(p, depth + 1);
      else if (e.isFile() || e.isSymbolicLink()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir, 0);
  return out;
}

async function isDir(p: string): Promise<boolean> {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
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
  if (dir) return { dir, files: selectModelFiles(await listDir(dir), dtype, dir) };
  if (isHubId(source)) return resolveHubModel(source, opts);
  throw new ModelError('MODEL_NOT_FOUND', `${source} is neither a directory nor a hub id (owner/name)`);
}
