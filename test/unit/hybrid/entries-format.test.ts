// entries.json format 2 (one flat array per field) against an independent model of the table
// (a plain Map of documents to their spans, kept beside it through adds, replacements, undo and
// deletes), the format-1 rows it replaced (still read: the same table), and crafted columns
// refused as CORRUPT_FILE naming the file (a newer format: FORMAT_VERSION_UNSUPPORTED).
import { describe, expect, it } from 'vitest';
import { ENTRIES_FORMAT, EntryTable } from '../../../src/hybrid/entries.js';
import { rng } from '../../helpers/rng.js';

type Span = { start: number; end: number };

/** Every live entry as [internal id, doc, chunk, start, end], by internal id. */
function live(t: EntryTable): unknown[][] {
  const out: unknown[][] = [];
  for (let n = 0; n < t.capacity; n++) {
    const e = t.entry(n);
    if (e) out.push([n, e.doc, e.chunk, e.start, e.end]);
  }
  return out;
}

describe('entries.json format 2', () => {
  it('round-trips a table through adds, replacements, undo and deletes, as the model says', () => {
    const r = rng(5);
    const t = new EntryTable();
    const model = new Map<string | number, { ids: number[]; spans: Span[]; chunked: boolean }>();
    let next = 0;
    for (let step = 0; step < 400; step++) {
      const id = r() < 0.5 ? `d${Math.floor(r() * 60)}` : Math.floor(r() * 60);
      const x = r();
      if (x < 0.55) {
        const chunked = r() < 0.5;
        const spans = Array.from({ length: chunked ? 1 + Math.floor(r() * 3) : 1 }, (_, i) => ({ start: i * 10, end: i * 10 + 5 + Math.floor(r() * 5) }));
        const before = t.snapshot(id);
        const ids = t.addDocument(id, spans, chunked, r() < 0.3 ? { n: step } : undefined, r() < 0.3 ? `text ${step}` : undefined);
        expect(ids).toEqual(spans.map((_, i) => next + i));
        next += spans.length;
        if (r() < 0.2) {
          t.restore(id, before, ids); // undo: the previous version is back
        } else {
          if (before) t.retire(before.ids);
          model.set(id, { ids, spans, chunked });
        }
      } else if (x < 0.75) {
        expect(t.deleteDocument(id)).toEqual(model.get(id)?.ids ?? []);
        model.delete(id);
      }
    }
    const want: unknown[][] = [];
    for (const [doc, v] of model) for (let i = 0; i < v.ids.length; i++) want.push([v.ids[i], doc, v.chunked ? i : -1, v.spans[i]!.start, v.spans[i]!.end]);
    want.sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(live(t)).toEqual(want);
    const json = JSON.parse(JSON.stringify(t.toJSON())) as Record<string, unknown>;
    expect(json.format).toBe(ENTRIES_FORMAT);
    expect(Object.keys(json).sort()).toEqual(['chunks', 'docs', 'ends', 'format', 'metadata', 'starts', 'texts']);
    const back = EntryTable.fromJSON(json);
    expect(live(back)).toEqual(want);
    expect(back.liveEntries).toBe(want.length);
    expect(back.documents).toBe(model.size);
    expect(back.capacity).toBe(next);
    for (const [doc, v] of model) {
      expect(back.entriesOf(doc)).toEqual(v.ids);
      expect(back.metadata(doc)).toEqual(t.metadata(doc));
      expect(back.text(doc)).toEqual(t.text(doc));
    }
    // the format-1 rows of the same table read back as the same table
    const rows = Array.from({ length: next }, (_, n) => {
      const e = t.entry(n);
      return e ? [e.doc, e.chunk, e.start, e.end] : null;
    });
    const v1 = EntryTable.fromJSON({ entries: rows, metadata: json.metadata, texts: json.texts });
    expect(live(v1)).toEqual(want);
    expect(v1.liveEntries).toBe(want.length);
    expect(v1.documents).toBe(model.size);
    for (const [doc, v] of model) expect(v1.entriesOf(doc)).toEqual(v.ids);
    // a read table takes writes (its document map is built on first use)
    const again = EntryTable.fromJSON(json);
    const [firstDoc, first] = [...model.entries()][0]!;
    expect(() => again.checkNew([firstDoc])).toThrow(expect.objectContaining({ code: 'DUPLICATE_ID' }));
    expect(again.deleteDocument(firstDoc)).toEqual(first.ids);
    expect(again.documents).toBe(model.size - 1);
    expect(again.liveEntries).toBe(want.length - first.ids.length);
    expect(again.addDocument('fresh', [{ start: 0, end: 3 }], false)).toEqual([next]);
    expect(again.documents).toBe(model.size);
  });

  it('refuses crafted tables as CORRUPT_FILE naming the file', () => {
    const good = { format: 2, docs: ['a', null, 3], chunks: [-1, 0, 1], starts: [0, 0, 4], ends: [5, 0, 9], metadata: [], texts: [] };
    expect(EntryTable.fromJSON(good).liveEntries).toBe(2);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['columns of different lengths', { ...good, ends: [5, 0] }],
      ['a missing column', { ...good, starts: undefined }],
      ['a document id that is an object', { ...good, docs: ['a', null, { x: 1 }] }],
      ['a chunk index below -1', { ...good, chunks: [-2, 0, 1] }],
      ['a fractional chunk index', { ...good, chunks: [-1, 0, 0.5] }],
      ['a span ending before it starts', { ...good, starts: [6, 0, 4] }],
      ['a negative start', { ...good, starts: [-1, 0, 4] }],
      ['a span given as text', { ...good, ends: ['5', 0, 9] }],
      ['no metadata', { ...good, metadata: undefined }],
    ];
    for (const [what, raw] of cases) {
      expect(() => EntryTable.fromJSON(raw, 'gen-000001/entries.json'), what).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE', file: 'gen-000001/entries.json' }));
    }
    expect(() => EntryTable.fromJSON({ ...good, format: 3 }, 'e.json')).toThrow(expect.objectContaining({ code: 'FORMAT_VERSION_UNSUPPORTED', file: 'e.json' }));
    // format 1 rows are checked the same way
    expect(() => EntryTable.fromJSON({ entries: [['a', -1, 5, 2]], metadata: [], texts: [] })).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
    expect(() => EntryTable.fromJSON({ entries: [['a', -1, 0]], metadata: [], texts: [] })).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  });
});
