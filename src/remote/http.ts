/**
 * JSON POST with retries for remote APIs.
 *
 * Retry policy:
 * - retried: network faults, timeouts, HTTP 408, 409, 429 and every 5xx;
 * - not retried: other 4xx (the request itself is wrong: key, model, input) → RemoteError
 *   `REMOTE_HTTP_ERROR` carrying the status and the server's message;
 * - wait before retry `n` (0-based): the server's `retry-after-ms` or `Retry-After`
 *   (seconds or an HTTP date) when present, capped at `maxRetryAfterMs`; otherwise
 *   exponential backoff with full jitter in its upper half:
 *   `min(maxDelayMs, baseDelayMs · 2^n) · (0.5 + 0.5 · random())`;
 * - after `maxRetries` retries the last failure is raised as a RemoteError by its kind:
 *   `REMOTE_RATE_LIMITED` (429), `REMOTE_UNREACHABLE` (no answer: network fault, timeout),
 *   `REMOTE_HTTP_ERROR` (5xx, 408, 409);
 * - a 2xx answer that is not JSON → `REMOTE_BAD_RESPONSE` (not retried).
 */
import { RemoteError } from './errors.js';

/** Retry and transport options shared by the remote clients. */
export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff step in ms (default 500). */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 20 000). */
  maxDelayMs?: number;
  /** Largest server-requested wait honoured, ms (default 60 000). */
  maxRetryAfterMs?: number;
  /** Per-request timeout, ms (default 60 000). */
  timeoutMs?: number;
  /** Random source for jitter (tests inject a fixed one). Default Math.random. */
  random?: () => number;
  /** Sleep (tests may inject). Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** fetch implementation (default the global fetch). */
  fetch?: typeof fetch;
}

const RETRY_STATUS = new Set([408, 409, 429]);

/** Server-requested wait in ms from `retry-after-ms` / `Retry-After`, or undefined. */
export function retryAfterMs(h: Headers, now = Date.now()): number | undefined {
  const ms = h.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = h.get('retry-after');
  if (ra === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Number(ra) * 1000;
  const t = Date.parse(ra);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message);
    if (typeof m === 'string') return m.slice(0, 300);
  } catch {
    /* not JSON */
  }
  return text.slice(0, 300);
}

/**
 * POSTs `body` as JSON to `url` and returns the parsed JSON answer, retrying per the
 * policy above.
 *
 * @example
 * ```ts
 * const res = await postJson('https://api.openai.com/v1/embeddings', { model: 'text-embedding-3-small', input: ['hi'] },
 *   { authorization: `Bearer ${key}` }, { maxRetries: 3 });
 * ```
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, opts: RetryOptions = {}): Promise<unknown> {
  const maxRetries = opts.maxRetries ?? 5;
  const base = opts.baseDelayMs ?? 500;
  const cap = opts.maxDelayMs ?? 20_000;
  const raCap = opts.maxRetryAfterMs ?? 60_000;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch = opts.fetch ?? fetch;
  const payload = JSON.stringify(body);
  let last = '';
  let lastStatus = 0;
  let lastCause: unknown;
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    let wait: number | undefined;
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: payload,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
      });
      const text = await res.text();
      if (res.ok) {
        try {
          return JSON.parse(text) as unknown;
        } catch (e) {
          throw new RemoteError('REMOTE_BAD_RESPONSE', `${url} answered HTTP ${res.status} with a body that is not JSON (${text.slice(0, 120)}); check the base URL`, res.status, attempt + 1, { cause: e });
        }
      }
      lastStatus = res.status;
      last = `HTTP ${res.status}: ${serverMessage(text)}`;
      if (!(RETRY_STATUS.has(res.status) || res.status >= 500)) {
        throw new RemoteError('REMOTE_HTTP_ERROR', `${url} rejected the request (${last}); fix the request (API key, model name, input) — it is not retried`, res.status, attempt + 1);
      }
      const ra = retryAfterMs(res.headers);
      if (ra !== undefined) wait = Math.min(ra, raCap);
    } catch (e) {
      if (e instanceof RemoteError) throw e;
      lastStatus = 0;
      lastCause = e;
      last = `network error: ${(e as Error)?.message ?? String(e)}`;
    }
    if (attempt === maxRetries) break;
    await sleep(wait ?? Math.min(cap, base * 2 ** attempt) * (0.5 + 0.5 * random()));
  }
  const n = maxRetries + 1;
  const cause = lastCause !== undefined ? { cause: lastCause } : undefined;
  if (lastStatus === 429) {
    throw new RemoteError('REMOTE_RATE_LIMITED', `${url} was still rate-limited after ${n} attempts (${last}); lower the request rate or concurrency (rateLimiter), or raise maxRetries`, lastStatus, n, cause);
  }
  if (lastStatus === 0) {
    throw new RemoteError('REMOTE_UNREACHABLE', `${url} could not be reached in ${n} attempts (${last}); check the base URL, the network and timeoutMs`, 0, n, cause);
  }
  throw new RemoteError('REMOTE_HTTP_ERROR', `${url} failed after ${n} attempts (last: ${last}); the server is failing, retry later or raise maxRetries`, lastStatus, n, cause);
}
