/**
 * One verified, resumable file download with fetch.
 *
 * - Bytes go to `<dest>.partial`; only after the size (Content-Length / Content-Range /
 *   `x-linked-size`) and, when the hub gives one, the sha256 (`x-linked-etag` of LFS files)
 *   match is the file renamed to `<dest>`. A cut transfer therefore never leaves a file a
 *   later run trusts; the `.partial` is resumed with a `Range` request.
 * - The hub answers LFS files with a redirect; the first request is sent with
 *   `redirect: 'manual'` to read the `x-linked-*` headers before following it.
 * - Every request has an idle timeout (no byte for `timeoutMs` → abort), failures are
 *   retried `retries` times with backoff, then raise DOWNLOAD_FAILED / CHECKSUM_MISMATCH.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ModelError } from '../errors.js';
import type { DownloadProgress } from './types.js';

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void;
  /** Label reported in progress events and errors (default: the URL). */
  label?: string;
  timeoutMs?: number;
  retries?: number;
}

class Retryable extends Error {}
class Fatal extends Error {
  constructor(readonly error: ModelError) { super(error.message); }
}

async function sizeOf(path: string): Promise<number> {
  try { return (await stat(path)).size; } catch { return 0; }
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Fetch with an abort after `timeoutMs` of silence; `touch()` resets the timer. */
function idleAbort(timeoutMs: number): { signal: AbortSignal; touch(): void; done(): void } {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
  };
  touch();
  return { signal: ctl.signal, touch, done: () => timer && clearTimeout(timer) };
}

function linkedSha(h: Headers): string | undefined {
  const v = h.get('x-linked-etag')?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return v && /^[0-9a-f]{64}$/.test(v) ? v : undefined;
}

/**
 * Downloads `url` to `dest` (atomically, verified, resumable).
 *
 * @example
 * ```ts
 * await downloadFile('https://huggingface.co/BAAI/bge-m3/resolve/main/config.json', '/cache/config.json');
 * ```
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const retries = opts.retries ?? 3;
  const label = opts.label ?? url;
  await mkdir(dirname(dest), { recursive: true });
  let last: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      await attemptDownload(url, dest, label, opts);
      return;
    } catch (e) {
      if (e instanceof Fatal) throw e.error;
      last = e;
      if (attempt < retries) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
  if (last instanceof ModelError) throw last;
  throw new ModelError('DOWNLOAD_FAILED', `downloading ${label} failed after ${retries + 1} attempts (${(last as Error)?.message ?? last}); check the network or the hub endpoint (HF_ENDPOINT) and retry: completed bytes are kept and resumed`, { cause: last });
}

async function attemptDownload(url: string, dest: string, label: string, opts: DownloadOptions): Promise<void> {
  const partial = `${dest}.partial`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const have = await sizeOf(partial);
  const idle = idleAbort(timeoutMs);
  try {
    const headers: Record<string, string> = { 'user-agent': 'trident' };
    if (have > 0) headers.range = `bytes=${have}-`;
    let res = await fetch(url, { headers, redirect: 'manual', signal: idle.signal });
    let expectedSize: number | undefined;
    let sha = linkedSha(res.headers);
    const linkedSize = Number(res.headers.get('x-linked-size') ?? NaN);
    if (Number.isFinite(linkedSize)) expectedSize = linkedSize;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      const loc = res.headers.get('location');
      await res.body?.cancel();
      if (!loc || hops >= 5) throw new Retryable(`bad redirect from ${url}`);
      idle.touch();
      res = await fetch(new URL(loc, res.url || url), { headers, redirect: 'manual', signal: idle.signal });
      sha ??= linkedSha(res.headers);
    }
    if (res.status === 404 || res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new Fatal(new ModelError('MODEL_NOT_FOUND', `${label}: the hub answered ${res.status}; check the model id, the revision and the file name (private or gated repos are not supported)`));
    }
    if (res.status === 416) {
      await res.body?.cancel();
      await rm(partial, { force: true });
      throw new Retryable('range not satisfiable; restarting');
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new Retryable(`HTTP ${res.status}`);
    }
    let offset = 0;
    if (res.status === 206) {
      const m = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== have) {
        await res.body?.cancel();
        await rm(partial, { force: true });
        throw new Retryable('unexpected Content-Range; restarting');
      }
      offset = have;
      if (m[3] !== '*') expectedSize ??= Number(m[3]);
    } else {
      const len = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(len)) expectedSize ??= len;
    }
    if (!res.body) throw new Retryable('empty response body');
    const fh = await open(partial, offset > 0 ? 'a' : 'w');
    let loaded = offset;
    let lastReport = -Infinity;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        idle.touch();
        await fh.write(chunk);
        loaded += chunk.length;
        if (opts.onProgress && loaded - lastReport >= 1 << 20) {
          lastReport = loaded;
          opts.onProgress({ file: label, loaded, total: expectedSize });
        }
      }
    } finally {
      await fh.close();
    }
    if (expectedSize !== undefined && loaded !== expectedSize) {
      if (loaded > expectedSize) await rm(partial, { force: true });
      throw new Retryable(`transfer ended at ${loaded} of ${expectedSize} bytes`);
    }
    if (sha) {
      const got = await sha256File(partial);
      if (got !== sha) {
        await rm(partial, { force: true });
        throw new ModelError('CHECKSUM_MISMATCH', `${label}: sha256 ${got} does not match the hub's ${sha}; the download was discarded, retry later`);
      }
    }
    opts.onProgress?.({ file: label, loaded, total: expectedSize ?? loaded });
    await rename(partial, dest);
  } catch (e) {
    if (e instanceof Fatal || e instanceof Retryable || e instanceof ModelError) throw e;
    throw new Retryable((e as Error)?.message ?? String(e));
  } finally {
    idle.done();
  }
}
