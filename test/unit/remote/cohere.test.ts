import { afterEach, describe, expect, it } from 'vitest';
import { createCohereReranker } from '../../../src/remote/cohere.js';
import { loopback } from './loopback.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Server-side score: fraction of query words present in the document. */
function overlap(q: string, d: string): number {
  const qs = q.toLowerCase().split(/\s+/);
  const ds = new Set(d.toLowerCase().split(/\s+/));
  return qs.filter((w) => ds.has(w)).length / qs.length;
}

/** The Cohere rerank request fields these tests read. */
interface RerankRequest {
  model: string;
  query: string;
  documents: string[];
  top_n: number;
}

describe('createCohereReranker (loopback server)', () => {
  it('maps results (sorted by score, per chunk) back to input order and retries 503', async () => {
    let failed = false;
    const srv = await loopback<RerankRequest>((req) => {
      if (!failed) {
        failed = true;
        return { status: 503, headers: { 'retry-after': '0' }, body: { message: 'overloaded' } };
      }
      const { query, documents, top_n } = req.body;
      const results = documents
        .map((d: string, index: number) => ({ index, relevance_score: overlap(query, d) }))
        .sort((a: { relevance_score: number }, b: { relevance_score: number }) => b.relevance_score - a.relevance_score)
        .slice(0, top_n);
      return { body: { id: 'x', results, meta: {} } };
    });
    closers.push(srv.close);
    const rr = createCohereReranker({ model: 'rerank-v3.5', baseUrl: srv.url, apiKey: 'ck', maxDocsPerRequest: 2, baseDelayMs: 1 });
    const q = 'capital of france';
    const docs = ['paris is the capital of france', 'berlin', 'france has a capital', 'capital letters', 'of'];
    const scores = await rr.rerank(q, docs);
    expect(scores).toEqual(docs.map((d) => overlap(q, d)));
    expect(srv.seen.length).toBe(4); // one 503 + three chunks
    expect(srv.seen.every((s) => s.path === '/v2/rerank' && s.headers.authorization === 'Bearer ck')).toBe(true);
    expect(srv.seen[1]!.body).toMatchObject({ model: 'rerank-v3.5', query: q, top_n: 2 });
    expect(rr.info.scale).toBe('probability');
  });

  it('rejects an answer with missing results', async () => {
    const srv = await loopback(() => ({ body: { results: [{ index: 0, relevance_score: 0.5 }] } }));
    closers.push(srv.close);
    const rr = createCohereReranker({ model: 'm', baseUrl: srv.url });
    await expect(rr.rerank('q', ['a', 'b'])).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
    await expect(rr.rerank('', ['a'])).rejects.toMatchObject({ code: 'INVALID_TEXT' });
  });
});
