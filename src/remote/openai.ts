/**
 * An {@link Encoder} over an OpenAI-compatible `POST {baseUrl}/embeddings` API
 * (OpenAI, Azure OpenAI's v1 surface, vLLM, text-embeddings-inference, Ollama's `/v1`, LiteLLM…).
 * Dense only: `heads = {dense: true, sparse: false, multivector: false}`.
 *
 * - Batching: texts go out in input order, at most `batchSize` inputs (default 128, the API
 *   allows 2048) and `maxTokensPerRequest` estimated tokens (default 250 000; OpenAI's cap is
 *   300 000) per request; up to `concurrency` requests in flight; results come back in input
 *   order whatever order the server lists them in (`data[].index`).
 * - Retries, backoff and Retry-After: see `postJson` (http.ts).
 * - Rate limits: a client-side {@link RateLimiter} on requests/min and tokens/min. Tokens are
 *   estimated as `ceil(length / 4)` per text unless `countTokens` is given (e.g. tiktoken).
 * - Matryoshka: `dimensions: d` is sent to the API when the model supports it
 *   (`sendDimensions`, default true for `text-embedding-3*`), and every returned vector is
 *   cut to `d` and L2-renormalised on the client (a no-op when the server already did it),
 *   so servers without the parameter give the same vectors.
 * - Every vector is L2-normalised (eps 1e-12), as the Encoder contract requires.
 * - Role prefixes (`prefixes.query` / `prefixes.document`) are prepended client-side, for
 *   served models that need them (E5 `query: `, instruction templates…).
 * - `maxLength` of EncodeOptions is not applied (the server truncates or rejects);
 *   `encodeTokens` and `decodeTokens` throw UNSUPPORTED: an API gives no token-level output.
 */
import { createHash } from 'node:crypto';
import { EncoderClosedError, InvalidArgumentError, TridentError, invalid } from '../errors.js';
import type { EncodeOptions, Encoded, Encoder, EncoderInfo, TokenLevel } from '../encode/types.js';
import { RemoteError } from './errors.js';
import { postJson, type RetryOptions } from './http.js';
import { RateLimiter } from './rate-limit.js';
import { truncateNormalize } from './vector.js';

/** Options of {@link createOpenAIEncoder}. */
export interface OpenAIEncoderOptions extends RetryOptions {
  /** Model name, e.g. `text-embedding-3-small`. */
  model: string;
  /** API root including the version, default `https://api.openai.com/v1`. */
  baseUrl?: string;
  /** Bearer key (default env OPENAI_API_KEY; omitted when neither is set). */
  apiKey?: string;
  /** Extra headers (e.g. `api-key` for Azure, organisation ids). */
  headers?: Record<string, string>;
  /** Matryoshka output dimension. */
  dimensions?: number;
  /** Send `dimensions` to the server (default: model name starts with `text-embedding-3`). */
  sendDimensions?: boolean;
  /** Dense dimension when `dimensions` is not set and the model is not in the built-in table; otherwise one probe request finds it. */
  dim?: number;
  /** Inputs per request (default 128). */
  batchSize?: number;
  /** Estimated tokens per request (default 250 000). */
  maxTokensPerRequest?: number;
  /** Requests in flight (default 2). */
  concurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Token counter used for rate limiting and request splitting (default `ceil(length / 4)`). */
  countTokens?: (text: string) => number;
  /** Text prepended per role (default none). */
  prefixes?: { query?: string; document?: string };
  /** Reported max tokens per text (default 8191). */
  maxLength?: number;
  /** Shared limiter (several encoders on one key); overrides the per-minute options. */
  rateLimiter?: RateLimiter;
}

/** Native dimension of well-known OpenAI models. */
export const OPENAI_MODEL_DIMS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

interface EmbeddingsResponse {
  data?: Array<{ embedding?: unknown; index?: unknown }>;
}

function posInt(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) invalid('INVALID_ARGUMENT', `${name} must be a positive integer, got ${String(v)}`);
}

class OpenAIEncoder implements Encoder {
  info: EncoderInfo;
  readonly #o: OpenAIEncoderOptions;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #limiter: RateLimiter;
  readonly #count: (t: string) => number;
  readonly #send: boolean;
  #closed = false;

  constructor(o: OpenAIEncoderOptions, dim: number) {
    this.#o = o;
    const base = (o.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
    this.#url = `${base}/embeddings`;
    const key = o.apiKey ?? process.env.OPENAI_API_KEY;
    this.#headers = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(o.headers ?? {}) };
    this.#limiter =
      o.rateLimiter ??
      new RateLimiter({
        ...(o.requestsPerMinute !== undefined ? { requestsPerMinute: o.requestsPerMinute } : {}),
        ...(o.tokensPerMinute !== undefined ? { tokensPerMinute: o.tokensPerMinute } : {}),
      });
    this.#count = o.countTokens ?? ((t) => Math.ceil(t.length / 4));
    this.#send = o.sendDimensions ?? o.model.startsWith('text-embedding-3');
    const idSrc = JSON.stringify({ base, model: o.model, dim, prefixes: o.prefixes ?? {} });
    this.info = {
      id: `remote-${o.model.replace(/[^\w.-]/g, '_')}-${dim}-${createHash('sha256').update(idSrc).digest('hex').slice(0, 12)}`,
      name: o.model,
      family: 'remote-openai',
      dim,
      maxLength: o.maxLength ?? 8191,
      vocabSize: 0,
      fusionWeights: [1, 0, 0],
      heads: { dense: true, sparse: false, multivector: false },
      dtype: 'fp32',
    };
  }

  async encode(texts: readonly string[], opts: EncodeOptions = {}): Promise<Encoded[]> {
    this.#checkOpen();
    if (!Array.isArray(texts)) invalid('INVALID_ARGUMENT', 'texts must be an array of strings');
    const role = opts.role ?? 'document';
    if (role !== 'query' && role !== 'document') invalid('INVALID_ARGUMENT', `role must be 'query' or 'document', got ${JSON.stringify(role)}`);
    posInt('batchSize', opts.batchSize);
    const prefix = this.#o.prefixes?.[role] ?? '';
    const inputs = texts.map((t, i) => {
      if (typeof t !== 'string') throw new InvalidArgumentError('INVALID_TEXT', `texts[${i}] is ${t === null ? 'null' : typeof t}, not a string`);
      if (prefix + t === '') throw new InvalidArgumentError('INVALID_TEXT', `texts[${i}] is empty; embedding APIs reject empty inputs, drop it or pass a placeholder`);
      return prefix + t;
    });
    const vecs = await this.embedRaw(inputs, opts.batchSize);
    return vecs.map((dense) => ({
      dense,
      sparse: { ids: new Uint32Array(0), weights: new Float32Array(0) },
      multivector: { data: new Float32Array(0), dim: this.info.dim, count: 0, tokenIds: new Uint32Array(0), charSpans: [] },
      truncated: false,
      tokenCount: 0,
    }));
  }

  /** Embeds already-prefixed inputs; returns normalised vectors of `info.dim` in input order. */
  async embedRaw(inputs: string[], batchSize = this.#o.batchSize ?? 128): Promise<Float32Array[]> {
    const maxTok = this.#o.maxTokensPerRequest ?? 250_000;
    const batches: Array<{ start: number; items: string[]; tokens: number }> = [];
    let cur: { start: number; items: string[]; tokens: number } | undefined;
    inputs.forEach((t, i) => {
      const n = Math.max(1, this.#count(t));
      if (!cur || cur.items.length >= batchSize || (cur.tokens + n > maxTok && cur.items.length > 0)) {
        cur = { start: i, items: [], tokens: 0 };
        batches.push(cur);
      }
      cur.items.push(t);
      cur.tokens += n;
    });
    const out = new Array<Float32Array>(inputs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const b = batches[next++]!;
        await this.#limiter.acquire(b.tokens);
        this.#checkOpen();
        const vecs = await this.#request(b.items);
        vecs.forEach((v, j) => {
          out[b.start + j] = v;
        });
      }
    };
    const workers = Math.min(this.#o.concurrency ?? 2, batches.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return out;
  }

  async #request(items: string[]): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: this.#o.model, input: items, encoding_format: 'float' };
    if (this.#o.dimensions !== undefined && this.#send) body.dimensions = this.#o.dimensions;
    const res = (await postJson(this.#url, body, this.#headers, this.#o)) as EmbeddingsResponse;
    const bad = (m: string): never => {
      throw new RemoteError('REMOTE_BAD_RESPONSE', `${this.#url}: ${m}; the server is not OpenAI-compatible or the base URL is wrong`, 200, 1);
    };
    if (!res || !Array.isArray(res.data) || res.data.length !== items.length) bad(`expected data[] with ${items.length} embeddings`);
    const dim = this.info.dim;
    const out = new Array<Float32Array>(items.length);
    for (const d of res.data!) {
      const idx = d.index;
      if (!Number.isInteger(idx) || (idx as number) < 0 || (idx as number) >= items.length || out[idx as number]) bad(`data[].index ${String(idx)} is missing, out of range or repeated`);
      const e = d.embedding;
      if (!Array.isArray(e) || !e.every((x) => typeof x === 'number' && Number.isFinite(x))) bad('an embedding is not an array of finite numbers (base64 answers are not supported)');
      const arr = e as number[];
      if (dim > 0 && arr.length < dim) {
        throw new RemoteError('DIMENSION_MISMATCH', `${this.#url} returned ${arr.length}-d vectors but ${dim} were expected; lower dimensions or check the model`, 200, 1);
      }
      out[idx as number] = truncateNormalize(arr, dim > 0 ? dim : arr.length);
    }
    return out;
  }

  encodeTokens(): Promise<TokenLevel[]> {
    return Promise.reject(new TridentError('UNSUPPORTED', 'a remote embedding API gives no token-level outputs; use ordinary chunking (chunking.kind = "ordinary")'));
  }

  decodeTokens(): string[] {
    throw new TridentError('UNSUPPORTED', 'a remote embedding API has no vocabulary to decode');
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new EncoderClosedError('the encoder is closed; create a new one with createOpenAIEncoder()');
  }
}

/**
 * Creates an Encoder over an OpenAI-compatible embeddings API. When the dimension is not
 * known from `dimensions`, `dim` or {@link OPENAI_MODEL_DIMS}, one probe request finds it.
 *
 * @example
 * ```ts
 * const enc = await createOpenAIEncoder({ model: 'text-embedding-3-small', dimensions: 512, requestsPerMinute: 3000, tokensPerMinute: 1_000_000 });
 * const [v] = await enc.encode(['hybrid retrieval'], { role: 'query' });
 * v.dense.length; // 512
 * ```
 */
export async function createOpenAIEncoder(opts: OpenAIEncoderOptions): Promise<Encoder> {
  if (!opts || typeof opts.model !== 'string' || opts.model === '') invalid('INVALID_ARGUMENT', 'createOpenAIEncoder needs { model } (e.g. text-embedding-3-small)');
  for (const k of ['dimensions', 'dim', 'batchSize', 'maxTokensPerRequest', 'concurrency', 'maxLength'] as const) posInt(k, opts[k]);
  if (opts.maxRetries !== undefined && !(Number.isInteger(opts.maxRetries) && opts.maxRetries >= 0)) invalid('INVALID_ARGUMENT', `maxRetries must be a non-negative integer, got ${opts.maxRetries}`);
  const known = opts.dimensions ?? opts.dim ?? OPENAI_MODEL_DIMS[opts.model];
  if (known !== undefined) return new OpenAIEncoder(opts, known);
  const probe = new OpenAIEncoder(opts, 0);
  const [v] = await probe.embedRaw(['dimension probe']);
  return new OpenAIEncoder(opts, v!.length);
}
