/**
 * Typed errors. Every error trident throws is a {@link TridentError} with a stable
 * `code` from {@link ErrorCode}; the message says what was wrong and what to do.
 *
 * @example
 * ```ts
 * try { await index.search('q', { k: 0 }); }
 * catch (e) { if (e instanceof TridentError && e.code === 'INVALID_ARGUMENT') {  } }
 * ```
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_TEXT'
  | 'DIMENSION_MISMATCH'
  | 'INVALID_VECTOR'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_ID'
  | 'INDEX_CLOSED'
  | 'INDEX_NOT_FOUND'
  /** Another writer (this or another process) holds the index directory's writer lock. */
  | 'INDEX_LOCKED'
  /** `create({ path })` on a directory that holds an index, without `overwrite: true`. */
  | 'INDEX_EXISTS'
  /** `create({ path })` on a non-empty directory that is not an index, without `overwrite: true`. */
  | 'DIRECTORY_NOT_EMPTY'
  /** A change (add, update, delete, save) on an index opened with `{ readOnly: true }`. */
  | 'INDEX_READ_ONLY'
  | 'ENCODER_MISMATCH'
  /** An encoder or reranker used after its `close()` (see {@link EncoderClosedError}). */
  | 'ENCODER_CLOSED'
  | 'FORMAT_VERSION_UNSUPPORTED'
  | 'CHECKSUM_MISMATCH'
  | 'CORRUPT_FILE'
  | 'IO_ERROR'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'TOKENIZER_MISMATCH'
  | 'DOWNLOAD_FAILED'
  | 'OFFLINE'
  | 'PARSE_ERROR'
  /** A data file holds no usable records (an empty corpus, qrels without one judgement); see {@link DataFileError}. */
  | 'EMPTY_DATA'
  | 'NATIVE_ERROR'
  /** A worker thread of a search pool died (crash, out of memory) during a search; the pool replaced it, retry the search. */
  | 'WORKER_FAILED'
  | 'UNSUPPORTED'
  /** The caller's AbortSignal fired: the call stopped and changed nothing (see {@link AbortedError}). */
  | 'ABORTED'
  /** A remote API answered with an HTTP error: a 4xx that is not retried, or a 5xx/408/409 that outlived the retries. */
  | 'REMOTE_HTTP_ERROR'
  /** A remote API kept answering 429 (rate limited) through every retry. */
  | 'REMOTE_RATE_LIMITED'
  /** A remote API answered 2xx with a body that is not JSON or not the documented shape. */
  | 'REMOTE_BAD_RESPONSE'
  /** A remote API could not be reached (connection refused, DNS, timeout) through every retry. */
  | 'REMOTE_UNREACHABLE';

/** Base class of every error trident throws. */
export class TridentError extends Error {
  readonly code: ErrorCode;
  override readonly cause?: unknown;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`);
    this.name = 'TridentError';
    this.code = code;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Bad arguments from the caller: wrong dimension, NaN, k <= 0, duplicate or unknown ids, bad text. */
export class InvalidArgumentError extends TridentError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'InvalidArgumentError';
  }
}

/**
 * An encoder (or reranker) was used after `close()` (code `ENCODER_CLOSED`): load or create a
 * new one. Not an {@link InvalidArgumentError}: the arguments were fine, the object is gone.
 *
 * @example
 * ```ts
 * await enc.close();
 * try { await enc.encode(['x']); } catch (e) { e instanceof EncoderClosedError; } // true, e.code === 'ENCODER_CLOSED'
 * ```
 */
export class EncoderClosedError extends TridentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENCODER_CLOSED', message, options);
    this.name = 'EncoderClosedError';
  }
}

/** Model loading and inference: missing or corrupt files, tokenizer mismatch, download failures. */
export class ModelError extends TridentError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ModelError';
  }
}

/** On-disk format problems: checksum, version, truncation, I/O faults. */
export class StorageError extends TridentError {
  readonly file?: string;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; file?: string }) {
    super(code, message, options);
    this.name = 'StorageError';
    if (options?.file !== undefined) this.file = options.file;
  }
}

/**
 * A problem with a line-oriented data file (JSONL corpora, pairs, queries, TSV qrels, TREC runs):
 * malformed lines, duplicate or unknown ids. `file` and `line` (1-based) are set when the
 * problem is tied to a place; the message starts with `file:line:`.
 *
 * @example
 * ```ts
 * try { for await (const _ of readJsonl('corpus.jsonl')) {} }
 * catch (e) { if (e instanceof DataFileError && e.code === 'PARSE_ERROR') console.error(e.file, e.line); }
 * ```
 */
export class DataFileError extends TridentError {
  readonly file?: string;
  readonly line?: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; file?: string; line?: number }) {
    super(code, message, options);
    this.name = 'DataFileError';
    if (options?.file !== undefined) this.file = options.file;
    if (options?.line !== undefined) this.line = options.line;
  }
}

/**
 * The caller's `AbortSignal` fired (code `ABORTED`). Its `name` is `'AbortError'`, as for
 * fetch and node:fs, so `e.name === 'AbortError'` checks work; `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * const ac = new AbortController(); ac.abort();
 * try { await index.add(docs, { signal: ac.signal }); } catch (e) { e instanceof AbortedError; } // true
 * ```
 */
export class AbortedError extends TridentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/**
 * Throws an {@link AbortedError} if `signal` has fired (an INVALID_ARGUMENT if `signal` is
 * not an AbortSignal). `what` says what stopped, e.g. `'add() aborted: nothing was added'`.
 *
 * @example
 * ```ts
 * throwIfAborted(opts.signal, 'search() aborted');
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal === undefined) return;
  if (!(signal instanceof AbortSignal)) throw new InvalidArgumentError('INVALID_ARGUMENT', `signal must be an AbortSignal (from an AbortController or AbortSignal.timeout()), got ${typeof signal}`);
  if (signal.aborted) throw new AbortedError(`${what}${signal.reason instanceof Error ? ` (${signal.reason.message})` : ''}`, { cause: signal.reason });
}

/** Shorthand used by validators: throws an {@link InvalidArgumentError}. */
export function invalid(code: ErrorCode, message: string): never {
  throw new InvalidArgumentError(code, message);
}
