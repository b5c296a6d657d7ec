/**
 * A FIFO async mutex: mutations (the insert phase of add, delete, save, compaction) run one at
 * a time. Searches take no lock: every mutation applies its changes to the in-memory stores
 * synchronously, so a search sees a document either entirely or not at all.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
