/**
 * Hugging Face hub access through `@huggingface/hub` (loaded on first use), into the shared
 * Hugging Face cache, so a model downloaded once by Python's huggingface_hub, transformers,
 * transformers.js or trident is reused by all of them.
 *
 * Cache layout (huggingface_hub's): `<cache>/models--<org>--<name>/` with `blobs/<etag>`
 * (sha256 for LFS files, git blob sha1 for the others), `snapshots/<commit>/<repo path>`
 * (relative symlinks to the blobs; copies where symlinks fail) and `refs/<revision>` (the
 * commit a branch or tag pointed at). `<cache>` is `opts.cacheDir`, else `HF_HUB_CACHE`, else
 * `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 *
 * Online: `modelInfo` gives the revision's commit and file list, `pathsInfo` the size and hash
 * of each needed file, and each missing blob is transferred and verified (download.ts).
 * Offline (`offline: true`, TRIDENT_OFFLINE=1 or HF_HUB_OFFLINE=1): `refs/<revision>` and the
 * snapshot folder alone decide, with no request. Auth: `accessToken`, else `HF_TOKEN`, else
 * `HUGGING_FACE_HUB_TOKEN`, else the token file `huggingface-cli login` writes.
 */
import { lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, copyFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { InvalidArgumentError, ModelError, TridentError } from '../errors.js';
import { downloadBlob, verifyBlob, type ExpectedBlob } from './download.js';
import { listModelFiles, selectModelFiles, type ModelFiles } from './layout.js';
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

type HubOptions = Pick<LoadEncoderOptions, 'cacheDir' | 'offline' | 'hubUrl' | 'revision' | 'onProgress' | 'downloadTimeoutMs' | 'downloadRetries' | 'accessToken'>;

/**
 * The Hugging Face hub cache directory (see the module comment for the order).
 *
 * @example
 * ```ts
 * defaultCacheDir({}); // '/home/me/.cache/huggingface/hub'
 * ```
 */
export function defaultCacheDir(opts: Pick<LoadEncoderOptions, 'cacheDir'>): string {
  if (opts.cacheDir) return opts.cacheDir;
  const env = process.env;
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  return join(hfHome(), 'hub');
}

function hfHome(): string {
  return process.env.HF_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
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

/** The access token: `opts.accessToken`, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, or `$HF_HOME/token`. */
async function hubToken(opts: HubOptions): Promise<string | undefined> {
  let t = opts.accessToken ?? process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN;
  let from = opts.accessToken !== undefined ? 'accessToken' : process.env.HF_TOKEN !== undefined ? 'HF_TOKEN' : 'HUGGING_FACE_HUB_TOKEN';
  if (t === undefined) {
    const file = process.env.HF_TOKEN_PATH ?? join(hfHome(), 'token');
    t = await readFile(file, 'utf8').then(
      (s) => s.trim(),
      () => undefined,
    );
    from = file;
  }
  if (!t) return undefined;
  if (!t.startsWith('hf_')) throw new InvalidArgumentError('INVALID_ARGUMENT', `the Hugging Face access token from ${from} does not start with 'hf_'; create one at https://huggingface.co/settings/tokens`);
  return t;
}

function endpointOf(opts: HubOptions): string {
  return (opts.hubUrl ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

function checkRevision(revision: string): void {
  if (!/^[\w.\-/]+$/.test(revision) || revision.includes('..')) {
    throw new ModelError('MODEL_NOT_FOUND', `revision ${JSON.stringify(revision)} is not a valid branch, tag or commit`);
  }
}

/** `<cache>/models--<org>--<name>`. */
export function repoStorage(cache: string, repo: string): string {
  return join(cache, `models--${repo.split('/').join('--')}`);
}

const COMMIT = /^[0-9a-f]{40}$/;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Every file (or symlink to an existing file) under `dir`, as repo paths. */
async function listSnapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if ((e.isFile() || e.isSymbolicLink()) && (await exists(p))) out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  await walk(dir);
  return out;
}

/** Maps `@huggingface/hub` and network errors to typed errors. */
function hubError(e: unknown, what: string, endpoint: string): TridentError {
  if (e instanceof TridentError) return e;
  const status = (e as { statusCode?: number })?.statusCode;
  if (status === 404) return new ModelError('MODEL_NOT_FOUND', `${what} is not on ${endpoint} (HTTP 404); check the model id and revision`, { cause: e });
  if (status === 401 || status === 403) {
    return new ModelError('MODEL_NOT_FOUND', `${what}: ${endpoint} answered HTTP ${status}; the repo is private, gated or missing: check the id, accept its terms on the hub and set HF_TOKEN`, { cause: e });
  }
  const msg = (e as Error)?.message ?? String(e);
  return new ModelError('DOWNLOAD_FAILED', `${what}: ${status ? `${endpoint} answered HTTP ${status}` : `cannot reach ${endpoint} (${msg})`}; check the network or HF_ENDPOINT, retry later, or use offline mode with a cached model`, { cause: e });
}

/** A snapshot of one repo in the cache: its folder and the repo paths it holds. */
export interface Snapshot {
  dir: string;
  commit: string;
  paths: string[];
}

/**
 * Makes the files `choose(listing)` picks from a hub repo available in the Hugging Face cache
 * and returns the snapshot folder. Offline, the cached snapshot of `revision` is used as it is
 * (`choose` sees what it holds) and no request is made.
 *
 * @example
 * ```ts
 * const snap = await ensureHubFiles('BAAI/bge-m3', (files) => files.filter((f) => f.endsWith('.json')), {});
 * ```
 */
export async function ensureHubFiles(repo: string, choose: (listing: string[]) => string[], opts: HubOptions): Promise<Snapshot> {
  const revision = opts.revision ?? 'main';
  checkRevision(revision);
  const storage = repoStorage(defaultCacheDir(opts), repo);
  if (isOffline(opts)) {
    const commit = COMMIT.test(revision)
      ? revision
      : await readFile(join(storage, 'refs', revision), 'utf8').then(
          (s) => s.trim(),
          () => undefined,
        );
    const dir = commit ? join(storage, 'snapshots', commit) : undefined;
    const paths = dir ? await listSnapshot(dir) : [];
    if (!commit || !dir || paths.length === 0) {
      throw new ModelError('OFFLINE', `${repo}@${revision} is not in the Hugging Face cache ${storage} and offline mode is on (opts.offline / TRIDENT_OFFLINE / HF_HUB_OFFLINE); run once online or pass a local directory`);
    }
    let chosen: string[];
    try {
      chosen = choose(paths);
    } catch (e) {
      throw new ModelError('OFFLINE', `${repo}@${revision}: the cached snapshot ${dir} lacks files this model needs (${(e as Error).message}) and offline mode is on; run once online`, { cause: e });
    }
    const held = new Set(paths);
    const missing = chosen.filter((p) => !held.has(p));
    if (missing.length > 0) throw new ModelError('OFFLINE', `${repo}@${revision}: the cached snapshot ${dir} lacks ${missing.join(', ')} and offline mode is on; run once online`);
    return { dir, commit, paths };
  }
  const hub = await import('@huggingface/hub');
  const endpoint = endpointOf(opts);
  const accessToken = await hubToken(opts);
  const apiTimeout = opts.downloadTimeoutMs ?? 30_000;
  const apiFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(apiTimeout)]) : AbortSignal.timeout(apiTimeout) });
  const common = { hubUrl: endpoint, fetch: apiFetch, ...(accessToken ? { accessToken } : {}) };
  let commit: string;
  let listing: string[];
  try {
    const info = await hub.modelInfo({ name: repo, revision, additionalFields: ['sha', 'filePaths'], ...common });
    if (typeof info.sha !== 'string' || !COMMIT.test(info.sha)) throw new ModelError('DOWNLOAD_FAILED', `${endpoint} gave no commit for ${repo}@${revision}; retry later`);
    commit = info.sha;
    listing = (info.filePaths ?? []).filter((x): x is string => typeof x === 'string');
  } catch (e) {
    throw hubError(e, `${repo}@${revision}`, endpoint);
  }
  if (listing.length === 0) throw new ModelError('MODEL_NOT_FOUND', `${repo}@${revision} on ${endpoint} lists no files`);
  const chosen = choose(listing);
  const dir = join(storage, 'snapshots', commit);
  let infos: Awaited<ReturnType<typeof hub.pathsInfo>>;
  try {
    infos = await hub.pathsInfo({ repo, paths: chosen, revision: commit, ...common });
  } catch (e) {
    throw hubError(e, `${repo}@${commit}`, endpoint);
  }
  const byPath = new Map(infos.map((i) => [i.path, i]));
  for (const p of chosen) {
    const info = byPath.get(p);
    if (!info || typeof info.size !== 'number') throw new ModelError('MODEL_NOT_FOUND', `${repo}@${commit}: the hub has no file ${p}`);
    const etag = info.lfs?.oid ?? info.oid;
    if (!etag || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(etag)) throw new ModelError('DOWNLOAD_FAILED', `${repo}@${commit}: the hub gave no usable hash for ${p}; retry later`);
    const want: ExpectedBlob = info.lfs ? { size: info.lfs.size ?? info.size, sha256: info.lfs.oid } : { size: info.size, gitSha1: info.oid };
    const pointer = join(dir, ...p.split('/'));
    if (await exists(pointer)) continue; // a snapshot file is only ever linked to a complete blob
    const blob = join(storage, 'blobs', etag);
    if (!(await exists(blob)) || !(await verifyBlob(blob, want))) {
      const url = `${endpoint}/${repo}/resolve/${commit}/${p.split('/').map(encodeURIComponent).join('/')}`;
      await downloadBlob(
        async (signal) => {
          const dlFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal });
          return hub.downloadFile({ repo, path: p, revision: commit, hubUrl: endpoint, fetch: dlFetch, xet: false, downloadInfo: { etag, size: want.size, url }, ...(accessToken ? { accessToken } : {}) });
        },
        blob,
        want,
        { label: `${repo}/${p}`, onProgress: opts.onProgress, timeoutMs: opts.downloadTimeoutMs, retries: opts.downloadRetries },
      );
    }
    await linkPointer(blob, pointer);
  }
  if (revision !== commit) await writeAtomic(join(storage, 'refs', ...revision.split('/')), commit);
  return { dir, commit, paths: await listSnapshot(dir) };
}

/** `snapshots/<commit>/<path>` → relative symlink to the blob (a copy where symlinks fail). */
async function linkPointer(blob: string, pointer: string): Promise<void> {
  await mkdir(dirname(pointer), { recursive: true });
  await lstat(pointer).then(
    () => rm(pointer, { force: true }),
    () => undefined,
  );
  try {
    await symlink(relative(dirname(pointer), blob), pointer);
  } catch {
    await copyFile(blob, `${pointer}.tmp`);
    await rename(`${pointer}.tmp`, pointer);
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/**
 * Makes a hub model available in the Hugging Face cache (downloading what is missing) and
 * returns its snapshot folder and chosen files. Backbone-only repos listed in
 * {@link HEADS_FROM} get their M3 heads from the repo named there (its own cache folder).
 *
 * @example
 * ```ts
 * const { dir, files } = await resolveHubModel('BAAI/bge-m3', { dtype: 'fp32' });
 * ```
 */
export async function resolveHubModel(repo: string, opts: LoadEncoderOptions = {}): Promise<ResolvedModel> {
  const dtype = opts.dtype ?? 'fp32';
  const offline = isOffline(opts);
  let files: ModelFiles | undefined;
  const snap = await ensureHubFiles(
    repo,
    (listing) => {
      files = selectModelFiles(listing, dtype, repo);
      // offline the snapshot may hold only some of the repo's graphs: never load another precision silently
      if (offline && files.dtype !== dtype) throw new ModelError('OFFLINE', `the cached snapshot holds a ${files.dtype} graph but not the ${dtype} one; pass dtype '${files.dtype}' or run once online`);
      return listModelFiles(files);
    },
    opts,
  );
  const chosen = files!;
  const headsRepo = HEADS_FROM[repo];
  if (headsRepo && !chosen.sparseHead && !chosen.colbertHead) {
    // e.g. Xenova/bge-m3 has the backbone only: take the heads from BAAI/bge-m3 (main).
    const heads = ['sparse_linear.pt', 'colbert_linear.pt'];
    const { revision: _r, ...rest } = opts;
    const other = await ensureHubFiles(
      headsRepo,
      (listing) => {
        const miss = heads.filter((h) => !listing.includes(h));
        if (miss.length > 0) throw new ModelError('MODEL_NOT_FOUND', `${headsRepo} has no ${miss.join(', ')}`);
        return heads;
      },
      rest,
    );
    const rel = relative(snap.dir, other.dir).split('\\').join('/');
    chosen.sparseHead = `${rel}/sparse_linear.pt`;
    chosen.colbertHead = `${rel}/colbert_linear.pt`;
  }
  return { dir: snap.dir, files: chosen };
}
