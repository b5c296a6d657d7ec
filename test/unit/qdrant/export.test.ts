/**
 * `trident export` offline: a saved local index (fake encoder, f32 stores, BM25) is copied
 * to a stubbed Qdrant; the points sent must carry exactly the vectors the encoder produced
 * (no re-encoding: the encoder is not even loaded), and a second run sends only what is
 * missing. Answers are written from the documented response schemas (OpenAPI v1.18.0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { createAnalyzer } from '../../../src/analyze/index.js';
import { BM25_DEFAULTS } from '../../../src/sparse/index.js';
import { runCli, type CliIo } from '../../../src/cli/run.js';
import { exportToQdrant } from '../../../src/qdrant/export.js';
import { bm25DocumentVector, buildPoint } from '../../../src/qdrant/points.js';
import { pointId } from '../../../src/qdrant/uuid.js';
import { FakeEncoder, fakeEncode } from '../../helpers/fake-encoder.js';

const DOCS = [
  { id: 'a', text: 'Cats sit on warm mats', metadata: { year: 2020 } },
  { id: 2, text: 'Dogs chase cats around the yard' },
  { id: 'c', text: 'Mats and rugs', metadata: { lang: 'en' } },
];
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trident-export-'));
  const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: path.join(dir, 'idx'), wal: false, multivector: { dtype: 'f32' }, bm25: { analyzer: 'plain' } });
  await index.add(DOCS);
  await index.add([{ id: 'gone', text: 'deleted before the save' }]);
  await index.delete(['gone']);
  await index.save();
  await index.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let upserts: Array<{ points: Array<{ id: string }> }> = [];
let present = new Set<string>();
let created: unknown = null;
beforeEach(() => {
  upserts = [];
  created = null;
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const u = new URL(String(url));
    const key = `${String(init?.method)} ${u.pathname}`;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    let result: unknown;
    if (key === 'GET /collections/docs/exists') result = { exists: created !== null };
    else if (key === 'PUT /collections/docs') {
      created = body;
      result = true;
    } else if (key === 'GET /collections/docs') {
      // CollectionInfo as a server answers after the create above (schema CollectionInfo)
      const c = created as { vectors: unknown; sparse_vectors: unknown; metadata: unknown };
      result = {
        status: 'green',
        optimizer_status: 'ok',
        segments_count: 2,
        payload_schema: {},
        points_count: present.size,
        config: { params: { vectors: c.vectors, sparse_vectors: c.sparse_vectors }, hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 }, optimizer_config: {}, wal_config: {}, metadata: c.metadata },
      };
    } else if (key === 'POST /collections/docs/points') result = (body.ids as string[]).filter((id) => present.has(id)).map((id) => ({ id }));
    else if (key === 'PUT /collections/docs/points') {
      upserts.push(body);
      for (const p of body.points) present.add(p.id);
      result = { operation_id: upserts.length, status: 'completed' };
    } else throw new Error(`test: unexpected ${key}`);
    return new Response(JSON.stringify({ result, status: 'ok', time: 0.001 }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
});
afterEach(() => vi.unstubAllGlobals());

function expectedPoints() {
  const analyzer = createAnalyzer('plain', { version: 3 });
  const lens = DOCS.map((d) => analyzer.terms(d.text).length);
  const avgdl = lens.reduce((a, b) => a + b, 0) / lens.length;
  return DOCS.map((d) => JSON.parse(JSON.stringify(buildPoint(d, { ...fakeEncode(d.text), bm25: bm25DocumentVector(analyzer.terms(d.text), { k1: BM25_DEFAULTS.k1, b: BM25_DEFAULTS.b, avgdl }) }))));
}

describe('exportToQdrant', () => {
  it('sends the stored vectors unchanged, then resumes by skipping points already there', async () => {
    present = new Set();
    const r = await exportToQdrant(path.join(dir, 'idx'), { url: 'http://q.test:6333', collection: 'docs', batchSize: 2, maxRetries: 0 });
    expect(r).toEqual({ documents: 3, sent: 3, skipped: 0 });
    expect(created).toMatchObject({ vectors: { dense: { size: 16, distance: 'Cosine' }, multivector: { size: 16, distance: 'Dot', multivector_config: { comparator: 'max_sim' }, hnsw_config: { m: 0 } } }, sparse_vectors: { sparse: { modifier: 'none' }, bm25: { modifier: 'idf' } } });
    const sent = upserts.flatMap((u) => u.points);
    expect(sent.map((p) => p.id)).toEqual(DOCS.map((d) => pointId(d.id)));
    expect(sent).toEqual(expectedPoints());
    // a run that stopped after the first batch: the second run sends only the rest
    present = new Set([pointId('a'), pointId(2)]);
    upserts = [];
    const again = await exportToQdrant(path.join(dir, 'idx'), { url: 'http://q.test:6333', collection: 'docs', batchSize: 2, maxRetries: 0 });
    expect(again).toEqual({ documents: 3, sent: 1, skipped: 2 });
    expect(upserts.flatMap((u) => u.points)).toEqual([expectedPoints()[2]]);
  });

  it('through the CLI: trident export <dir> --qdrant <url> --collection <name>', async () => {
    present = new Set([pointId('a')]);
    let out = '';
    let err = '';
    const io: CliIo = {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      errIsTTY: false,
    };
    const code = await runCli(['export', path.join(dir, 'idx'), '--qdrant', 'http://q.test:6333', '--collection', 'docs', '--batch', '2'], io);
    expect(code, err).toBe(0);
    expect(out).toMatch(/exported 3 documents .* 2 sent, 1 already there/);
    expect(upserts.flatMap((u) => u.points.map((p) => p.id))).toEqual([pointId(2), pointId('c')]);
  });

  it('refuses a missing --collection with the usage', async () => {
    let err = '';
    const code = await runCli(['export', path.join(dir, 'idx'), '--qdrant', 'http://q.test:6333'], {
      out: () => {},
      err: (s) => {
        err += s;
      },
      errIsTTY: false,
    });
    expect(code).not.toBe(0);
    expect(err).toMatch(/--collection/);
  });
});
