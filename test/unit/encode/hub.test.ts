/**
 * Hub download end to end against a loopback HTTP server (in this file) that serves the
 * tiny fixture models in hub layout: API file list, `resolve/` with LFS-style redirects
 * carrying x-linked-size / x-linked-etag (sha256), Range requests, and injected faults
 * (500s, transfers cut short, wrong checksums, stalls). Oracles: the fixture bytes and
 * sha256, and goldens.json for the loaded model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TridentError } from '../../../src/errors.js';
import { loadEncoder, type DownloadProgress } from '../../../src/encode/index.js';
import { goldens, maxAbsDiff, MODELS } from './helpers.js';

const REPOS: Record<string, string> = {
  'org/tiny': 'tiny-m3', 'org/xenova': 'tiny-m3-xenova', 'org/aapot': 'tiny-m3-aapot',
  // served like the real repos: Xenova's export has no head files, BAAI's has .pt heads
  'Xenova/bge-m3': 'tiny-m3-xenova', 'BAAI/bge-m3': 'tiny-m3',
};
const HIDDEN: Record<string, RegExp> = { 'Xenova/bge-m3': /\.safetensors$/ };
const LFS = /\.(onnx|onnx_data|data|pt|safetensors)$/;

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
const requests: Array<{ url: string; range?: string }> = [];
let faults: Faults;
const resetFaults = (): void => { faults = { fail500: new Map(), cutOnce: new Map(), wrongSha: new Set(), stall: new Set() }; };
resetFaults();

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = decodeURIComponent(req.url ?? '');
  requests.push({ url, range: req.headers.range });
  const api = /^\/api\/models\/([\w.-]+\/[\w.-]+)\/revision\/main$/.exec(url);
  if (api) {
    const dir = REPOS[api[1]!];
    if (!dir) { res.writeHead(404).end('{"error":"Repository not found"}'); return; }
    res.writeHead(200, { 'content-type': 'application/json' });
    const files = listFiles(join(MODELS, dir)).filter((f) => !HIDDEN[api[1]!]?.test(f));
    res.end(JSON.stringify({ sha: 'abc', siblings: [...files, 'README.md', 'pytorch_model.bin'].map((rfilename) => ({ rfilename })) }));
    return;
  }
  const m = /^\/cdn\/([\w.-]+\/[\w.-]+)\/(.+)$/.exec(url) ?? /^\/([\w.-]+\/[\w.-]+)\/resolve\/main\/(.+)$/.exec(url);
  const dir = m && !HIDDEN[m[1]!]?.test(m[2]!) && REPOS[m[1]!];
  const file = m && dir ? join(MODELS, dir, m[2]!) : '';
  if (!m || !dir || !existsSync(file)) { res.writeHead(404).end('not found'); return; }
  const path = m[2]!;
  if (faults.stall.has(path)) return; // never answer
  const left = faults.fail500.get(path) ?? 0;
  if (left > 0) { faults.fail500.set(path, left - 1); res.writeHead(500).end('boom'); return; }
  const data = readFileSync(file);
  const sha = faults.wrongSha.has(path) ? '0'.repeat(64) : createHash('sha256').update(data).digest('hex');
  if (url.includes('/resolve/') && LFS.test(path)) {
    res.writeHead(302, { location: `/cdn/${m[1]}/${path}`, 'x-linked-size': String(data.length), 'x-linked-etag': `"${sha}"` });
    res.end();
    return;
  }
  let start = 0;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) start = Number(range[1]);
  const body = data.subarray(start);
  res.writeHead(range ? 206 : 200, {
    'content-length': String(body.length),
    ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
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

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

const golden = goldens.cases.find((c) => c.name === 'english' && c.maxLength === 64)!;
const repoDir = (cache: string, repo: string): string => join(cache, 'hub', repo.replace('/', '--'), 'main');
const opts = (cacheDir: string, extra: object = {}): Parameters<typeof loadEncoder>[1] => ({ hubUrl: base, cacheDir, threads: 1, offline: false, downloadRetries: 0, ...extra });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { const e = await p; await (e as { close(): Promise<void> }).close(); return 'resolved'; } catch (e) { return e instanceof TridentError ? e.code : `untyped ${e}`; }
}

describe('hub download', () => {
  it('downloads the needed files (with progress), verifies them and loads the model', async () => {
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
    }
    expect(existsSync(join(dir, 'pytorch_model.bin'))).toBe(false); // never fetched
    expect(requests.some((r) => r.url.includes('pytorch_model.bin') || r.url.includes('README'))).toBe(false);
    expect(listFiles(dir).some((f) => f.endsWith('.partial'))).toBe(false);
    const last = progress.filter((p) => p.file.endsWith('onnx/model.onnx_data')).at(-1)!;
    expect(last.loaded).toBe(statSync(join(dir, 'onnx/model.onnx_data')).size);
    expect(last.total).toBe(last.loaded);
  });

  it('reuses the cache offline and fails offline for an unknown id', async () => {
    resetFaults();
    const cache = freshCache();
    await (await loadEncoder('org/aapot', opts(cache))).close();
    requests.length = 0;
    const enc = await loadEncoder('org/aapot', { cacheDir: cache, offline: true, hubUrl: 'http://127.0.0.1:9' });
    const [o] = await enc.encode([golden.text], { maxLength: 64 });
    expect(maxAbsDiff(o!.dense, golden.dense)).toBeLessThanOrEqual(goldens.tolerances.fp32);
    await enc.close();
    expect(requests.length).toBe(0);
    expect(await codeOf(loadEncoder('org/unknown', { cacheDir: cache, offline: true }))).toBe('OFFLINE');
    expect(await codeOf(loadEncoder('org/aapot', { cacheDir: cache, offline: true, dtype: 'int8' }))).toBe('OFFLINE');
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
    expect(requests.some((r) => r.url === '/BAAI/bge-m3/resolve/main/colbert_linear.pt')).toBe(true);
    const off = await loadEncoder('Xenova/bge-m3', { cacheDir: cache, offline: true });
    expect(off.info.heads.multivector).toBe(true);
    await off.close();
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
    expect(existsSync(join(repoDir(cache2, 'org/tiny'), '.trident-fp32.json'))).toBe(false);
  });

  it('a transfer cut short keeps a .partial that the next run resumes with a Range request', async () => {
    resetFaults();
    const cache = freshCache();
    const dir = repoDir(cache, 'org/tiny');
    const target = 'onnx/model.onnx_data';
    const cut = 100_000;
    faults.cutOnce.set(target, cut);
    expect(await codeOf(loadEncoder('org/tiny', opts(cache)))).toBe('DOWNLOAD_FAILED');
    expect(existsSync(join(dir, target))).toBe(false);
    expect(statSync(join(dir, `${target}.partial`)).size).toBe(cut);
    requests.length = 0;
    const enc = await loadEncoder('org/tiny', opts(cache));
    await enc.close();
    expect(requests.some((r) => r.url.endsWith(target) && r.range === `bytes=${cut}-`)).toBe(true);
    expect(readFileSync(join(dir, target)).equals(readFileSync(join(MODELS, 'tiny-m3', target)))).toBe(true);
    expect(existsSync(join(dir, `${target}.partial`))).toBe(false);
    // and within one call, a cut transfer is retried and resumed
    resetFaults();
    const cache2 = freshCache();
    faults.cutOnce.set(target, cut);
    await (await loadEncoder('org/tiny', opts(cache2, { downloadRetries: 2 }))).close();
    expect(readFileSync(join(repoDir(cache2, 'org/tiny'), target)).equals(readFileSync(join(MODELS, 'tiny-m3', target)))).toBe(true);
  });

  it('a wrong checksum is CHECKSUM_MISMATCH and nothing is kept', async () => {
    resetFaults();
    const cache = freshCache();
    faults.wrongSha.add('colbert_linear.pt');
    expect(await codeOf(loadEncoder('org/tiny', opts(cache)))).toBe('CHECKSUM_MISMATCH');
    const dir = repoDir(cache, 'org/tiny');
    expect(existsSync(join(dir, 'colbert_linear.pt'))).toBe(false);
    expect(existsSync(join(dir, 'colbert_linear.pt.partial'))).toBe(false);
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
