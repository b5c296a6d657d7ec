/**
 * The connection to a Qdrant server: loads `@qdrant/js-client-rest` lazily (a missing package
 * is UNSUPPORTED with the install command), retries with backoff, and maps failures to
 * trident's codes. Every request body comes from the builders (collection.ts, points.ts,
 * query.ts); this file only sends them.
 *
 * Retry policy (as remote/http.ts): HTTP 408, 429 and 5xx, timeouts and network faults are
 * retried up to `maxRetries` times; the wait is the server's Retry-After when the client
 * passes it on (capped at `maxRetryAfterMs`), else min(maxDelayMs, baseDelayMs·2ⁿ)·(0.5 +
 * 0.5·random). Other 4xx are not retried. After the retries: REMOTE_RATE_LIMITED (429),
 * REMOTE_UNREACHABLE (no answer), REMOTE_HTTP_ERROR (other statuses, with Qdrant's
 * `status.error` message, schema ErrorResponse). A 400 saying a vector's dimension or name is
 * wrong is ENCODER_MISMATCH. A 2xx that is not the documented shape is REMOTE_BAD_RESPONSE.
 *
 * Note on @qdrant/js-client-rest 1.18.0: its 429 handler reads `headers.get('retry-after')?.[0]`,
 * the first character of the header ("30" → 3 s; an HTTP date makes it throw a plain Error
 * "Invalid retryAfter value"); both are handled here (the latter as a 429 with backoff).
 */
import { InvalidArgumentError, TridentError } from '../errors.js';
import { RemoteError } from '../remote/errors.js';
import { retryAfterMs } from '../remote/http.js';
import type { QdrantConnectionOptions } from './types.js';
import type { QCollectionInfo, QCreateCollection, QPointStruct, QQueryRequest, QQueryRequestBatch, QQueryResponse, QRecord } from './schema.js';

export type { QdrantConnectionOptions } from './types.js';

/** The part of QdrantClient this layer calls (its method names and argument shapes). */
interface ClientLike {
  collectionExists(name: string): Promise<{ exists: boolean }>;
  getCollection(name: string): Promise<QCollectionInfo>;
  /** The generated low-level API: its createCollection sends the whole body (the high-level one drops `metadata` in 1.18). */
  api(): { createCollection(args: QCreateCollection & { collection_name: string }): Promise<{ data: { result?: boolean } }> };
  deleteCollection(name: string): Promise<boolean>;
  upsert(name: string, body: { wait: boolean; points: QPointStruct[] }): Promise<unknown>;
  delete(name: string, body: { wait: boolean; points: Array<string | number> }): Promise<unknown>;
  query(name: string, body: QQueryRequest): Promise<QQueryResponse>;
  queryBatch(name: string, body: QQueryRequestBatch): Promise<QQueryResponse[]>;
  retrieve(name: string, body: { ids: Array<string | number>; with_payload: boolean; with_vector: boolean | string[] }): Promise<QRecord[]>;
}

/** Loads the optional client package (UNSUPPORTED when it is not installed). */
async function loadClient(): Promise<typeof import('@qdrant/js-client-rest')> {
  try {
    return await import('@qdrant/js-client-rest');
  } catch (e) {
    throw new TridentError('UNSUPPORTED', 'the Qdrant backend needs the optional peer dependency @qdrant/js-client-rest: run `npm install @qdrant/js-client-rest`', { cause: e });
  }
}

interface Failure {
  status: number;
  message: string;
  retry: boolean;
  waitMs?: number | undefined;
}

function errorMessage(data: unknown): string {
  if (data && typeof data === 'object') {
    const st = (data as { status?: unknown }).status;
    if (st && typeof st === 'object' && typeof (st as { error?: unknown }).error === 'string') return (st as { error: string }).error.slice(0, 300);
  }
  return typeof data === 'string' ? data.slice(0, 300) : JSON.stringify(data ?? null).slice(0, 300);
}

/** Classifies whatever the client threw. */
export function classify(e: unknown): Failure {
  const err = e as { name?: string; status?: unknown; data?: unknown; headers?: unknown; retry_after?: unknown; message?: string };
  if (err && typeof err.status === 'number') {
    const status = err.status;
    const waitMs = err.headers instanceof Headers ? retryAfterMs(err.headers) : undefined;
    return { status, message: `HTTP ${status}: ${errorMessage(err.data)}`, retry: status === 408 || status === 429 || status >= 500, waitMs };
  }
  if (err?.name === 'QdrantClientResourceExhaustedError') {
    return { status: 429, message: `HTTP 429: ${err.message ?? ''}`, retry: true, waitMs: typeof err.retry_after === 'number' ? err.retry_after * 1000 : undefined };
  }
  if (typeof err?.message === 'string' && err.message.startsWith('Invalid retryAfter value')) return { status: 429, message: `HTTP 429 (${err.message})`, retry: true };
  if (err?.name === 'QdrantClientUnexpectedResponseError') return { status: -1, message: err.message ?? 'unexpected response', retry: false };
  return { status: 0, message: `network error: ${err?.message ?? String(e)}`, retry: true };
}

const ENCODER_PATTERNS = /dimension error|wrong input: vector .*dim|not existing vector name|vector name .* not|expected dim/i;

/**
 * A Qdrant connection with retries and typed errors.
 *
 * @example
 * ```ts
 * const conn = await QdrantConnection.connect({ url: 'http://localhost:6333' });
 * const info = await conn.getCollection('docs');
 * ```
 */
export class QdrantConnection {
  readonly url: string;
  #client: ClientLike;
  #o: QdrantConnectionOptions;
  private constructor(client: ClientLike, o: QdrantConnectionOptions) {
    this.#client = client;
    this.#o = o;
    this.url = o.url;
  }

  /** Loads the client package and creates a client (no request is sent). */
  static async connect(o: QdrantConnectionOptions): Promise<QdrantConnection> {
    if (!o || typeof o.url !== 'string' || !/^https?:\/\//.test(o.url)) throw new InvalidArgumentError('INVALID_ARGUMENT', `qdrant url must be an http(s) URL such as http://localhost:6333 (got ${String(o?.url)})`);
    const { QdrantClient } = await loadClient();
    const client = new QdrantClient({ url: o.url, ...(o.apiKey ? { apiKey: o.apiKey } : {}), timeout: o.timeoutMs ?? 60_000, checkCompatibility: false });
    return new QdrantConnection(client as unknown as ClientLike, o);
  }

  /** Runs one request with the retry policy; `what` names it in errors. */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const max = this.#o.maxRetries ?? 5;
    const base = this.#o.baseDelayMs ?? 500;
    const cap = this.#o.maxDelayMs ?? 20_000;
    const raCap = this.#o.maxRetryAfterMs ?? 60_000;
    const random = this.#o.random ?? Math.random;
    const sleep = this.#o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let last: Failure = { status: 0, message: '', retry: true };
    let cause: unknown;
    for (let attempt = 0; attempt <= max; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof TridentError) throw e;
        cause = e;
        last = classify(e);
        if (last.status === -1) throw new RemoteError('REMOTE_BAD_RESPONSE', `Qdrant ${what} at ${this.url}: ${last.message}`, 0, attempt + 1, { cause: e });
        if (!last.retry) {
          if (last.status === 400 && ENCODER_PATTERNS.test(last.message)) {
            throw new InvalidArgumentError('ENCODER_MISMATCH', `Qdrant ${what} refused the vectors (${last.message}): the collection was created for another encoder or layout; use another collection or the encoder it was built with`, { cause: e });
          }
          throw new RemoteError('REMOTE_HTTP_ERROR', `Qdrant ${what} at ${this.url} was rejected (${last.message}); fix the request (API key, collection name, input) — it is not retried`, last.status, attempt + 1, { cause: e });
        }
      }
      if (attempt === max) break;
      const wait = last.waitMs !== undefined ? Math.min(last.waitMs, raCap) : Math.min(cap, base * 2 ** attempt) * (0.5 + 0.5 * random());
      await sleep(wait);
    }
    const n = max + 1;
    if (last.status === 429) throw new RemoteError('REMOTE_RATE_LIMITED', `Qdrant ${what} at ${this.url} was still rate-limited after ${n} attempts (${last.message}); lower the batch size or concurrency, or raise maxRetries`, 429, n, { cause });
    if (last.status === 0) throw new RemoteError('REMOTE_UNREACHABLE', `Qdrant at ${this.url} could not be reached in ${n} attempts for ${what} (${last.message}); check the URL, that the server runs (docker run -p 6333:6333 qdrant/qdrant) and timeoutMs`, 0, n, { cause });
    throw new RemoteError('REMOTE_HTTP_ERROR', `Qdrant ${what} at ${this.url} failed after ${n} attempts (last: ${last.message}); the server is failing, retry later or raise maxRetries`, last.status, n, { cause });
  }

  collectionExists(name: string): Promise<boolean> {
    return this.#call(`collection-exists ${name}`, async () => {
      const r = await this.#client.collectionExists(name);
      if (!r || typeof r.exists !== 'boolean') throw badShape('collectionExists', r);
      return r.exists;
    });
  }
  getCollection(name: string): Promise<QCollectionInfo> {
    return this.#call(`get-collection ${name}`, async () => {
      const r = await this.#client.getCollection(name);
      if (!r || typeof r !== 'object' || !r.config?.params) throw badShape('getCollection', r);
      return r;
    });
  }
  createCollection(name: string, body: QCreateCollection): Promise<void> {
    return this.#call(`create-collection ${name}`, async () => void (await this.#client.api().createCollection({ collection_name: name, ...body })));
  }
  deleteCollection(name: string): Promise<void> {
    return this.#call(`delete-collection ${name}`, async () => void (await this.#client.deleteCollection(name)));
  }
  upsert(name: string, points: QPointStruct[]): Promise<void> {
    return this.#call(`upsert (${points.length} points) into ${name}`, async () => void (await this.#client.upsert(name, { wait: true, points })));
  }
  deletePoints(name: string, ids: string[]): Promise<void> {
    return this.#call(`delete (${ids.length} points) from ${name}`, async () => void (await this.#client.delete(name, { wait: true, points: ids })));
  }
  query(name: string, body: QQueryRequest): Promise<QQueryResponse> {
    return this.#call(`query ${name}`, async () => checkResponse(await this.#client.query(name, body)));
  }
  queryBatch(name: string, body: QQueryRequestBatch): Promise<QQueryResponse[]> {
    return this.#call(`query-batch ${name}`, async () => {
      const r = await this.#client.queryBatch(name, body);
      if (!Array.isArray(r) || r.length !== body.searches.length) throw badShape('queryBatch', r);
      return r.map(checkResponse);
    });
  }
  retrieve(name: string, ids: string[], withVector: boolean | string[] = false, withPayload = true): Promise<QRecord[]> {
    return this.#call(`retrieve ${name}`, async () => {
      const r = await this.#client.retrieve(name, { ids, with_payload: withPayload, with_vector: withVector });
      if (!Array.isArray(r)) throw badShape('retrieve', r);
      return r;
    });
  }
}

function badShape(what: string, r: unknown): RemoteError {
  return new RemoteError('REMOTE_BAD_RESPONSE', `Qdrant ${what} answered ${JSON.stringify(r)?.slice(0, 200)}, not the documented shape; is the URL a Qdrant server of version 1.10 or later?`, 200, 1);
}

function checkResponse(r: QQueryResponse): QQueryResponse {
  if (!r || !Array.isArray(r.points)) throw badShape('query', r);
  for (const p of r.points) {
    if (typeof p.score !== 'number' || !Number.isFinite(p.score) || (typeof p.id !== 'string' && typeof p.id !== 'number')) throw badShape('query (a scored point)', p);
  }
  return r;
}
