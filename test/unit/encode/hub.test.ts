/**
 * Hub download end to end through `@huggingface/hub` against a loopback HTTP server (in this
 * file) that speaks the hub API the library uses: `GET /api/models/<repo>/revision/<rev>`
 * (commit + file list), `POST /api/models/<repo>/paths-info/<rev>` (sizes, LFS sha256, git
 * blob sha1), `resolve/` with LFS-style redirects and Range requests, and injected faults
 * (500s, transfers cut short, wrong hashes, stalls). Files land in the shared Hugging Face
 * cache layout (`models--org--name/{blobs,snapshots/<commit>,refs/main}`). Oracles: the
 * fixture bytes and their hashes, goldens.json for the loaded model, and the request log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { TridentError } from '../../../src/errors.js';
import { loadEncoder, type DownloadProgress } from '../../../src/encode/index.js';
import { goldens, maxAbsDiff, MODELS } from './helpers.js';

const REPOS: Record<string, string> = {
  'org/tiny': 'tiny-m3',
  'org/xenova': 'tiny-m3-xenova',
  'org/aapot': 'tiny-m3-aapot',
  // served like the real repos: Xenova's export has no head files, BAAI's has .pt heads
  'Xenova/bge-m3': 'tiny-m3-xenova',
  'BAAI/bge-m3': 'tiny-m3',
};
const HIDDEN: Record<string, RegExp> = { 'Xenova/bge-m3': /\.safetensors$/ };
const LFS = /\.(onnx|onnx_data|data|pt|safetensors)$/;
const COMMIT = 'c0ffee0000000000000000000000000000000001';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

interface Faults {
  /** path → number of 500 answers still to give (Infinity = always) */
  fail500: Map<string, number>;
  /** path → cut the next transfer after this many bytes */
  cutOnce: Map<string, number>;
  wrongSha: Set<string>;
  stall: Set<string>;
}

let server: Server;
let base: string;
const requests: Array<{ method: string; url: string; range?: string; auth?: string }> = [];
let faults: Faults;
const resetFaults = (): void => {
  faults = { fail500: new Map(), cutOnce: new Map(), wrongSha: new Set(), stall: new Set() };
};
resetFaults();

function repoFiles(repo: string): string[] {
  return listFiles(join(MODELS, REPOS[repo]!)).filter((f) => !HIDDEN[repo]?.test(f));
}

function pathInfo(repo: string, path: string): unknown {
  const data = readFileSync(join(MODELS, REPOS[repo]!, path));
  const wrong = faults.wrongSha.has(path);
  if (LFS.test(path)) return { type: 'file', path, size: 130, oid: gitSha1(Buffer.from(path)), lfs: { oid: wrong ? '0'.repeat(64) : sha256(data), size: data.length, pointerSize: 130 } };
  return { type: 'file', path, size: data.length, oid: wrong ? '0'.repeat(40) : gitSha1(data) };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
  requests.push({ method: req.method ?? 'GET', url, range: req.headers.range, auth: req.headers.authorization });
  const api = /^\/api\/models\/([\w.-]+\/[\w.-]+)\/(revision|paths-info)\/(main|[0-9a-f]{40})$/.exec(url);
  if (api) {
    const repo = api[1]!;
    if (!REPOS[repo]) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Repository not found"}');
      return;
    }
    if (api[2] === 'revision') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ _id: repo, id: repo, sha: COMMIT, siblings: [...repoFiles(repo), 'README.md', 'pytorch_model.bin'].map((rfilename) => ({ rfilename })) }));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { paths } = JSON.parse(body) as { paths: string[] };
      const have = new Set(repoFiles(repo));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(paths.filter((p) => have.has(p)).map((p) => pathInfo(repo, p))));
    });
    return;
  }
  const m = /^\/cdn\/([\w.-]+\/[\w.-]+)\/(.+)$/.exec(url) ?? /^\/([\w.-]+\/[\w.-]+)\/resolve\/(?:main|[0-9a-f]{40})\/(.+)$/.exec(url);
  const dir = m && !HIDDEN[m[1]!]?.test(m[2]!) && REPOS[m[1]!];
  const file = m && dir ? join(MODELS, dir, m[2]!) : '';
  if (!m || !dir || !existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  const path = m[2]!;
  if (faults.stall.has(path)) return; // never answer
  const left = faults.fail500.get(path) ?? 0;
  if (left > 0) {
    faults.fail500.set(path, left - 1);
    res.writeHead(500).end('boom');
    return;
  }
  const data = readFileSync(file);
  if (url.includes('/resolve/') && LFS.test(path)) {
    res.writeHead(302, { location: `/cdn/${m[1]}/${path}`, 'x-linked-size': String(data.length), 'x-linked-etag': `"${sha256(data)}"` });
    res.end();
    return;
  }
  let start = 0;
  let end = data.length - 1;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    if (range[2]) end = Math.min(end, Number(range[2]));
  }
  const body = data.subarray(start, end + 1);
  res.writeHead(range ? 206 : 200, {
    'content-length': String(body.length),
    etag: `"${sha256(data)}"`,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
  });
  const cut = faults.cutOnce.get(path);
  if (cut !== undefined) {
    faults.cutOnce.delete(path);
    res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(body);
}

const tmp = mkdtempSync(join(tmpdir(), 'trident-hub-'));
let cacheN = 0;
const freshCache = (): string => join(tmp, `cache-${cacheN++}`);
const savedEnv = { ...process.env };

beforeAll(async () => {
  for (const k of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'HF_HUB_OFFLINE', 'TRIDENT_OFFLINE', 'HF_ENDPOINT']) delete process.env[k];
  process.env.HF_HOME = join(tmp, 'hf-home'); // no token file from the machine's own login
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  delete process.env.HF_TOKEN;
  delete process.env.HF_HUB_CACHE;
});
afterAll(async () => {
  process.env = savedEnv;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

const golden = goldens.cases.find((c) => c.name === 'english' && c.maxLength === 64)!;
const storage = (cache: string, repo: string): string => join(cache, `models--${repo.replace('/', '--')}`);
const repoDir = (cache: string, repo: string): string => join(storage(cache, repo), 'snapshots', COMMIT);
const blobOf = (cache: string, repo: string, path: string): string => {
  const data = readFileSync(join(MODELS, REPOS[repo]!, path));
  return join(storage(cache, repo), 'blobs', LFS.test(path) ? sha256(data) : gitSha1(data));
};
const opts = (cacheDir: string, extra: object = {}): Parameters<typeof loadEncoder>[1] => ({ hubUrl: base, cacheDir, threads: 1, offline: false, downloadRetries: 0, ...extra });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    const e = await p;
    await (e as { close(): Promise<void> }).close();
    return 'resolved';
  } catch (e) {
    return e instanceof TridentError ? e.code : `untyped ${e}`;
  }
}

describe('hub download', () => {
  it('downloads the needed files (with progress) into the HF cache layout, verifies them and loads the model', async () => {
    resetFaults();
    requests.length = 0;
    const cache = freshCache();
    const progress: DownloadProgress[] = [];
    const enc = await loadEncoder('org/tiny', opts(cache, { onProgress: (p: DownloadProgress) => progress.push(p) }));
    const [o] = await enc.encode([golden.text], { maxLength: 64 });
    expect(maxAbsDiff(o!.dense, golden.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
    expect(maxAbsDiff(o!.multivector.data, golden.colbert.flat())).toBeLessThanOrEqual(goldens.tolerances.fp32);
    await enc.close();
    const dir = repoDir(cache, 'org/tiny');
    for (const f of ['onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json', 'colbert_linear.pt', 'sparse_linear.pt', 'config.json']) {
      expect(readFileSync(join(dir, f)).equals(readFileSync(join(MODELS, 'tiny-m3', f)))).toBe(true);
      // huggingface_hub's layout: the snapshot entry is a relative symlink to blobs/<etag>
      expect(lstatSync(join(dir, f)).isSymbolicLink()).toBe(true);
      expect(join(dirname(join(dir, f)), readlinkSync(join(dir, f)))).toBe(blobOf(cache, 'org/tiny', f));
    }
    expect(readFileSync(join(storage(cache, 'org/tiny'), 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect(existsSync(join(dir, 'pytorch_model.bin'))).toBe(false); // never fetched
    expect(requests.some((r) => r.url.includes('pytorch_model.bin') || r.url.includes('README'))).toBe(false);
    expect(listFiles(storage(cache, 'org/tiny')).some((f) => f.endsWith('.incomplete'))).toBe(false);
    expect(requests.every((r) => r.auth === undefined)).toBe(true); // no token configured
    const last = progress.filter((p) => p.file.endsWith('onnx/model.onnx_data')).at(-1)!;
    expect(last.loaded).toBe(statSync(join(dir, 'onnx/model.onnx_data')).size);
    expect(last.total).toBe(last.loaded);
  });

  it('reuses the cache offline (no request) and fails offline for an unknown id or a precision it does not hold', async () => {
    resetFaults();
    const cache = freshCache();
    await (await loadEncoder('org/aapot', opts(cache))).close();
    requests.length = 0;
    const enc = await loadEncoder('org/aapot', { cacheDir: cache, offline: true, hubUrl: base });
    const [o] = await enc.encode([golden.text], { maxLength: 64 });
    expect(maxAbsDiff(o!.dense, golden.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
    await enc.close();
    expect(requests.length).toBe(0);
    expect(await codeOf(loadEncoder('org/unknown', { cacheDir: cache, offline: true }))).toBe('OFFLINE');
    expect(await codeOf(loadEncoder('org/aapot', { cacheDir: cache, offline: true, dtype: 'int8' }))).toBe('OFFLINE');
    // HF_HUB_OFFLINE=1 is offline too
    process.env.HF_HUB_OFFLINE = '1';
    try {
      await (await loadEncoder('org/aapot', { cacheDir: cache, hubUrl: base })).close();
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
    expect(requests.length).toBe(0);
  });

  it('a model placed in the Hugging Face cache layout by hand (as Python or transformers.js leave it) is used offline without any request, and online without a download', async () => {
    resetFaults();
    const cache = freshCache();
    const repo = 'org/xenova';
    const rev = 'f00d000000000000000000000000000000000002';
    const root = storage(cache, repo);
    for (const f of repoFiles(repo)) {
      const data = readFileSync(join(MODELS, REPOS[repo]!, f));
      const blob = join(root, 'blobs', LFS.test(f) ? sha256(data) : gitSha1(data));
      mkdirSync(dirname(blob), { recursive: true });
      writeFileSync(blob, data);
      const ptr = join(root, 'snapshots', rev, f);
      mkdirSync(dirname(ptr), { recursive: true });
      symlinkSync(relative(dirname(ptr), blob), ptr);
    }
    mkdirSync(join(root, 'refs'), { recursive: true });
    writeFileSync(join(root, 'refs', 'main'), rev);
    requests.length = 0;
    const enc = await loadEncoder(repo, { cacheDir: cache, offline: true, hubUrl: base, threads: 1 });
    const [o] = await enc.encode([golden.text], { maxLength: 64 });
    expect(maxAbsDiff(o!.dense, golden.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
    await enc.close();
    expect(requests).toEqual([]);
    // a pinned commit works offline too, an unknown one does not
    await (await loadEncoder(repo, { cacheDir: cache, offline: true, revision: rev, threads: 1 })).close();
    expect(await codeOf(loadEncoder(repo, { cacheDir: cache, offline: true, revision: 'a'.repeat(40) }))).toBe('OFFLINE');
    // online: the hub's commit differs, but every blob is there: only API calls, no transfer
    requests.length = 0;
    await (await loadEncoder(repo, opts(cache))).close();
    expect(requests.filter((r) => r.url.includes('/resolve/') || r.url.startsWith('/cdn/'))).toEqual([]);
    expect(readFileSync(join(root, 'refs', 'main'), 'utf8')).toBe(COMMIT);
  });

  it('the cache defaults to HF_HUB_CACHE, and HF_TOKEN is sent as a bearer token', async () => {
    resetFaults();
    const cache = freshCache();
    process.env.HF_HUB_CACHE = cache;
    process.env.HF_TOKEN = 'hf_testtoken';
    requests.length = 0;
    await (await loadEncoder('org/aapot', { hubUrl: base, threads: 1, offline: false })).close();
    expect(existsSync(join(repoDir(cache, 'org/aapot'), 'model.onnx'))).toBe(true);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.url.startsWith('/cdn/')).every((r) => r.auth === 'Bearer hf_testtoken')).toBe(true);
    process.env.HF_TOKEN = 'not-a-token';
    expect(await codeOf(loadEncoder('org/aapot', { hubUrl: base, cacheDir: freshCache(), offline: false }))).toBe('INVALID_ARGUMENT');
  });

  it('int8 picks the quantized graph only', async () => {
    resetFaults();
    requests.length = 0;
    const cache = freshCache();
    const enc = await loadEncoder('org/xenova', opts(cache, { dtype: 'int8' }));
    expect(enc.info.dtype).toBe('int8');
    await enc.close();
    expect(requests.some((r) => r.url.endsWith('/onnx/model_quantized.onnx'))).toBe(true);
    expect(requests.some((r) => r.url.endsWith('/onnx/model.onnx'))).toBe(false);
  });

  it('Xenova/bge-m3 (backbone only) gets its heads from BAAI/bge-m3', async () => {
    resetFaults();
    requests.length = 0;
    const cache = freshCache();
    const enc = await loadEncoder('Xenova/bge-m3', opts(cache));
    expect(enc.info.heads).toEqual({ dense: true, sparse: true, multivector: true });
    const [o] = await enc.encode([golden.text], { maxLength: 64 });
    expect(maxAbsDiff(o!.multivector.data, golden.colbert.flat())).toBeLessThanOrEqual(goldens.tolerances.fp32);
    expect(Array.from(o!.sparse.ids)).toEqual(golden.sparse.ids);
    await enc.close();
    expect(requests.some((r) => r.url === `/BAAI/bge-m3/resolve/${COMMIT}/colbert_linear.pt`)).toBe(true);
    expect(existsSync(join(repoDir(cache, 'BAAI/bge-m3'), 'colbert_linear.pt'))).toBe(true); // in BAAI's own cache folder
    requests.length = 0;
    const off = await loadEncoder('Xenova/bge-m3', { cacheDir: cache, offline: true });
    expect(off.info.heads.multivector).toBe(true);
    await off.close();
    expect(requests.length).toBe(0);
  });

  it('a 500 answer is retried; a persistent 500 is DOWNLOAD_FAILED and leaves no trusted file', async () => {
    resetFaults();
    const cache = freshCache();
    faults.fail500.set('onnx/model.onnx_data', 1);
    const enc = await loadEncoder('org/tiny', opts(cache, { downloadRetries: 2 }));
    await enc.close();
    resetFaults();
    const cache2 = freshCache();
    faults.fail500.set('onnx/model.onnx_data', Infinity);
    const t0 = Date.now();
    expect(await codeOf(loadEncoder('org/tiny', opts(cache2, { downloadRetries: 1 })))).toBe('DOWNLOAD_FAILED');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(join(repoDir(cache2, 'org/tiny'), 'onnx/model.onnx_data'))).toBe(false);
    expect(existsSync(blobOf(cache2, 'org/tiny', 'onnx/model.onnx_data'))).toBe(false);
    expect(existsSync(join(storage(cache2, 'org/tiny'), 'refs', 'main'))).toBe(false);
  });

  it('a transfer cut short keeps a .incomplete blob that the next run resumes with a Range request', async () => {
    resetFaults();
    const cache = freshCache();
    const dir = repoDir(cache, 'org/tiny');
    const target = 'onnx/model.onnx_data';
    const size = statSync(join(MODELS, 'tiny-m3', target)).size;
    const cut = 100_000;
    faults.cutOnce.set(target, cut);
    expect(await codeOf(loadEncoder('org/tiny', opts(cache)))).toBe('DOWNLOAD_FAILED');
    expect(existsSync(join(dir, target))).toBe(false);
    const blob = blobOf(cache, 'org/tiny', target);
    expect(existsSync(blob)).toBe(false);
    expect(statSync(`${blob}.incomplete`).size).toBe(cut);
    requests.length = 0;
    const enc = await loadEncoder('org/tiny', opts(cache));
    await enc.close();
    expect(requests.some((r) => r.url.endsWith(target) && r.range === `bytes=${cut}-${size - 1}`)).toBe(true);
    expect(readFileSync(join(dir, target)).equals(readFileSync(join(MODELS, 'tiny-m3', target)))).toBe(true);
    expect(existsSync(`${blob}.incomplete`)).toBe(false);
    // and within one call, a cut transfer is retried and resumed
    resetFaults();
    const cache2 = freshCache();
    faults.cutOnce.set(target, cut);
    await (await loadEncoder('org/tiny', opts(cache2, { downloadRetries: 2 }))).close();
    expect(readFileSync(join(repoDir(cache2, 'org/tiny'), target)).equals(readFileSync(join(MODELS, 'tiny-m3', target)))).toBe(true);
  });

  it('a wrong checksum (LFS sha256 or git sha1) is CHECKSUM_MISMATCH and nothing is kept', async () => {
    for (const file of ['colbert_linear.pt', 'config.json']) {
      resetFaults();
      const cache = freshCache();
      faults.wrongSha.add(file);
      expect(await codeOf(loadEncoder('org/tiny', opts(cache)))).toBe('CHECKSUM_MISMATCH');
      expect(existsSync(join(repoDir(cache, 'org/tiny'), file))).toBe(false);
      const blobs = join(storage(cache, 'org/tiny'), 'blobs');
      expect(readdirSync(blobs).filter((f) => f.startsWith('0000'))).toEqual([]); // neither the blob nor its .incomplete
    }
  });

  it('a stalled server or a closed port fails fast with DOWNLOAD_FAILED', async () => {
    resetFaults();
    faults.stall.add('tokenizer.json');
    const t0 = Date.now();
    expect(await codeOf(loadEncoder('org/tiny', opts(freshCache(), { downloadTimeoutMs: 300 })))).toBe('DOWNLOAD_FAILED');
    expect(Date.now() - t0).toBeLessThan(5000);
    resetFaults();
    expect(await codeOf(loadEncoder('org/tiny', { cacheDir: freshCache(), hubUrl: 'http://127.0.0.1:9', offline: false, downloadTimeoutMs: 1000 }))).toBe('DOWNLOAD_FAILED');
  });

  it('an unknown repo is MODEL_NOT_FOUND', async () => {
    resetFaults();
    expect(await codeOf(loadEncoder('org/nope', opts(freshCache())))).toBe('MODEL_NOT_FOUND');
  });
});
