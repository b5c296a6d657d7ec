/**
 * Group commit of changes (add, update, delete): calls that arrive while a batch is being
 * made durable queue up and go together into the next batch, so N concurrent calls cost one
 * write-ahead-log write and one fsync instead of N.
 *
 * One batch, under the index's mutation lock:
 * 1. each change is checked in arrival order against the index plus the changes accepted
 *    before it in the batch (document ids that will exist); a rejected change gets its error
 *    and leaves no record;
 * 2. the accepted changes' records are appended to the log with one write and one fsync (an
 *    I/O error rejects every change of the batch, and nothing is applied);
 * 3. once their deferred preparation is done (work that ran on other threads while the log
 *    was written, see ChangeHandler.settle), the changes are applied in memory, synchronously
 *    and in order (a search sees each one whole or not at all), and their calls resolve.
 * A change whose application throws (its stores undo it, see apply.ts) is rejected, and the
 * log is rewritten without its record. Owns no files: the log is passed in.
 */
import type { ExternalId, WriteAheadLog } from '../store/index.js';
import type { Mutex } from './lock.js';

/** What the writer needs from its index. */
export interface ChangeHandler<C> {
  /** Throws if the index is closed. */
  live(): void;
  /**
   * Checks a change against `exists` (ids that will exist when it applies), records its
   * effect with `set`, and returns its log record, or null when it changes nothing (a delete
   * of unknown ids). Throws to reject the change.
   */
  check(change: C, exists: (id: ExternalId) => boolean, set: (id: ExternalId, live: boolean) => void): unknown;
  /**
   * Resolves when the change's prepared values are usable (work deferred to other threads,
   * e.g. BM25's native analysis, runs while the change is logged); a rejection rejects the
   * change as a failed apply would (optional: ready at once).
   */
  settle?(change: C): Promise<void>;
  /** Applies a checked, logged change; all-or-nothing. */
  apply(change: C): unknown;
  /** The write-ahead log in force, if any. */
  wal(): WriteAheadLog | null;
  /** Id lookup in the index as it is. */
  has(id: ExternalId): boolean;
}

interface Pending<C> {
  change: C;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Queues changes and commits them in batches.
 *
 * @example
 * ```ts
 * const writer = new ChangeWriter(lock, handler);
 * const result = await writer.submit({ op: 'delete', ids: ['a'] });
 * ```
 */
export class ChangeWriter<C> {
  #queue: Pending<C>[] = [];
  readonly #lock: Mutex;
  readonly #h: ChangeHandler<C>;

  constructor(lock: Mutex, handler: ChangeHandler<C>) {
    this.#lock = lock;
    this.#h = handler;
  }

  /** Queues a change; resolves with its result once it is durable and applied. */
  submit<R>(change: C): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ change, resolve: resolve as (v: unknown) => void, reject });
      if (this.#queue.length === 1) void this.#lock.run(() => this.#drain());
    });
  }

  async #drain(): Promise<void> {
    const batch = this.#queue.splice(0);
    try {
      this.#h.live();
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    const overlay = new Map<ExternalId, boolean>();
    const exists = (id: ExternalId) => overlay.get(id) ?? this.#h.has(id);
    const set = (id: ExternalId, live: boolean) => void overlay.set(id, live);
    const accepted: Array<Pending<C> & { record: unknown }> = [];
    for (const p of batch) {
      // check against a scratch overlay first, so a rejected change leaves no mark in it
      const scratch = new Map<ExternalId, boolean>();
      try {
        const record = this.#h.check(
          p.change,
          (id) => scratch.get(id) ?? exists(id),
          (id, live) => void scratch.set(id, live),
        );
        for (const [id, live] of scratch) set(id, live);
        accepted.push({ ...p, record });
      } catch (e) {
        p.reject(e);
      }
    }
    const wal = this.#h.wal();
    const records = accepted.filter((p) => p.record !== null).map((p) => p.record);
    const start = wal?.length ?? 0;
    if (wal && records.length > 0) {
      try {
        await wal.appendBatch(records);
      } catch (e) {
        for (const p of accepted) p.reject(e);
        return;
      }
    }
    // deferred preparation (BM25 analysis on a worker thread) ran while the log was written
    const settled = await Promise.allSettled(accepted.map((p) => this.#h.settle?.(p.change)));
    const results: Array<{ p: Pending<C>; ok: boolean; value: unknown; record: unknown }> = [];
    for (const [i, p] of accepted.entries()) {
      const s = settled[i]!;
      if (s.status === 'rejected') {
        results.push({ p, ok: false, value: s.reason, record: p.record });
        continue;
      }
      try {
        results.push({ p, ok: true, value: this.#h.apply(p.change), record: p.record });
      } catch (e) {
        results.push({ p, ok: false, value: e, record: p.record });
      }
    }
    if (wal && records.length > 0 && results.some((r) => !r.ok)) {
      // the log must hold exactly what was applied: cut the batch off and write it again
      // without the failed changes (if that fails, the log refuses appends until a save)
      try {
        await wal.rewind(start);
        await wal.appendBatch(results.filter((r) => r.ok && r.record !== null).map((r) => r.record));
      } catch {
        /* the log is marked unusable; the next save starts a new one */
      }
    }
    for (const r of results) (r.ok ? r.p.resolve : r.p.reject)(r.value);
  }
}
