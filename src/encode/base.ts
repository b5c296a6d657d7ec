/**
 * What every local encoder shares, whatever its preset (M3 layouts, dense, SPLADE, BM42,
 * ColBERT): the open/closed lifecycle with its in-flight runs, and the one validation of
 * `encode()` / `encodeTokens()` arguments and of `decodeTokens()` ids, and the length-bucketed
 * batching both backends run. One copy of these
 * checks, so every preset rejects the same bad input with the same typed error.
 * Never touches a model file or a session itself.
 */
import { EncoderClosedError, invalid } from '../errors.js';
import type { EncodeOptions, Role } from './types.js';

/** Validated `encode()` arguments. */
export interface CheckedInput {
  role: Role;
  /** `opts.maxLength`, else the encoder's default. */
  maxLength: number;
  /** `opts.batchSize`, else 8. */
  batchSize: number;
}

/**
 * Open/closed state of one encoder: `check()` throws {@link EncoderClosedError} after
 * `close()`; `track()` registers a running forward pass so `close()` lets it finish before
 * the native session is freed.
 *
 * @example
 * ```ts
 * const life = new Lifecycle('loadEncoder()');
 * life.check();                       // fine while open
 * await life.close(() => session.release());
 * life.check();                       // throws ENCODER_CLOSED
 * ```
 */
export class Lifecycle {
  #closed = false;
  readonly #inflight = new Set<Promise<unknown>>();
  /** How to get a new encoder, for the error message (e.g. `loadEncoder()`). */
  readonly #remedy: string;

  constructor(remedy: string) {
    this.#remedy = remedy;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Throws ENCODER_CLOSED once {@link Lifecycle.close} has been called. */
  check(): void {
    if (this.#closed) throw new EncoderClosedError(`the encoder is closed; load a new one with ${this.#remedy}`);
  }

  /** Awaits `run`, which `close()` waits for. */
  async track<T>(run: Promise<T>): Promise<T> {
    this.#inflight.add(run);
    try {
      return await run;
    } finally {
      this.#inflight.delete(run);
    }
  }

  /** Marks the encoder closed (idempotent), waits for running passes, then frees once. */
  async close(release: () => Promise<void>): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inflight]);
    await release();
  }
}

/**
 * Validates `encode(texts, opts)`: texts must be an array of strings (INVALID_TEXT names the
 * first bad one), `role` query/document, `maxLength` an integer in `[minLength, maxPositions]`
 * (it counts the special tokens; checked when given), `batchSize` a positive integer. Throws InvalidArgumentError.
 *
 * @example
 * ```ts
 * checkEncodeInput(['a'], { role: 'query' }, { minLength: 2, maxPositions: 8192, defaultLength: 512 });
 * // { role: 'query', maxLength: 512, batchSize: 8 }
 * ```
 */
export function checkEncodeInput(texts: readonly string[], opts: EncodeOptions, limits: { minLength: number; maxPositions: number; defaultLength: number }): CheckedInput {
  if (!Array.isArray(texts)) invalid('INVALID_ARGUMENT', 'texts must be an array of strings');
  texts.forEach((t, i) => {
    if (typeof t !== 'string') invalid('INVALID_TEXT', `texts[${i}] is ${t === null ? 'null' : typeof t}, not a string`);
  });
  if (opts === null || typeof opts !== 'object') invalid('INVALID_ARGUMENT', 'encode options must be an object { role?, maxLength?, batchSize? }');
  const role = opts.role ?? 'document';
  if (role !== 'query' && role !== 'document') invalid('INVALID_ARGUMENT', `role must be 'query' or 'document', got ${JSON.stringify(role)}`);
  const { minLength: lo, maxPositions: hi } = limits;
  const given = opts.maxLength;
  if (given !== undefined && (!Number.isInteger(given) || given < lo || given > hi)) {
    invalid('INVALID_ARGUMENT', `maxLength must be an integer in [${lo}, ${hi}] (it counts the special tokens), got ${given}`);
  }
  const batchSize = opts.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) invalid('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
  return { role, maxLength: given ?? limits.defaultLength, batchSize };
}

/**
 * Validates `decodeTokens(ids)`: a Uint32Array or an array of integers in `[0, limit)`
 * (`what` names the id kind in the message). Throws InvalidArgumentError.
 *
 * @example
 * ```ts
 * checkTokenIds([0, 5], 250002);           // fine
 * checkTokenIds([-1], 2 ** 31, 'BM42 term'); // INVALID_ARGUMENT: BM42 term id -1 …
 * ```
 */
export function checkTokenIds(ids: Uint32Array | readonly number[], limit: number, what = 'token'): void {
  if (!(ids instanceof Uint32Array) && !Array.isArray(ids)) invalid('INVALID_ARGUMENT', 'decodeTokens expects a Uint32Array or an array of token ids');
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= limit) invalid('INVALID_ARGUMENT', `${what} id ${id} is outside [0, ${limit})${what === 'token' ? ' (the vocabulary)' : ''}`);
  }
}

/**
 * Length-bucketed batches: jobs sorted by token count (ties by input index, so the order is
 * deterministic), cut into groups of `batchSize`; each batch is padded to its last (longest)
 * job. Results are written back by `index`, so callers return them in input order.
 *
 * @example
 * ```ts
 * lengthBatches([{ index: 0, ids: [1, 2, 3] }, { index: 1, ids: [1] }], 8); // [[job 1, job 0]]
 * ```
 */
export function lengthBatches<J extends { index: number; ids: readonly number[] }>(jobs: readonly J[], batchSize: number): J[][] {
  const order = [...jobs].sort((a, b) => a.ids.length - b.ids.length || a.index - b.index);
  const out: J[][] = [];
  for (let s = 0; s < order.length; s += batchSize) out.push(order.slice(s, s + batchSize));
  return out;
}
