/**
 * The connection layer on recorded response bodies: the real @qdrant/js-client-rest 1.18.0
 * sends each request through a stubbed global fetch, which answers with bodies written from
 * Qdrant's documented response schemas (OpenAPI v1.18.0: `{ result, status: 'ok', time }` for
 * 200s with QueryResponse / UpdateResult / CollectionExistence results, and ErrorResponse
 * `{ status: { error }, time }` for errors; the error texts are Qdrant's own wording).
 * Nothing here ranks: the answers are fixed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QdrantConnection } from '../../../src/qdrant/client.js';
import { RemoteError } from '../../../src/remote/errors.js';

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | Error;
let answers: Answer[] = [];
let calls: Array<{ url: string; method: string; body: unknown }> = [];

beforeEach(() => {
  answers = [];
  calls = [];
  vi.stubGlobal('fetch', async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), method: String(init?.method), body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const a = answers.shift();
    if (!a) throw new Error('test: no answer queued');
    if (a instanceof Error) throw a;
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json', ...(a.headers ?? {}) } });
  });
});
afterEach(() => vi.unstubAllGlobals());

const ok = (result: unknown): Answer => ({ status: 200, body: { result, status: 'ok', time: 0.0021 } });
const err = (status: number, error: string, headers?: Record<string, string>): Answer => ({ status, body: { status: { error }, time: 0.0001 }, ...(headers ? { headers } : {}) });
const sleeps: number[] = [];
const conn = () => {
  sleeps.length = 0;
  return QdrantConnection.connect({ url: 'http://qdrant.test:6333', maxRetries: 3, baseDelayMs: 100, random: () => 0, sleep: async (ms) => void sleeps.push(ms) });
};

describe('QdrantConnection', () => {
  it('sends the query body and returns the documented points with their scores', async () => {
    const c = await conn();
    answers.push(
      ok({
        points: [
          { id: '95b81b43-564b-5515-9ac8-74a209767455', version: 3, score: 0.8125, payload: { trident_id: 'doc-1' } },
          { id: 7, version: 1, score: -0.25 },
        ],
      }),
    );
    const r = await c.query('docs', { query: { nearest: [0, 1] }, using: 'dense', limit: 2 });
    expect(r.points.map((p) => [p.id, p.score])).toEqual([
      ['95b81b43-564b-5515-9ac8-74a209767455', 0.8125],
      [7, -0.25],
    ]);
    expect(calls).toEqual([{ url: 'http://qdrant.test:6333/collections/docs/points/query', method: 'POST', body: { query: { nearest: [0, 1] }, using: 'dense', limit: 2 } }]);
  });

  it('upserts with wait=true by PUT and deletes by id', async () => {
    const c = await conn();
    answers.push(ok({ operation_id: 4, status: 'completed' }), ok({ operation_id: 5, status: 'completed' }));
    await c.upsert('docs', [{ id: 'a2c7…', vector: { dense: [1, 0] }, payload: { trident_id: 'a' } }]);
    await c.deletePoints('docs', ['95b81b43-564b-5515-9ac8-74a209767455']);
    expect(calls[0]).toMatchObject({ method: 'PUT', url: 'http://qdrant.test:6333/collections/docs/points?wait=true', body: { points: [{ id: 'a2c7…' }] } });
    expect(calls[1]).toMatchObject({ method: 'POST', url: 'http://qdrant.test:6333/collections/docs/points/delete?wait=true', body: { points: ['95b81b43-564b-5515-9ac8-74a209767455'] } });
  });

  it('retries a 503 with exponential backoff, then succeeds', async () => {
    const c = await conn();
    answers.push(err(503, 'Service Unavailable: overloaded'), err(502, 'bad gateway'), ok({ points: [] }));
    await expect(c.query('docs', { limit: 1 })).resolves.toEqual({ points: [] });
    expect(calls.length).toBe(3);
    expect(sleeps).toEqual([50, 100]); // min(cap, 100·2ⁿ)·(0.5 + 0.5·0)
  });

  it('waits the Retry-After of a 429, and gives REMOTE_RATE_LIMITED after the retries', async () => {
    const c = await conn();
    for (let i = 0; i < 4; i++) answers.push(err(429, 'Too many requests', { 'retry-after': '2' }));
    const e = await c.query('docs', { limit: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteError);
    expect((e as RemoteError).code).toBe('REMOTE_RATE_LIMITED');
    expect((e as RemoteError).attempts).toBe(4);
    expect(sleeps).toEqual([2000, 2000, 2000]);
  });

  it('a 429 with an HTTP-date Retry-After (which the client cannot parse) is still a retried 429', async () => {
    const c = await conn();
    answers.push(err(429, 'Too many requests', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), ok({ points: [] }));
    await expect(c.query('docs', { limit: 1 })).resolves.toEqual({ points: [] });
    expect(sleeps).toEqual([50]);
  });

  it('maps a dimension error to ENCODER_MISMATCH without retrying', async () => {
    const c = await conn();
    answers.push(err(400, 'Wrong input: Vector dimension error: expected dim: 4, got 3'));
    await expect(c.query('docs', { limit: 1 })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH' });
    expect(calls.length).toBe(1);
  });

  it('maps a missing vector name to ENCODER_MISMATCH', async () => {
    const c = await conn();
    answers.push(err(400, 'Wrong input: Not existing vector name error: colbert'));
    await expect(c.query('docs', { limit: 1 })).rejects.toMatchObject({ code: 'ENCODER_MISMATCH' });
  });

  it("a 404 is REMOTE_HTTP_ERROR with the status and Qdrant's message, not retried", async () => {
    const c = await conn();
    answers.push(err(404, "Not found: Collection `nope` doesn't exist!"));
    const e = (await c.getCollection('nope').catch((x: unknown) => x)) as RemoteError;
    expect(e.code).toBe('REMOTE_HTTP_ERROR');
    expect(e.status).toBe(404);
    expect(e.message).toMatch(/Collection `nope` doesn't exist/);
    expect(calls.length).toBe(1);
  });

  it('a network fault on every attempt is REMOTE_UNREACHABLE', async () => {
    const c = await conn();
    for (let i = 0; i < 4; i++) answers.push(new TypeError('fetch failed'));
    await expect(c.queryBatch('docs', { searches: [] })).rejects.toMatchObject({ code: 'REMOTE_UNREACHABLE', status: 0, attempts: 4 });
  });

  it('a 200 that is not the documented shape is REMOTE_BAD_RESPONSE', async () => {
    const c = await conn();
    answers.push(ok({ points: [{ id: 'x', version: 0, score: 'high' }] }));
    await expect(c.query('docs', { limit: 1 })).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
    answers.push(ok([{ points: [] }]));
    await expect(c.queryBatch('docs', { searches: [{ limit: 1 }, { limit: 1 }] })).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(QdrantConnection.connect({ url: 'localhost:6333' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
