// Committed format-version-1 indexes (made once by make-v1-fixtures.ts) must keep opening and
// answering correctly: the scores are checked against the float64 oracle recomputed from the
// documents (docs.json) with the fake encoder, and a re-save with today's writer round-trips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../src/hybrid/index.js';
import { FORMAT_VERSION } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { fingerprint, PROBES, referenceFingerprint, type Doc } from '../reliability/corpus.js';
import { compareTopK, oracleScores, type ModelDoc } from '../property/hybrid-oracle.js';

const V1 = fileURLToPath(new URL('./fixtures/v1/', import.meta.url));
let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-compat-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function load(name: string) {
  // open a copy: the committed bytes are never written
  const dir = path.join(tmp, name);
  await fsp.cp(path.join(V1, name, 'index'), dir, { recursive: true });
  const docs = JSON.parse(await fsp.readFile(path.join(V1, name, 'docs.json'), 'utf8')) as Doc[];
  const manifest = JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { formatVersion: number };
  return { dir, docs, manifest };
}

describe('format version 1 fixtures', () => {
  it('this build still reads format 1', () => {
    expect(FORMAT_VERSION).toBeGreaterThanOrEqual(1);
  });

  it('f32-bm25: opens, every score equals the oracle, and a re-save round-trips', async () => {
    const { dir, docs, manifest } = await load('f32-bm25');
    expect(manifest.formatVersion).toBe(1);
    const index = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    expect(index.size).toBe(docs.length);
    for (const q of PROBES) {
      const hits = await index.search(q, { k: 10, exhaustive: true });
      const oracle = oracleScores(q, docs as ModelDoc[]).map((o) => ({ id: o.id, score: o.fused }));
      expect(
        compareTopK(
          hits.map((h) => ({ id: h.id, score: h.score })),
          oracle,
          10,
          1e-5,
        ),
      ).toBeNull();
      for (const h of hits) expect(h.metadata).toEqual(docs.find((d) => d.id === h.id)!.metadata);
      expect((await index.search(q, { k: 5 })).length).toBe(5); // the saved HNSW graph answers
    }
    // BM25, sparse and every per-store score: equal to an index built today from the same documents
    const fp = await fingerprint(index);
    expect(fp).toBe(await referenceFingerprint(docs));
    await index.save(path.join(tmp, 'resaved'));
    await index.close();
    const again = await HybridIndex.open(path.join(tmp, 'resaved'), { encoder: new FakeEncoder() });
    expect(await fingerprint(again)).toBe(fp);
    await again.close();
  });

  it('i8-f16: opens; sparse exact, dense (i8 graph, f16 rows) and multi-vector (f16) within their precision', async () => {
    const { dir, docs } = await load('i8-f16');
    const index = await HybridIndex.open(dir, { encoder: new FakeEncoder() });
    expect(index.size).toBe(docs.length);
    expect(index.config.channels.find((c) => c.name === 'dense')).toMatchObject({ kind: 'dense', dtype: 'i8' });
    expect(index.config.channels.find((c) => c.name === 'multivector')).toMatchObject({ dtype: 'f16' });
    for (const q of PROBES) {
      const oracle = oracleScores(q, docs as ModelDoc[]);
      const sparse = await index.search(q, { k: 8, mode: 'sparse' });
      expect(
        compareTopK(
          sparse.map((h) => ({ id: h.id, score: h.score })),
          oracle.filter((o) => o.sparse > 0).map((o) => ({ id: o.id, score: o.sparse })),
          8,
          1e-5,
        ),
      ).toBeNull();
      const fused = await index.search(q, { k: 8, exhaustive: true });
      // f16 rows: |error| ≤ 2^-11 per unit-vector dot; the fused score mixes three of them
      expect(
        compareTopK(
          fused.map((h) => ({ id: h.id, score: h.score })),
          oracle.map((o) => ({ id: o.id, score: o.fused })),
          8,
          3e-3,
        ),
      ).toBeNull();
    }
    await index.close();
  });
});
