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

/**
 * `entries.json` as written since format 2: one flat array per field, index = internal id
 * (`docs[n]` null for a hole), so parsing allocates four arrays, not one per entry. Format 1
 * (an `entries` array of [doc, chunk, start, end] rows, null for a hole) is still read.
 */
export const ENTRIES_FORMAT = 2;

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
  /** Per internal id, one column per field (entries.json's); `#doc[n]` null for a hole. */
  #doc: (ExternalId | null)[] = [];
  #chunk: number[] = [];
  #start: number[] = [];
  #end: number[] = [];
  /**
   * A document's internal ids: the id itself when it has one (the common case: no array per
   * document). Null after {@link fromJSON} until first needed (a write or a lookup by document):
   * a read-only index that only searches never builds it ({@link documents} is counted instead).
   */
  #byDocMap: Map<ExternalId, number | number[]> | null = new Map();
  /** Documents, while #byDocMap is not built: live entries with chunk ≤ 0 (one per document). */
  #docCount = 0;
  #metadata = new Map<ExternalId, Record<string, unknown>>();
  #texts = new Map<ExternalId, string>();
  /** Number of live entries (kept up to date: searches read it on every call). */
  #live = 0;

  get documents(): number {
    return this.#byDocMap?.size ?? this.#docCount;
  }
  /** The document → internal ids map, built from the columns on first use. */
  get #byDoc(): Map<ExternalId, number | number[]> {
    if (this.#byDocMap !== null) return this.#byDocMap;
    const byDoc = new Map<ExternalId, number | number[]>();
    const docs = this.#doc;
    for (let n = 0; n < docs.length; n++) {
      const doc = docs[n];
      if (doc == null) continue;
      const had = byDoc.get(doc);
      if (had === undefined) byDoc.set(doc, n);
      else if (typeof had === 'number') byDoc.set(doc, [had, n]);
      else had.push(n);
    }
    this.#byDocMap = byDoc;
    return byDoc;
  }
  get capacity(): number {
    return this.#doc.length;
  }
  get liveEntries(): number {
    return this.#live;
  }
  hasDocument(id: ExternalId): boolean {
    return this.#byDoc.has(id);
  }
  entry(internal: number): Entry | null {
    const doc = this.#doc[internal];
    return doc != null ? { doc, chunk: this.#chunk[internal]!, start: this.#start[internal]!, end: this.#end[internal]! } : null;
  }
  /** The document an internal id belongs to, undefined for a hole or an unknown id. */
  docOf(internal: number): ExternalId | undefined {
    return this.#doc[internal] ?? undefined;
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
      ids.push(this.#doc.length);
      this.#doc.push(id);
      this.#chunk.push(chunked ? i : -1);
      this.#start.push(s.start);
      this.#end.push(s.end);
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
    for (const n of added) this.#doc[n] = null;
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
    for (const n of ids) this.#doc[n] = null;
  }
  /** Removes a document; returns its internal ids (empty if unknown). */
  deleteDocument(id: ExternalId): number[] {
    const got = this.#byDoc.get(id);
    if (got === undefined) return [];
    const ids = idsOf(got).slice();
    for (const n of ids) this.#doc[n] = null;
    this.#byDoc.delete(id);
    this.#live -= ids.length;
    this.#metadata.delete(id);
    this.#texts.delete(id);
    return ids;
  }
  isLive(internal: number): boolean {
    return this.#doc[internal] != null;
  }
  liveInternalIds(): Uint32Array {
    const e = this.#doc;
    let n = 0;
    for (let i = 0; i < e.length; i++) if (e[i] != null) n++;
    const out = new Uint32Array(n);
    for (let i = 0, w = 0; i < e.length; i++) if (e[i] != null) out[w++] = i;
    return out;
  }
  toJSON(): unknown {
    // holes keep zeros in the other columns (flat arrays of small integers parse fast)
    const n = this.#doc.length;
    const chunks = this.#chunk.slice(0, n);
    const starts = this.#start.slice(0, n);
    const ends = this.#end.slice(0, n);
    for (let i = 0; i < n; i++) {
      if (this.#doc[i] != null) continue;
      chunks[i] = 0;
      starts[i] = 0;
      ends[i] = 0;
    }
    return {
      format: ENTRIES_FORMAT,
      docs: this.#doc,
      chunks,
      starts,
      ends,
      metadata: [...this.#metadata.entries()],
      texts: [...this.#texts.entries()],
    };
  }
  /**
   * Reads a parsed entries.json: format 2 (columns, {@link ENTRIES_FORMAT}) or format 1 (rows);
   * FORMAT_VERSION_UNSUPPORTED for another format. CORRUPT_FILE naming `file` for anything else: columns of different lengths, a document id
   * that is neither a string nor a number, a chunk index that is not an integer ≥ -1, a span
   * that is not 0 ≤ start ≤ end (integers).
   */
  static fromJSON(raw: unknown, file = 'entries.json'): EntryTable {
    const bad = (what: string): never => {
      throw new StorageError('CORRUPT_FILE', `${file}: ${what}`, { file });
    };
    const r = raw as { format?: unknown; entries?: unknown; docs?: unknown; chunks?: unknown; starts?: unknown; ends?: unknown; metadata?: unknown; texts?: unknown };
    if (!r || typeof r !== 'object' || !Array.isArray(r.metadata) || !Array.isArray(r.texts)) bad('not an entry table');
    const t = new EntryTable();
    if (r.format === undefined) {
      // format 1: rows
      if (!Array.isArray(r.entries)) bad('not an entry table');
      const rows = r.entries as unknown[];
      for (let n = 0; n < rows.length; n++) {
        const e = rows[n];
        if (e === null) {
          t.#doc.push(null);
          t.#chunk.push(0);
          t.#start.push(0);
          t.#end.push(0);
          continue;
        }
        if (!Array.isArray(e) || e.length !== 4) bad('malformed entry');
        const row = e as unknown[];
        t.#doc.push(row[0] as ExternalId);
        t.#chunk.push(row[1] as number);
        t.#start.push(row[2] as number);
        t.#end.push(row[3] as number);
      }
    } else {
      if (r.format !== ENTRIES_FORMAT) throw new StorageError('FORMAT_VERSION_UNSUPPORTED', `${file}: format ${JSON.stringify(r.format)}; this trident reads ${ENTRIES_FORMAT} and 1. Upgrade trident or rebuild the index`, { file });
      const cols = [r.docs, r.chunks, r.starts, r.ends];
      if (!cols.every(Array.isArray)) bad('not an entry table');
      const n = (r.docs as unknown[]).length;
      if (!cols.every((c) => (c as unknown[]).length === n)) bad('its columns have different lengths');
      t.#doc = r.docs as (ExternalId | null)[];
      t.#chunk = r.chunks as number[];
      t.#start = r.starts as number[];
      t.#end = r.ends as number[];
    }
    const docs = t.#doc;
    for (let n = 0; n < docs.length; n++) {
      const doc = docs[n];
      if (doc === null) continue;
      if (typeof doc !== 'string' && typeof doc !== 'number') return bad(`malformed entry ${n}`);
      const c = t.#chunk[n]!;
      const s0 = t.#start[n]!;
      const e0 = t.#end[n]!;
      if (!Number.isInteger(c) || c < -1 || !Number.isInteger(s0) || !Number.isInteger(e0) || s0 < 0 || e0 < s0) bad(`malformed entry ${n}`);
      t.#live++;
      if (c <= 0) t.#docCount++;
    }
    t.#byDocMap = null; // built on first use
    for (const [k, v] of r.metadata as [ExternalId, Record<string, unknown>][]) t.#metadata.set(k, v);
    for (const [k, v] of r.texts as [ExternalId, string][]) t.#texts.set(k, v);
    return t;
  }
}
