import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIEncoder } from '../../../src/remote/openai.js';
import { RemoteError } from '../../../src/remote/errors.js';
import { RateLimiter } from '../../../src/remote/rate-limit.js';
import { fakeVector, loopback } from './loopback.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Independent oracle: first d components, divided by their Euclidean norm (float64). */
function expected(text: string, d: number): number[] {
  const v = fakeVector(text).slice(0, d);
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

/** The OpenAI embeddings request fields these tests read. */
interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
}

function embeddingsServer(opts: { reverse?: boolean; honourDimensions?: boolean } = {}) {
  return loopback<EmbeddingsRequest>((req) => {
    const input: string[] = req.body.input;
    let data = input.map((t, index) => {
      let e = fakeVector(t);
      if (opts.honourDimensions && req.body.dimensions) e = expected(t, req.body.dimensions);
      return { object: 'embedding', index, embedding: e };
    });
    if (opts.reverse) data = data.reverse();
    return { body: { object: 'list', data, model: req.body.model, usage: { prompt_tokens: 1, total_tokens: 1 } } };
  });
}

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

describe('createOpenAIEncoder (loopback server)', () => {
  it('batches in input order even when the server lists data out of order', async () => {
    const srv = await embeddingsServer({ reverse: true });
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: `${srv.url}/v1`, apiKey: 'k1', batchSize: 2, concurrency: 2, ...fast });
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const out = await enc.encode(texts, { role: 'document' });
    expect(srv.seen.length).toBe(3);
    expect(srv.seen.flatMap((s) => s.body.input).sort()).toEqual([...texts].sort());
    expect(srv.seen.every((s) => s.path === '/v1/embeddings' && s.headers.authorization === 'Bearer k1')).toBe(true);
    expect(srv.seen[0]!.body.dimensions).toBeUndefined();
    out.forEach((o, i) => {
      const want = expected(texts[i]!, 16);
      o.dense.forEach((x, j) => {
        expect(x).toBeCloseTo(want[j]!, 6);
      });
      expect(o.sparse.ids.length).toBe(0);
      expect(o.multivector.count).toBe(0);
    });
    expect(enc.info.heads).toEqual({ dense: true, sparse: false, multivector: false });
  });

  it('applies role prefixes client-side', async () => {
    const srv = await embeddingsServer();
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'e5', dim: 16, baseUrl: srv.url, prefixes: { query: 'query: ', document: 'passage: ' }, ...fast });
    const [q] = await enc.encode(['x'], { role: 'query' });
    await enc.encode(['y']);
    expect(srv.seen.map((s) => s.body.input[0])).toEqual(['query: x', 'passage: y']);
    expected('query: x', 16).forEach((w, j) => {
      expect(q!.dense[j]).toBeCloseTo(w, 6);
    });
  });

  it('Matryoshka: sends dimensions for text-embedding-3 and renormalises client-side', async () => {
    const srv = await embeddingsServer({ honourDimensions: false });
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'text-embedding-3-small', dimensions: 8, baseUrl: srv.url, ...fast });
    expect(enc.info.dim).toBe(8);
    const [v] = await enc.encode(['matryoshka doll']);
    expect(srv.seen[0]!.body.dimensions).toBe(8);
    expect(v!.dense.length).toBe(8);
    expected('matryoshka doll', 8).forEach((w, j) => {
      expect(v!.dense[j]).toBeCloseTo(w, 6);
    });
    const other = await createOpenAIEncoder({ model: 'my-model', dimensions: 4, baseUrl: srv.url, ...fast });
    const [u] = await other.encode(['matryoshka doll']);
    expect(srv.seen[1]!.body.dimensions).toBeUndefined();
    expected('matryoshka doll', 4).forEach((w, j) => {
      expect(u!.dense[j]).toBeCloseTo(w, 6);
    });
  });

  it('probes the dimension of an unknown model with one request', async () => {
    const srv = await embeddingsServer();
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'unknown', baseUrl: srv.url, ...fast });
    expect(enc.info.dim).toBe(16);
    expect(srv.seen.length).toBe(1);
  });

  it('retries a 429 after the server-requested wait, then succeeds', async () => {
    const srv = await loopback<EmbeddingsRequest>((req, n) => (n === 0 ? { status: 429, headers: { 'retry-after-ms': '80' }, body: { error: { message: 'Rate limit reached' } } } : { body: { data: req.body.input.map((t: string, index: number) => ({ index, embedding: fakeVector(t) })) } }));
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: srv.url, baseDelayMs: 1 });
    const [v] = await enc.encode(['after 429']);
    expect(srv.seen.length).toBe(2);
    expect(srv.seen[1]!.at - srv.seen[0]!.at).toBeGreaterThanOrEqual(75);
    expected('after 429', 16).forEach((w, j) => {
      expect(v!.dense[j]).toBeCloseTo(w, 6);
    });
  });

  it('gives up after maxRetries on persistent 500 with a typed error', async () => {
    const srv = await loopback(() => ({ status: 500, body: { error: { message: 'boom' } } }));
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: srv.url, maxRetries: 2, ...fast });
    const err = await enc.encode(['x']).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('REMOTE_HTTP_ERROR');
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/after 3 attempts/);
    expect(err.attempts).toBe(3);
    expect(err.message).toContain('boom');
    expect(srv.seen.length).toBe(3);
  });

  it('a 429 on every attempt is REMOTE_RATE_LIMITED, after maxRetries + 1 requests', async () => {
    const srv = await loopback(() => ({ status: 429, body: { error: { message: 'Rate limit reached for requests' } } }));
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: srv.url, maxRetries: 2, ...fast });
    const err = await enc.encode(['x']).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'REMOTE_RATE_LIMITED', status: 429, attempts: 3 });
    expect(err.message).toMatch(/Rate limit reached.*lower the request rate/);
    expect(srv.seen.length).toBe(3);
  });

  it('no server at all is REMOTE_UNREACHABLE (status 0) after the retries; a non-JSON 200 is REMOTE_BAD_RESPONSE', async () => {
    const gone = await loopback(() => ({ body: {} }));
    await gone.close(); // the port is now closed: connection refused
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: gone.url, maxRetries: 1, ...fast });
    const err = await enc.encode(['x']).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'REMOTE_UNREACHABLE', status: 0, attempts: 2 });
    expect(err.message).toMatch(/could not be reached in 2 attempts/);
    const html = await loopback(() => ({ body: '<html>login</html>' }));
    closers.push(html.close);
    const enc2 = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: html.url, ...fast });
    await expect(enc2.encode(['x'])).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE', status: 200, message: expect.stringMatching(/not JSON/) });
    expect(html.seen.length).toBe(1); // not retried
  });

  it('does not retry a 401 and reports the server message', async () => {
    const srv = await loopback(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided' } } }));
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: srv.url, ...fast });
    const err = await enc.encode(['x']).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('REMOTE_HTTP_ERROR');
    expect(err.status).toBe(401);
    expect(err.message).toContain('Incorrect API key');
    expect(err.message).toMatch(/not retried/);
    expect(srv.seen.length).toBe(1);
  });

  it('rejects malformed answers and bad input with typed errors', async () => {
    const srv = await loopback(() => ({ body: { data: [{ index: 0, embedding: 'AAAA' }] } }));
    closers.push(srv.close);
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: srv.url, ...fast });
    await expect(enc.encode(['x'])).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
    await expect(enc.encode([''])).rejects.toMatchObject({ code: 'INVALID_TEXT' });
    await expect(enc.encode([3 as unknown as string])).rejects.toMatchObject({ code: 'INVALID_TEXT' });
    await expect(createOpenAIEncoder({ model: 'm', dimensions: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(enc.encodeTokens()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await enc.close();
    await expect(enc.encode(['x'])).rejects.toMatchObject({ code: 'ENCODER_CLOSED', name: 'EncoderClosedError' });
  });

  it('spaces requests with a shared rate limiter', async () => {
    const srv = await embeddingsServer();
    closers.push(srv.close);
    // 1200 requests/min = one per 50 ms, bucket depth of one request.
    const rateLimiter = new RateLimiter({ requestsPerMinute: 1200, burstSeconds: 0.05 });
    const enc = await createOpenAIEncoder({ model: 'm', dim: 16, baseUrl: srv.url, batchSize: 1, concurrency: 4, rateLimiter, ...fast });
    const t0 = performance.now();
    await enc.encode(['a', 'b', 'c', 'd']);
    // The first request goes at once; the other three wait 50 ms each for the bucket.
    const last = Math.max(...srv.seen.map((s) => s.at));
    expect(last - t0).toBeGreaterThanOrEqual(145);
    expect(srv.seen.length).toBe(4);
  });
});
