/**
 * Hugging Face hub client (our own, over fetch): lists a repo's files, picks the ones
 * the encoder needs ({@link selectModelFiles}), downloads them into the cache and
 * records a completion manifest so later runs (and offline mode) reuse them.
 *
 * Cache layout: `<cacheDir>/hub/<owner>--<name>/<revision>/<repo paths…>` plus
 * `.trident-<dtype>.json` = `{ files: [{ path, size }] }`, written last. A complete
 * manifest is trusted without network access; delete the directory to refresh a
 * moving revision such as `main`.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ModelError } from '../errors.js';
import { downloadFile } from './download.js';
import { KNOWN_REPO_FILES, listModelFiles, selectModelFiles, type ModelFiles } from './layout.js';
import type { LoadEncoderOptions } from './types.js';

/**
 * Backbone-only hub exports that ship without the M3 heads, and the repo whose
 * `sparse_linear.pt` / `colbert_linear.pt` fit them (same base model).
 */
export const HEADS_FROM: Readonly<Record<string, string>> = { 'Xenova/bge-m3': 'BAAI/bge-m3' };

/** Where the model ended up. */
export interface ResolvedModel {
  dir: string;
  files: ModelFiles;
}

/**
 * The cache directory: `opts.cacheDir`, env TRIDENT_CACHE, else `~/.cache/trident`.
 *
 * @example
 * ```ts
 * defaultCacheDir({}); // '/home/me/.cache/trident'
 * ```
 */
export function defaultCacheDir(opts: Pick<LoadEncoderOptions, 'cacheDir'>): string {
  return opts.cacheDir ?? process.env.TRIDENT_CACHE ?? join(homedir(), '.cache', 'trident');
}

/** Offline if `opts.offline`, else env TRIDENT_OFFLINE=1 or HF_HUB_OFFLINE=1. */
export function isOffline(opts: Pick<LoadEncoderOptions, 'offline'>): boolean {
  if (opts.offline !== undefined) return opts.offline;
  const on = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v);
  return on(process.env.TRIDENT_OFFLINE) || on(process.env.HF_HUB_OFFLINE);
}

/** `owner/name` with safe characters only. */
export function isHubId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(s) && !s.includes('..');
}

function endpointOf(opts: LoadEncoderOptions): string {
  return (opts.hubUrl ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

interface Manifest { files: Array<{ path: string; size: number }> }

async function readManifest(dir: string, dtype: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, `.trident-${dtype}.json`), 'utf8')) as Manifest;
    for (const f of m.files) {
      if ((await stat(join(dir, f.path))).size !== f.size) return undefined;
    }
    return m;
  } catch {
    return undefined;
  }
}

async function listRepo(endpoint: string, repo: string, revision: string, opts: LoadEncoderOptions): Promise<string[]> {
  const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const timeoutMs = opts.downloadTimeoutMs ?? 30_000;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'trident' } });
  } catch (e) {
    const known = KNOWN_REPO_FILES[repo];
    if (known) return [...known];
    throw new ModelError('DOWNLOAD_FAILED', `cannot reach ${endpoint} to list ${repo} (${(e as Error).message}); check the network, set HF_ENDPOINT, or use offline mode with a cached model`, { cause: e });
  }
  if (res.status === 404 || res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new ModelError('MODEL_NOT_FOUND', `${repo}@${revision} is not on ${endpoint} (HTTP ${res.status}); check the model id and revision`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    const known = KNOWN_REPO_FILES[repo];
    if (known) return [...known];
    throw new ModelError('DOWNLOAD_FAILED', `listing ${repo} on ${endpoint} failed with HTTP ${res.status}; retry later`);
  }
  let body: { siblings?: Array<{ rfilename?: string }> };
  try {
    body = (await res.json()) as typeof body;
  } catch (e) {
    throw new ModelError('DOWNLOAD_FAILED', `the file list of ${repo} from ${endpoint} is not JSON; retry later`, { cause: e });
  }
  const files = (body.siblings ?? []).map((s) => s.rfilename).filter((x): x is string => typeof x === 'string');
  if (files.length === 0) throw new ModelError('MODEL_NOT_FOUND', `${repo}@${revision} on ${endpoint} lists no files`);
  return files;
}

/**
 * Makes a hub model available locally (downloading what is missing) and returns its
 * directory and chosen files.
 *
 * @example
 * ```ts
 * const { dir, files } = await resolveHubModel('BAAI/bge-m3', { dtype: 'fp32' });
 * ```
 */
export async function resolveHubModel(repo: string, opts: LoadEncoderOptions = {}): Promise<ResolvedModel> {
  const revision = opts.revision ?? 'main';
  if (!/^[\w.\-/]+$/.test(revision) || revision.includes('..')) {
    throw new ModelError('MODEL_NOT_FOUND', `revision ${JSON.stringify(revision)} is not a valid branch, tag or commit`);
  }
  const dtype = opts.dtype ?? 'fp32';
  const dir = join(defaultCacheDir(opts), 'hub', repo.replace('/', '--'), revision.replace(/\//g, '--'));
  const cached = await readManifest(dir, dtype);
  if (cached) return { dir, files: selectModelFiles(cached.files.map((f) => f.path), dtype, `${repo} (cache ${dir})`) };
  if (isOffline(opts)) {
    throw new ModelError('OFFLINE', `${repo}@${revision} (${dtype}) is not in the cache ${dir} and offline mode is on (opts.offline / TRIDENT_OFFLINE / HF_HUB_OFFLINE); run once online or pass a local directory`);
  }
  const endpoint = endpointOf(opts);
  const files = selectModelFiles(await listRepo(endpoint, repo, revision, opts), dtype, repo);
  const sources = new Map<string, string>(listModelFiles(files).map((p) => [p, repo]));
  const headsRepo = HEADS_FROM[repo];
  if (headsRepo && !files.sparseHead && !files.colbertHead) {
    // e.g. Xenova/bge-m3 has the backbone only: take the heads from BAAI/bge-m3 (main).
    files.sparseHead = 'sparse_linear.pt';
    files.colbertHead = 'colbert_linear.pt';
    sources.set(files.sparseHead, headsRepo);
    sources.set(files.colbertHead, headsRepo);
  }
  await mkdir(dir, { recursive: true });
  const manifest: Manifest = { files: [] };
  for (const [p, from] of sources) {
    const dest = join(dir, p);
    let size: number | undefined;
    try { size = (await stat(dest)).size; } catch { /* not there yet */ }
    if (size === undefined) {
      const rev = from === repo ? revision : 'main';
      const url = `${endpoint}/${from}/resolve/${encodeURIComponent(rev)}/${p.split('/').map(encodeURIComponent).join('/')}`;
      const dl: Parameters<typeof downloadFile>[2] = { label: `${from}/${p}` };
      if (opts.onProgress) dl.onProgress = opts.onProgress;
      if (opts.downloadTimeoutMs !== undefined) dl.timeoutMs = opts.downloadTimeoutMs;
      if (opts.downloadRetries !== undefined) dl.retries = opts.downloadRetries;
      await downloadFile(url, dest, dl);
      size = (await stat(dest)).size;
    }
    manifest.files.push({ path: p, size });
  }
  const mpath = join(dir, `.trident-${dtype}.json`);
  await writeFile(`${mpath}.tmp`, JSON.stringify(manifest, null, 1));
  await rename(`${mpath}.tmp`, mpath);
  return { dir, files };
}
