/**
 * Applies validated changes (add, update, delete) to the entry table and every channel,
 * all-or-nothing: every unit's value for every channel is prepared (read and validated) before
 * anything changes, and if a channel still throws part-way, everything the change did is
 * undone — entries removed from every channel, the entry table restored, staged state (BM25's
 * new terms) dropped — before the error propagates, so a rejected change leaves no trace
 * (sizes, stores, BM25 statistics, the term vocabulary). Owns no state; never touches files
 * or the write-ahead log.
 */
import type { Channel, UnitSource } from '../channels/index.js';
import type { ExternalId } from '../store/index.js';
import type { DocumentVersion, EntryTable } from './entries.js';
import type { PreparedDoc } from './chunking.js';
import type { DocumentInput } from './types.js';

/** The mutable state one change touches. */
export interface Stores {
  entries: EntryTable;
  channels: readonly Channel[];
  storeText: boolean;
}

/** Each document's units' values, per channel in `channels` order (null: nothing for that channel). */
export type PreparedValues = unknown[][][];

/**
 * Reads and validates every unit's value for every channel (analysis included, the step that
 * may throw on hostile text), before anything is logged or changed.
 */
export function prepareValues(channels: readonly Channel[], docs: readonly DocumentInput[], prepared: readonly PreparedDoc[]): PreparedValues {
  return prepare(channels, docs, prepared, false).values;
}

/**
 * {@link prepareValues} where channels that can (BM25's native batch analysis) finish on a
 * worker thread: the values come back now and are usable once `ready` resolves (it rejects
 * with what preparing would have thrown); the writer awaits it after logging, before applying.
 */
export function prepareValuesDeferred(channels: readonly Channel[], docs: readonly DocumentInput[], prepared: readonly PreparedDoc[]): { values: PreparedValues; ready: Promise<void> } {
  return prepare(channels, docs, prepared, true);
}

function prepare(channels: readonly Channel[], docs: readonly DocumentInput[], prepared: readonly PreparedDoc[], deferred: boolean): { values: PreparedValues; ready: Promise<void> } {
  const units: UnitSource[] = [];
  const values: PreparedValues = prepared.map((p, i) => {
    const doc = docs[i]!;
    const text = doc.text ?? '';
    return p.units.map((u) => {
      const unit: UnitSource = { doc: doc.id, text: text.slice(u.start, u.end), dense: u.dense, sparse: u.sparse, multivector: u.multivector, vectors: u.vectors };
      units.push(unit);
      return channels.map((ch) => (ch.prepareBatch ? null : ch.prepare(unit)));
    });
  });
  // channels that read a whole batch at once (BM25's native analysis), after the others
  const pending: Promise<void>[] = [];
  channels.forEach((ch, c) => {
    if (!ch.prepareBatch) return;
    let batch: unknown[];
    if (deferred && ch.prepareBatchDeferred) {
      const d = ch.prepareBatchDeferred(units);
      batch = d.values;
      pending.push(d.ready);
    } else batch = ch.prepareBatch(units);
    let k = 0;
    for (const doc of values) for (const row of doc) row[c] = batch[k++] ?? null;
  });
  const ready = pending.length === 0 ? Promise.resolve() : Promise.all(pending).then(() => undefined);
  ready.catch(() => undefined); // observed by whoever applies; a dropped change must not leave an unhandled rejection
  return { values, ready };
}

/**
 * Adds or replaces documents (an `add` has been checked to hold only new ids). Returns how
 * many existing documents were replaced. On a throw nothing has changed.
 */
export function applyUpsert(s: Stores, docs: readonly DocumentInput[], prepared: readonly PreparedDoc[], values: PreparedValues): number {
  const done: Array<{ id: ExternalId; previous: DocumentVersion | null; ids: number[] }> = [];
  for (const ch of s.channels) ch.begin?.();
  try {
    // the entry table first, then each channel in one batch (or one add per entry)
    const batches = s.channels.map(() => ({ ids: [] as number[], values: [] as unknown[] }));
    docs.forEach((doc, i) => {
      const prep = prepared[i]!;
      const previous = s.entries.snapshot(doc.id);
      const ids = s.entries.addDocument(
        doc.id,
        prep.units.map((u) => ({ start: u.start, end: u.end })),
        prep.chunked,
        doc.metadata,
        s.storeText ? doc.text : undefined,
      );
      done.push({ id: doc.id, previous, ids });
      for (let j = 0; j < prep.units.length; j++) {
        const row = values[i]![j]!;
        for (let c = 0; c < batches.length; c++) {
          const v = row[c];
          if (v === null || v === undefined) continue;
          batches[c]!.ids.push(ids[j]!);
          batches[c]!.values.push(v);
        }
      }
    });
    s.channels.forEach((ch, c) => {
      const b = batches[c]!;
      if (b.ids.length === 0) return;
      if (ch.addBatch && b.ids.length > 1) ch.addBatch(Uint32Array.from(b.ids), b.values);
      else for (let k = 0; k < b.ids.length; k++) ch.add(b.ids[k]!, b.values[k]);
    });
  } catch (e) {
    for (const d of done.reverse()) {
      removeFromChannels(s, d.ids);
      s.entries.restore(d.id, d.previous, d.ids);
    }
    for (const ch of s.channels) ch.rollback?.();
    throw e;
  }
  for (const ch of s.channels) ch.commit?.();
  let replaced = 0;
  for (const d of done) {
    if (!d.previous) continue;
    replaced++;
    removeFromChannels(s, d.previous.ids);
    s.entries.retire(d.previous.ids);
  }
  return replaced;
}

/** Deletes documents; unknown ids are counted, not errors. */
export function applyDelete(s: Stores, ids: readonly ExternalId[]): { deleted: number; unknown: number } {
  let deleted = 0;
  for (const id of ids) {
    const internal = s.entries.deleteDocument(id);
    if (internal.length === 0) continue;
    removeFromChannels(s, internal);
    deleted++;
  }
  return { deleted, unknown: ids.length - deleted };
}

/** Removes internal ids from every channel (ids a channel does not hold are skipped). */
function removeFromChannels(s: Stores, ids: readonly number[]): void {
  for (const n of ids) for (const ch of s.channels) ch.remove(n);
}
