/**
 * Hub access for family models: a local directory is used as is; `owner/name` is fetched
 * into the same cache as the M3 loader (`<cacheDir>/hub/<owner>--<name>/<revision>/`) with
 * the encode stage's verified downloader. Files: the chosen ONNX graph (+ external data),
 * tokenizer files, config.json and the family extras ({@link FAMILY_EXTRA_FILES}) that exist.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelError } from '../errors.js';
import { downloadFile } from '../encode/download.js';
import { defaultCacheDir, isHubId, isOffline } from '../encode/hub.js';
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
  const revision = opts.revision ?? 'main';
  if (!/^[\w.\-/]+$/.test(revision) || revision.includes('..')) throw new ModelError('MODEL_NOT_FOUND', `revision ${JSON.stringify(revision)} is not a valid branch, tag or commit`);
  const dtype = opts.dtype ?? 'fp32';
  const dir = join(defaultCacheDir(opts), 'hub', source.replace('/', '--'), revision.replace(/\//g, '--'));
  const marker = join(dir, `.trident-family-${dtype}.json`);
  try { await readFile(marker); return dir; } catch { /* not complete yet */ }
  if (isOffline(opts)) throw new ModelError('OFFLINE', `${source}@${revision} is not in the cache ${dir} and offline mode is on; run once online or pass a local directory`);
  const endpoint = (opts.hubUrl ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  let listing: string[];
  try {
    const res = await fetch(`${endpoint}/api/models/${source}/revision/${encodeURIComponent(revision)}`, { signal: AbortSignal.timeout(opts.downloadTimeoutMs ?? 30_000) });
    if (res.status === 404 || res.status === 401) throw new ModelError('MODEL_NOT_FOUND', `${source}@${revision} is not on ${endpoint} (HTTP ${res.status})`);
    if (!res.ok) throw new ModelError('DOWNLOAD_FAILED', `listing ${source} on ${endpoint} failed with HTTP ${res.status}; retry later`);
    const body = (await res.json()) as { siblings?: Array<{ rfilename?: string }> };
    listing = (body.siblings ?? []).map((s) => s.rfilename).filter((x): x is string => typeof x === 'string');
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError('DOWNLOAD_FAILED', `cannot reach ${endpoint} to list ${source} (${(e as Error).message})`, { cause: e });
  }
  const files = selectFamilyFiles(listing, dtype, source);
  const want = new Set([...listModelFiles(files), ...FAMILY_EXTRA_FILES.filter((f) => listing.includes(f))]);
  for (const p of want) {
    const dest = join(dir, ...p.split('/'));
    try { await stat(dest); continue; } catch { /* download */ }
    const dl: Parameters<typeof downloadFile>[2] = { label: `${source}/${p}` };
    if (opts.onProgress) dl.onProgress = opts.onProgress;
    if (opts.downloadTimeoutMs !== undefined) dl.timeoutMs = opts.downloadTimeoutMs;
    if (opts.downloadRetries !== undefined) dl.retries = opts.downloadRetries;
    await downloadFile(`${endpoint}/${source}/resolve/${encodeURIComponent(revision)}/${p.split('/').map(encodeURIComponent).join('/')}`, dest, dl);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(`${marker}.tmp`, JSON.stringify({ files: [...want] }));
  await rename(`${marker}.tmp`, marker);
  return dir;
}
