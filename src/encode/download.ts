/**
 * One verified, resumable transfer of a hub file into the Hugging Face cache's `blobs/`
 * folder. The bytes come from `@huggingface/hub`'s `downloadFile` (its `WebBlob` does the
 * authenticated, redirect-following HTTP range requests); this module adds what the
 * library's own cache writer lacks:
 *
 * - bytes go to `blobs/<etag>.incomplete` (the name Python's huggingface_hub uses), and a cut
 *   transfer is resumed from its length with a range request (`blob.slice(have)`);
 * - only when the size and the content hash match what the hub's paths-info reported (sha256
 *   for LFS files, the git blob sha1 for the others) is the file renamed to `blobs/<etag>`,
 *   so a later run — or Python, or transformers.js — never trusts a partial or wrong file;
 * - an idle timeout (no byte for `timeoutMs` aborts) and `retries` with backoff, then
 *   DOWNLOAD_FAILED; a hash mismatch is CHECKSUM_MISMATCH and the bytes are deleted.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ModelError } from '../errors.js';
import type { DownloadProgress } from './types.js';

/** What the hub says a file must be. */
export interface ExpectedBlob {
  size: number;
  /** sha256 hex of an LFS file (its etag). */
  sha256?: string | undefined;
  /** git blob sha1 hex of a regular file (its etag). */
  gitSha1?: string | undefined;
}

/** Options of {@link downloadBlob}. */
export interface DownloadOptions {
  onProgress?: ((p: DownloadProgress) => void) | undefined;
  /** Label reported in progress events and errors. */
  label: string;
  /** Abort a transfer that receives no byte for this long (default 30 000 ms). */
  timeoutMs?: number | undefined;
  /** Retries after a failed or cut transfer (default 3). */
  retries?: number | undefined;
}

/** The part of a Blob the transfer needs (`@huggingface/hub`'s WebBlob is one). */
export interface RangeBlob {
  slice(start?: number, end?: number): { stream(): ReadableStream<Uint8Array> };
}

/**
 * Opens the remote file; `signal` aborts its requests (the idle timeout).
 * Returns null when the hub says the file does not exist.
 */
export type OpenRemote = (signal: AbortSignal) => Promise<RangeBlob | null>;

class Retryable extends Error {}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string, algo: 'sha256' | 'sha1', prefix?: string): Promise<string> {
  const h = createHash(algo);
  if (prefix !== undefined) h.update(prefix);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * True when the file at `path` has the expected size and hash.
 *
 * @example
 * ```ts
 * await verifyBlob('/cache/models--BAAI--bge-m3/blobs/ab12…', { size: 1024, sha256: 'ab12…' });
 * ```
 */
export async function verifyBlob(path: string, want: ExpectedBlob): Promise<boolean> {
  if ((await sizeOf(path)) !== want.size) return false;
  if (want.sha256) return (await hashFile(path, 'sha256')) === want.sha256;
  if (want.gitSha1) return (await hashFile(path, 'sha1', `blob ${want.size}\0`)) === want.gitSha1;
  return true;
}

/**
 * Transfers a remote file to `dest` (atomically, verified, resumable).
 *
 * @example
 * ```ts
 * await downloadBlob((signal) => openRemoteFile(signal), '/cache/models--o--n/blobs/<etag>', { size: 10 }, { label: 'o/n/config.json' });
 * ```
 */
export async function downloadBlob(openRemote: OpenRemote, dest: string, want: ExpectedBlob, opts: DownloadOptions): Promise<void> {
  const retries = opts.retries ?? 3;
  await mkdir(dirname(dest), { recursive: true });
  let last: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await attempt1(openRemote, dest, want, opts);
      return;
    } catch (e) {
      if (e instanceof ModelError) throw e;
      last = e;
      if (attempt < retries) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
  throw new ModelError('DOWNLOAD_FAILED', `downloading ${opts.label} failed after ${retries + 1} attempts (${(last as Error)?.message ?? String(last)}); check the network or the hub endpoint (HF_ENDPOINT) and retry: completed bytes are kept and resumed`, { cause: last });
}

async function attempt1(openRemote: OpenRemote, dest: string, want: ExpectedBlob, opts: DownloadOptions): Promise<void> {
  const partial = `${dest}.incomplete`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let have = await sizeOf(partial);
  if (have > want.size) {
    await rm(partial, { force: true });
    have = 0;
  }
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
  };
  touch();
  try {
    if (have < want.size) {
      const blob = await openRemote(ctl.signal);
      if (!blob) throw new ModelError('MODEL_NOT_FOUND', `${opts.label}: the hub has no such file; check the model id, the revision and the file name`);
      const stream = blob.slice(have, want.size).stream();
      const fh = await open(partial, have > 0 ? 'a' : 'w');
      let loaded = have;
      let lastReport = -Infinity;
      try {
        const reader = stream.getReader();
        const aborted = new Promise<never>((_, reject) => ctl.signal.addEventListener('abort', () => reject(new Retryable(String((ctl.signal.reason as Error)?.message ?? 'aborted'))), { once: true }));
        aborted.catch(() => undefined);
        for (;;) {
          const { done, value } = await Promise.race([reader.read(), aborted]);
          if (done) break;
          touch();
          await fh.write(value);
          loaded += value.length;
          if (opts.onProgress && loaded - lastReport >= 1 << 20) {
            lastReport = loaded;
            opts.onProgress({ file: opts.label, loaded, total: want.size });
          }
        }
      } catch (e) {
        throw e instanceof ModelError ? e : new Retryable((e as Error)?.message ?? String(e));
      } finally {
        await fh.close();
      }
      if (loaded < want.size) throw new Retryable(`transfer ended at ${loaded} of ${want.size} bytes`);
    }
    if ((await sizeOf(partial)) !== want.size) {
      await rm(partial, { force: true });
      throw new Retryable(`received more than the ${want.size} bytes the hub announced; restarting`);
    }
    if (!(await verifyBlob(partial, want))) {
      await rm(partial, { force: true });
      throw new ModelError('CHECKSUM_MISMATCH', `${opts.label}: the content does not match the hub's ${want.sha256 ? `sha256 ${want.sha256}` : `git sha1 ${want.gitSha1}`}; the download was discarded, retry later`);
    }
    opts.onProgress?.({ file: opts.label, loaded: want.size, total: want.size });
    await rename(partial, dest);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
