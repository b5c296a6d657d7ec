import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, loadFamilyEncoder } from '../../../src/families/index.js';
import { FIX, G, TOL, maxAbs, norm } from './goldens.js';

const tmp: string[] = [];
afterAll(async () => { for (const d of tmp) await rm(d, { recursive: true, force: true }); });

describe('loading a family model from a hub (loopback mirror)', () => {
  it('downloads the graph, tokenizer and sentence-transformers files, then works offline from the cache', async () => {
    const src = join(FIX, 'tiny-bert-st');
    const files = await listFiles(src);
    const asked: string[] = [];
    const server = createServer(async (req, res) => {
      const url = decodeURIComponent(req.url ?? '');
      asked.push(url);
      if (url === '/api/models/acme/tiny-st/revision/main') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ siblings: [...files, 'README.md'].map((rfilename) => ({ rfilename })) }));
        return;
      }
      const m = /^\/acme\/tiny-st\/resolve\/main\/(.+)$/.exec(url);
      if (m && files.includes(m[1]!)) {
        const body = await readFile(join(src, ...m[1]!.split('/')));
        res.writeHead(200, { 'content-length': String(body.length) });
        res.end(body);
        return;
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cacheDir = await mkdtemp(join(tmpdir(), 'trident-fam-hub-'));
    tmp.push(cacheDir);
    try {
      const enc = await loadFamilyEncoder('acme/tiny-st', { hubUrl, cacheDir, preset: 'e5' });
      const c = (G.bertSt.cases as Array<{ prefix: string; text: string; maxLength: number; pooled: { mean: number[] } }>).find((x) => x.prefix === 'query: ' && x.maxLength === 64)!;
      const [q] = await enc.encode([c.text], { role: 'query', maxLength: 64 });
      expect(maxAbs(q!.dense, norm(c.pooled.mean))).toBeLessThan(TOL);
      await enc.close();
      expect(asked.some((u) => u.endsWith('1_Pooling/config.json'))).toBe(true);
      expect(asked.some((u) => u.endsWith('README.md'))).toBe(false);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    const again = await loadFamilyEncoder('acme/tiny-st', { hubUrl, cacheDir, offline: true });
    expect(again.config.pooling).toBe('mean');
    await again.close();
    await expect(loadFamilyEncoder('acme/other', { hubUrl, cacheDir, offline: true })).rejects.toMatchObject({ code: 'OFFLINE' });
  });
});
