/**
 * QdrantIndex offline: what it sends (collection, points, Query API bodies) and what it makes
 * of recorded answers (the scores a Qdrant would return, written by hand from the documented
 * response schemas — QueryResponse, Record, CollectionInfo of OpenAPI v1.18.0). The fused
 * scores are recomputed here from BGE-M3's formula, independently of the fusion code.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QdrantIndex } from '../../../src/qdrant/qdrant-index.js';
import { buildPoint } from '../../../src/qdrant/points.js';
import { collectionConfig } from '../../../src/qdrant/collection.js';
import { pointId } from '../../../src/qdrant/uuid.js';
import { FakeEncoder, FAKE_DIM, fakeEncode } from '../../helpers/fake-encoder.js';

type Route = (body: unknown) => unknown;
let routes: Record<string, Route[]> = {};
let calls: Array<{ key: string; body: unknown }> = [];
const queue = (key: string, ...fns: Route[]) => (routes[key] = [...(routes[key] ?? []), ...fns]);

beforeEach(() => {
  routes = {};
  calls = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const u = new URL(String(url));
    const key = `${String(init?.method)} ${u.pathname}`;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ key, body });
    const fn = routes[key]?.shift();
    if (!fn) return new Response(JSON.stringify({ status: { error: `test: no answer for ${key}` }, time: 0 }), { status: 500, headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify({ result: fn(body), status: 'ok', time: 0.001 }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
});
afterEach(() => vi.unstubAllGlobals());

const C = '/collections/docs';
const LAYOUT = { encoder: { id: 'fake-encoder-v1', dim: FAKE_DIM }, dense: { size: FAKE_DIM }, sparse: { modifier: 'none' as const }, multivector: { size: FAKE_DIM } };
const open = async () => {
  queue(`GET ${C}/exists`, () => ({ exists: false }));
  queue(`PUT ${C}`, () => true);
  return QdrantIndex.create({ encoder: new FakeEncoder(), url: 'http://q.test:6333', collection: 'docs', maxRetries: 0 });
};
const record = (id: string | number, extra: Record<string, unknown> = {}) => ({ id: pointId(id), payload: { trident_id: id, ...extra } });

describe('QdrantIndex (offline, recorded answers)', () => {
  it('creates the collection with one named vector per channel', async () => {
    await open();
    expect(calls.map((c) => c.key)).toEqual([`GET ${C}/exists`, `PUT ${C}`]);
    expect(calls[1]!.body).toEqual(collectionConfig(LAYOUT));
  });

  it('adds documents in batches: existence check, upserts of the encoded points, progress', async () => {
    const index = await open();
    const docs = [
      { id: 'a', text: 'alpha beta', metadata: { year: 2020 } },
      { id: 2, text: 'gamma' },
    ];
    queue(`POST ${C}/points`, () => []);
    queue(
      `PUT ${C}/points`,
      () => ({ operation_id: 1, status: 'completed' }),
      () => ({ operation_id: 2, status: 'completed' }),
    );
    const progress: number[] = [];
    await index.add(docs, { batchSize: 1, onProgress: (p) => progress.push(p.done) });
    expect(progress).toEqual([1, 2]);
    expect(calls[2]).toEqual({ key: `POST ${C}/points`, body: { ids: [pointId('a'), pointId(2)], with_payload: true, with_vector: false } });
    expect(calls[3]!.body).toEqual(JSON.parse(JSON.stringify({ points: [buildPoint(docs[0]!, fakeEncode('alpha beta'))] })));
    expect(calls[4]!.body).toEqual(JSON.parse(JSON.stringify({ points: [buildPoint(docs[1]!, fakeEncode('gamma'))] })));
  });

  it('add of an id already in the collection is DUPLICATE_ID and writes nothing', async () => {
    const index = await open();
    queue(`POST ${C}/points`, () => [record('a')]);
    await expect(index.add([{ id: 'a', text: 'x' }])).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
    expect(calls.some((c) => c.key === `PUT ${C}/points`)).toBe(false);
  });

  it('fuses every channel score of every candidate with the M3 formula (MaxSim = Qdrant max_sim / query vectors)', async () => {
    const index = await open();
    const [A, B, D] = [pointId('A'), pointId('B'), pointId('D')];
    queue(
      `POST ${C}/points/query/batch`,
      () => [
        {
          points: [
            { id: A, version: 1, score: 0.9 },
            { id: B, version: 1, score: 0.5 },
          ],
        },
        {
          points: [
            { id: B, version: 1, score: 0.4 },
            { id: D, version: 1, score: 0.05 },
          ],
        },
      ],
      // channel scores of the candidates (sparse: a candidate sharing no term is absent → 0)
      () => [
        {
          points: [
            { id: A, version: 1, score: 0.9 },
            { id: B, version: 1, score: 0.5 },
            { id: D, version: 1, score: 0.1 },
          ],
        },
        {
          points: [
            { id: B, version: 1, score: 0.4 },
            { id: D, version: 1, score: 0.05 },
          ],
        },
        {
          points: [
            { id: A, version: 1, score: 1.6 },
            { id: B, version: 1, score: 1.0 },
            { id: D, version: 1, score: 0.2 },
          ],
        },
      ],
    );
    queue(`POST ${C}/points`, () => [record('B', { metadata: { year: 2021 } }), record('A', { text: 'alpha' })]);
    const hits = await index.search('alpha beta', { k: 2, explain: true, includeText: true, filter: { year: { gte: 2020 } } });
    const m3 = (d: number, s: number, m: number) => (1 * d + 0.3 * s + 1 * m) / 2.3;
    expect(hits.map((h) => h.id)).toEqual(['A', 'B']);
    expect(hits[0]!.score).toBeCloseTo(m3(0.9, 0, 0.8), 6);
    expect(hits[1]!.score).toBeCloseTo(m3(0.5, 0.4, 0.5), 6);
    expect(hits[0]!.scores).toEqual({ dense: expect.closeTo(0.9, 6), sparse: 0, multivector: expect.closeTo(0.8, 6) });
    expect(hits[0]!.text).toBe('alpha');
    expect(hits[1]!.metadata).toEqual({ year: 2021 });
    expect(hits[0]!.explanation?.fusion).toEqual({ kind: 'weighted', weights: { dense: 1, sparse: 0.3, multivector: 1 } });
    expect(hits[0]!.explanation?.channels.multivector?.score).toBeCloseTo(0.8, 6);
    // the requests: first stage under the filter, then the scores restricted to the candidates
    const [first, second] = calls.filter((c) => c.key === `POST ${C}/points/query/batch`).map((c) => c.body as { searches: Array<Record<string, unknown>> });
    const filter = { must: [{ key: 'metadata.year', range: { gte: 2020 } }] };
    expect(first!.searches.map((s) => [s.using, s.limit, s.filter])).toEqual([
      ['dense', 200, filter],
      ['sparse', 200, filter],
    ]);
    const ids = [A, B, D].sort();
    expect(second!.searches.map((s) => [s.using, s.limit, s.filter, s.params])).toEqual(['dense', 'sparse', 'multivector'].map((u) => [u, 3, { must: [{ has_id: ids }] }, { exact: true }]));
    expect((second!.searches[2]!.query as { nearest: number[][] }).nearest.length).toBe(2);
  });

  it("a single-channel search returns Qdrant's scores (multi-vector divided by the query's vectors)", async () => {
    const index = await open();
    queue(`POST ${C}/points/query`, () => ({ points: [{ ...record('A'), version: 0, score: 1.5 }] }));
    const hits = await index.search('alpha beta gamma', { mode: 'multivector', k: 1 });
    expect(hits).toEqual([{ id: 'A', score: 0.5, scores: { multivector: 0.5 } }]);
  });

  it("dense scores are the local ones (row · query): Qdrant's cosine times the query's norm", async () => {
    const index = await open();
    queue(`POST ${C}/points/query`, () => ({ points: [{ ...record('A'), version: 0, score: 0.5 }] }));
    const dense = new Float32Array(16);
    dense[0] = 3;
    dense[1] = 4; // norm 5: the local store scores roŵ · q = 5 · cos
    const hits = await index.search('x', { mode: 'dense', k: 1, encoded: { dense } });
    expect(hits[0]!.score).toBeCloseTo(2.5, 6);
    expect((calls.at(-1)!.body as { query: { nearest: number[] } }).query.nearest.slice(0, 3)).toEqual([3, 4, 0]);
  });

  it("fusionAt 'qdrant' sends one prefetch + RRF request and returns Qdrant's fused order and scores", async () => {
    queue(`GET ${C}/exists`, () => ({ exists: false }));
    queue(`PUT ${C}`, () => true);
    const index = await QdrantIndex.create({ encoder: new FakeEncoder(), url: 'http://q.test:6333', collection: 'docs', maxRetries: 0, fusionAt: 'qdrant' });
    queue(`POST ${C}/points/query`, () => ({
      points: [
        { ...record('B'), version: 0, score: 0.0325 },
        { ...record('A'), version: 0, score: 0.0161 },
      ],
    }));
    const hits = await index.search('alpha beta', { k: 2, fusion: { kind: 'rrf', rrfK: 30 }, candidates: 50 });
    expect(hits).toEqual([
      { id: 'B', score: 0.0325, scores: {} },
      { id: 'A', score: 0.0161, scores: {} },
    ]);
    const body = calls.at(-1)!.body as { prefetch: Array<{ using: string; limit: number; prefetch?: unknown[] }>; query: unknown; limit: number };
    expect(body.query).toEqual({ rrf: { k: 30 } });
    expect(body.limit).toBe(2);
    expect(body.prefetch.map((p) => [p.using, p.limit, Array.isArray(p.prefetch)])).toEqual([
      ['dense', 50, false],
      ['sparse', 50, false],
      ['multivector', 50, true],
    ]);
  });

  it('refuses function filters and chunking with UNSUPPORTED', async () => {
    const index = await open();
    await expect(index.search('x', { filter: () => true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(index.add([{ id: 1, text: 'x' }], { chunking: { kind: 'late', by: 'sentence' } })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('an existing collection built for another dimension is ENCODER_MISMATCH', async () => {
    queue(`GET ${C}/exists`, () => ({ exists: true }));
    queue(`GET ${C}`, () => ({
      status: 'green',
      optimizer_status: 'ok',
      segments_count: 1,
      payload_schema: {},
      config: {
        params: { vectors: { dense: { size: 768, distance: 'Cosine' }, multivector: { size: FAKE_DIM, distance: 'Dot', multivector_config: { comparator: 'max_sim' } } }, sparse_vectors: { sparse: {} } },
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
        optimizer_config: {},
        wal_config: {},
      },
    }));
    await expect(QdrantIndex.create({ encoder: new FakeEncoder(), url: 'http://q.test:6333', collection: 'docs', maxRetries: 0 })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH', message: expect.stringMatching(/size 768/) });
  });

  it('deletes by point id and counts unknown ids; a closed index throws INDEX_CLOSED', async () => {
    const index = await open();
    queue(`POST ${C}/points`, () => [record('a')]);
    queue(`POST ${C}/points/delete`, () => ({ operation_id: 3, status: 'completed' }));
    await expect(index.delete(['a', 'zz'])).resolves.toEqual({ deleted: 1, unknown: 1 });
    expect(calls.at(-1)).toEqual({ key: `POST ${C}/points/delete`, body: { points: [pointId('a')] } });
    await index.close();
    await index.close();
    await expect(index.search('x')).rejects.toMatchObject({ code: 'INDEX_CLOSED' });
  });
});

describe('HybridIndex.create({ backend: qdrant(…) })', () => {
  it('hands the options over to a QdrantIndex (BM25 channel included)', async () => {
    const { HybridIndex, qdrant, QdrantIndex: Exported } = await import('../../../src/index.js');
    queue(`GET ${C}/exists`, () => ({ exists: false }));
    queue(`PUT ${C}`, () => true);
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), bm25: { analyzer: 'plain' }, backend: qdrant({ url: 'http://q.test:6333', collection: 'docs', shards: 2, replicas: 3, bm25AvgLength: 12 }) });
    expect(index).toBeInstanceOf(Exported);
    expect(calls[1]!.body).toMatchObject({ shard_number: 2, replication_factor: 3, sparse_vectors: { sparse: { modifier: 'none' }, bm25: { modifier: 'idf' } } });
    const { BM25_DEFAULTS } = await import('../../../src/sparse/index.js');
    expect(index.layout.bm25).toMatchObject({ analyzer: 'plain', k1: BM25_DEFAULTS.k1, b: BM25_DEFAULTS.b, avgdl: 12 });
  });
  it('refuses local-only options beside a backend', async () => {
    const { HybridIndex, qdrant } = await import('../../../src/index.js');
    await expect(HybridIndex.create({ encoder: new FakeEncoder(), path: '/tmp/x', backend: qdrant({ url: 'http://q.test:6333', collection: 'docs' }) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/'path' is for a local index/) });
    expect(calls).toEqual([]);
  });
});

describe('without @qdrant/js-client-rest', () => {
  it('connecting is UNSUPPORTED and says how to install it', async () => {
    vi.resetModules();
    vi.doMock('@qdrant/js-client-rest', () => {
      throw new Error("Cannot find package '@qdrant/js-client-rest'");
    });
    try {
      const { QdrantConnection } = await import('../../../src/qdrant/client.js');
      await expect(QdrantConnection.connect({ url: 'http://q.test:6333' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('npm install @qdrant/js-client-rest') });
    } finally {
      vi.doUnmock('@qdrant/js-client-rest');
      vi.resetModules();
    }
  });
});
