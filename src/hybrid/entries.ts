/**
 * The entry table: external document ids ↔ internal entry ids (one per unit), chunk spans,
 * metadata and texts, liveness, and the snapshots that let a failed change be undone. The
 * channels hold vectors under the internal ids this table hands out.
 */
import { StorageError, invalid } from '../errors.js';
import { checkId, type ExternalId } from '../store/index.js';

/** A stored unit: a whole document, or one chunk of it. */
export interface Entry {
  doc: ExternalId;
  /** Chunk index inside the document; -1 when the document is not chunked. */
  chunk: number;
  start: number;
  end: number;
}

/** An entry as stored and saved: [doc, chunk, start, end]. */
type EntryRow = [ExternalId, number, number, number];

/** A document's internal ids from the doc map's value (one id unboxed). */
function idsOf(v: number | number[] | undefined): readonly number[] {
  return v === undefined ? [] : typeof v === 'number' ? [v] : v;
}

/** One version of a document in the table (see {@link EntryTable.snapshot}). */
export interface DocumentVersion {
  ids: number[];
  metadata: Record<string, unknown> | undefined;
  text: string | undefined;
}

/**
 * Internal id ↔ entry table shared by the three stores: internal ids are dense u32, never
 * reused; a deleted document's entries become holes (`null`) that the stores compact away.
 *
 * @example
 * ```ts
 * const t = new EntryTable(); const ids = t.addDocument('d1', [{ start: 0, end: 10 }]);
 * ```
 */
export class EntryTable {
  /** Per internal id: [doc, chunk, start, end] (the rows of entries.json as parsed), null for a hole. */
  #entries: (EntryRow | null)[] = [];
  /** A document's internal ids: the id itself when it has one (the common case: no array per document). */
  #byDoc = new Map<ExternalId, number | number[]>();
  #metadata = new Map<ExternalId, Record<string, unknown>>();
  #texts = new Map<ExternalId, string>();
  /** Number of live entries (kept up to date: searches read it on every call). */
  #live = 0;

  get documents(): number {
    return this.#byDoc.size;
  }
  get capacity(): number {
    return this.#entries.length;
  }
  get liveEntries(): number {
    return this.#live;
  }
  hasDocument(id: ExternalId): boolean {
    return this.#byDoc.has(id);
  }
  entry(internal: number): Entry | null {
    const e = this.#entries[internal];
    return e ? { doc: e[0], chunk: e[1], start: e[2], end: e[3] } : null;
  }
  /** The document an internal id belongs to, undefined for a hole or an unknown id. */
  docOf(internal: number): ExternalId | undefined {
    return this.#entries[internal]?.[0];
  }
  entriesOf(id: ExternalId): readonly number[] {
    return idsOf(this.#byDoc.get(id));
  }
  metadata(id: ExternalId): Record<string, unknown> | undefined {
    return this.#metadata.get(id);
  }
  text(id: ExternalId): string | undefined {
    return this.#texts.get(id);
  }
  /** Checks that a batch of new ids is valid and unique (nothing is changed). */
  checkNew(ids: ExternalId[]): void {
    const seen = new Set<ExternalId>();
    for (const id of ids) {
      checkId(id);
      if (this.#byDoc.has(id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(id)} already exists in the index; delete it first or use a new id`);
      if (seen.has(id)) invalid('DUPLICATE_ID', `document id ${JSON.stringify(id)} appears twice in this batch`);
      seen.add(id);
    }
  }
  /** Allocates internal ids for a document's spans (one span = unchunked). */
  addDocument(id: ExternalId, spans: Array<{ start: number; end: number }>, chunked: boolean, metadata?: Record<string, unknown>, text?: string): number[] {
    const ids: number[] = [];
    this.#metadata.delete(id);
    this.#texts.delete(id);
    spans.forEach((s, i) => {
      ids.push(this.#entries.length);
      this.#entries.push([id, chunked ? i : -1, s.start, s.end]);
    });
    this.#live += ids.length - idsOf(this.#byDoc.get(id)).length;
    this.#byDoc.set(id, ids.length === 1 ? ids[0]! : ids);
    if (metadata !== undefined) this.#metadata.set(id, metadata);
    if (text !== undefined) this.#texts.set(id, text);
    return ids;
  }
  /** A document's current version (internal ids, metadata, text), or null when unknown. */
  snapshot(id: ExternalId): DocumentVersion | null {
    const ids = this.#byDoc.get(id);
    return ids !== undefined ? { ids: idsOf(ids).slice(), metadata: this.#metadata.get(id), text: this.#texts.get(id) } : null;
  }
  /**
   * Undoes an {@link addDocument} that replaced `previous` (null: the id was new): the new
   * internal ids become holes and the previous version is back under `id`.
   */
  restore(id: ExternalId, previous: DocumentVersion | null, added: readonly number[]): void {
    for (const n of added) this.#entries[n] = null;
    this.#live -= idsOf(this.#byDoc.get(id)).length;
    this.#byDoc.delete(id);
    this.#metadata.delete(id);
    this.#texts.delete(id);
    if (!previous) return;
    this.#live += previous.ids.length;
    this.#byDoc.set(id, previous.ids.length === 1 ? previous.ids[0]! : previous.ids);
    if (previous.metadata !== undefined) this.#metadata.set(id, previous.metadata);
    if (previous.text !== undefined) this.#texts.set(id, previous.text);
  }
  /** Turns internal ids of a replaced version into holes (the document itself stays). */
  retire(ids: readonly number[]): void {
    for (const n of ids) this.#entries[n] = null;
  }
  /** Removes a document; returns its internal ids (empty if unknown). */
  deleteDocument(id: ExternalId): number[] {
    const got = this.#byDoc.get(id);
    if (got === undefined) return [];
    const ids = idsOf(got).slice();
    for (const n of ids) this.#entries[n] = null;
    this.#byDoc.delete(id);
    this.#live -= ids.length;
    this.#metadata.delete(id);
    this.#texts.delete(id);
    return ids;
  }
  isLive(internal: number): boolean {
    return this.#entries[internal] != null;
  }
  liveInternalIds(): Uint32Array {
    const e = this.#entries;
    let n = 0;
    for (let i = 0; i < e.length; i++) if (e[i] != null) n++;
    const out = new Uint32Array(n);
    for (let i = 0, w = 0; i < e.length; i++) if (e[i] != null) out[w++] = i;
    return out;
  }
  toJSON(): unknown {
    return {
      entries: this.#entries,
      metadata: [...this.#metadata.entries()],
      texts: [...this.#texts.entries()],
    };
  }
  static fromJSON(raw: unknown, file = 'entries.json'): EntryTable {
    const bad = (what: string): never => {
      throw new StorageError('CORRUPT_FILE', `${file}: ${what}`, { file });
    };
    const r = raw as { entries?: unknown; metadata?: unknown; texts?: unknown };
    if (!r || !Array.isArray(r.entries) || !Array.isArray(r.metadata) || !Array.isArray(r.texts)) bad('not an entry table');
    const t = new EntryTable();
    // the parsed rows are kept as they are (no object per entry)
    const rows = r.entries as unknown[];
    const byDoc = t.#byDoc;
    for (let n = 0; n < rows.length; n++) {
      const e = rows[n];
      if (e === null) continue;
      if (!Array.isArray(e) || e.length !== 4 || (typeof e[0] !== 'string' && typeof e[0] !== 'number')) bad('malformed entry');
      const doc = (e as EntryRow)[0];
      t.#live++;
      const had = byDoc.get(doc);
      if (had === undefined) byDoc.set(doc, n);
      else if (typeof had === 'number') byDoc.set(doc, [had, n]);
      else had.push(n);
    }
    t.#entries = rows as (EntryRow | null)[];
    for (const [k, v] of r.metadata as [ExternalId, Record<string, unknown>][]) t.#metadata.set(k, v);
    for (const [k, v] of r.texts as [ExternalId, string][]) t.#texts.set(k, v);
    return t;
  }
}
