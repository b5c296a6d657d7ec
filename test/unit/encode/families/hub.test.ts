import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFamilyEncoder } from '../../../../src/encode/index.js';
import { FIX, G, TOL, maxAbs, norm } from './goldens.js';
import { startHubMirror } from '../../../helpers/hub-mirror.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe('loading a family model from a hub (loopback mirror)', () => {
  it('downloads the graph, tokenizer and sentence-transformers files, then works offline from the cache', async () => {
    const src = join(FIX, 'tiny-bert-st');
    const hub = await startHubMirror(() => ({ 'acme/tiny-st': src }));
    const { asked } = hub;
    const hubUrl = hub.url;
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
      await hub.close();
    }
    const again = await loadFamilyEncoder('acme/tiny-st', { hubUrl, cacheDir, offline: true });
    expect(again.config.pooling).toBe('mean');
    await again.close();
    await expect(loadFamilyEncoder('acme/other', { hubUrl, cacheDir, offline: true })).rejects.toMatchObject({ code: 'OFFLINE' });
  });
});
