/**
 * Typed failure of a remote API call (embeddings, rerank). Network faults and HTTP
 * errors that survive every retry, and answers that are not what the API documents,
 * become a {@link RemoteError} with the HTTP status (0 for network faults), the number
 * of attempts made and the server's message.
 *
 * Codes (from the shared table):
 * - `REMOTE_HTTP_ERROR`: an HTTP error answer — a 4xx other than 408/409/429 (bad key, bad
 *   model, bad input: not retried, `status` tells which), or a 5xx/408/409 still failing
 *   after the retries;
 * - `REMOTE_RATE_LIMITED`: HTTP 429 on every attempt (lower the request rate or concurrency,
 *   or raise `maxRetries`);
 * - `REMOTE_UNREACHABLE`: no answer at all (connection refused, DNS, TLS, timeout) on every
 *   attempt; `status` is 0;
 * - `REMOTE_BAD_RESPONSE`: a 2xx answer whose body is not JSON or not the documented shape
 *   (wrong base URL, incompatible server).
 * Bad arguments to the client itself stay `INVALID_ARGUMENT` / `INVALID_TEXT`.
 */
import { TridentError, type ErrorCode } from '../errors.js';

/**
 * A remote API call that failed for good.
 *
 * @example
 * ```ts
 * try { await enc.encode(['x']); }
 * catch (e) { if (e instanceof RemoteError && e.status === 429) console.log('rate limited after', e.attempts, 'attempts'); }
 * ```
 */
export class RemoteError extends TridentError {
  /** HTTP status of the last answer, 0 when no answer arrived (network fault, timeout). */
  readonly status: number;
  /** Requests sent, retries included. */
  readonly attempts: number;
  constructor(code: ErrorCode, message: string, status: number, attempts: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RemoteError';
    this.status = status;
    this.attempts = attempts;
  }
}
