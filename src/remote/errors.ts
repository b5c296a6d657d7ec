/**
 * Typed failure of a remote API call (embeddings, rerank). Network faults and HTTP
 * errors that survive every retry, and answers that are not what the API documents,
 * become a {@link RemoteError} with the HTTP status (0 for network faults), the number
 * of attempts made and the server's message.
 *
 * Codes (from the shared table): `DOWNLOAD_FAILED` for transport/5xx/429 failures after
 * the retries, `INVALID_ARGUMENT` for 4xx answers the caller must fix (bad key, bad
 * model, bad input), `PARSE_ERROR` for a malformed response body.
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
