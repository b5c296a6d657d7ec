// Write-ahead-log records, version 3: long well-formed strings (document texts) travel in a
// UTF-8 string table instead of escaped inside the JSON skeleton. Oracle: JSON.stringify +
// JSON.parse (what a record must decode to), byte-level inspection of the sections, and
// crafted string tables that must be refused as CORRUPT_FILE (never a crash, never a wrong value).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../../src/store/index.js';

interface Section {
  kind: number;
  at: number;
  len: number;
}
/** The sections of a payload (its framing, read independently of the decoder). */
function sections(bytes: Uint8Array): Section[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Section[] = [];
  let p = 8;
  for (let i = 0; i < dv.getUint32(0, true); i++) {
    const len = dv.getUint32(p + 4, true);
    out.push({ kind: dv.getUint32(p, true), at: p + 8, len });
    p += 8 + ((len + 7) & ~7);
  }
  return out;
}
const skeletonOf = (b: Uint8Array) => new TextDecoder().decode(b.subarray(sections(b)[0]!.at, sections(b)[0]!.at + sections(b)[0]!.len));
const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('WAL record string table (version 3)', () => {
  it('records with long texts of any code points decode to exactly what JSON would give', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', minLength: 60, maxLength: 300 }), fc.string({ unit: 'grapheme', minLength: 60, maxLength: 300 }), fc.string({ maxLength: 80 }));
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.oneof(fc.string(), fc.integer()), text, metadata: fc.option(fc.jsonValue(), { nil: undefined }) }), { maxLength: 8 }), (docs) => {
        const rec = { op: 'add', docs, prepared: [{ v: Float32Array.of(1, 2) }] };
        const back = decodeRecord(encodeRecord(rec)) as typeof rec;
        expect({ ...back, prepared: undefined }).toEqual({ ...viaJson({ ...rec, prepared: undefined }) });
        expect(back.prepared[0]!.v).toEqual(Float32Array.of(1, 2));
      }),
      { numRuns: 300, seed: 23 },
    );
  });

  it('a long text is written once as UTF-8 in the table, not in the skeleton; short texts, lone surrogates and a BOM stay exact', () => {
    const long = `\uFEFFcafé ${'naïve text '.repeat(20)}𝑥`;
    const lone = `lone \ud800 surrogate ${'x'.repeat(80)}`;
    const rec = {
      op: 'add',
      docs: [
        { id: 'a', text: long },
        { id: 'b', text: 'short' },
        { id: 'c', text: lone },
      ],
    };
    const bytes = encodeRecord(rec);
    const s = sections(bytes);
    expect(s.map((x) => x.kind)).toEqual([0, 9]);
    const skel = skeletonOf(bytes);
    expect(skel).not.toContain('naïve');
    expect(skel).toContain('{"$str":0}');
    expect(skel).toContain('"short"');
    expect(skel).toContain('\\ud800'); // stays escaped in the JSON
    const table = s[1]!;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    expect(dv.getUint32(table.at, true)).toBe(1);
    expect(Buffer.from(bytes.subarray(table.at + 8, table.at + table.len)).toString('utf8')).toBe(long);
    expect(decodeRecord(bytes)).toEqual(rec);
  });

  it('user keys that look like references stay user keys', () => {
    const rec = { op: 'add', docs: [{ id: 1, text: 'y'.repeat(70), metadata: { $str: 0, $ta: 1, $$x: 2, nested: [{ $str: 5 }] } }] };
    expect(decodeRecord(encodeRecord(rec))).toEqual(rec);
    // a `__proto__` key (as JSON.parse makes it: an own key) stays an own key, not a prototype
    const proto = JSON.parse('{"__proto__":{"polluted":1},"b":"z"}') as Record<string, unknown>;
    const back = decodeRecord(encodeRecord({ op: 'add', docs: [{ id: 2, text: 'q'.repeat(70), metadata: proto }] })) as { docs: Array<{ metadata: Record<string, unknown> }> };
    const m = back.docs[0]!.metadata;
    expect(Object.hasOwn(m, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(JSON.stringify(m)).toBe('{"__proto__":{"polluted":1},"b":"z"}');
  });

  /** A valid record with one table holding two strings, to damage. */
  function sample(): { bytes: Uint8Array; table: Section } {
    const bytes = encodeRecord({
      op: 'add',
      docs: [
        { id: 1, text: 'a'.repeat(70) },
        { id: 2, text: 'b'.repeat(90) },
      ],
    });
    return { bytes, table: sections(bytes).find((x) => x.kind === 9)! };
  }
  const damages: Array<[string, (b: Uint8Array, dv: DataView, t: Section) => void]> = [
    ['a count larger than the table', (_b, dv, t) => dv.setUint32(t.at, 1_000_000, true)],
    ['ends out of order', (_b, dv, t) => dv.setUint32(t.at + 8, 50, true)],
    ['an end past the bytes', (_b, dv, t) => dv.setUint32(t.at + 8, 10_000, true)],
    ['bytes that are not UTF-8', (b, _dv, t) => b.fill(0xff, t.at + 12, t.at + 20)],
    ['a table of 2 bytes', (_b, dv, t) => dv.setUint32(t.at - 4, 2, true)],
  ];
  for (const [what, damage] of damages) {
    it(`a string table with ${what} is CORRUPT_FILE`, () => {
      const { bytes, table } = sample();
      const copy = Uint8Array.from(bytes);
      damage(copy, new DataView(copy.buffer), table);
      expect(() => decodeRecord(copy)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
    });
  }
  it('a reference to a string the table does not hold, or a $ta to the table, is CORRUPT_FILE', () => {
    for (const [from, to] of [
      ['{"$str":1}', '{"$str":7}'],
      ['{"$str":1}', '{"$ta":1} '],
      ['{"$str":1}', '{"$str":"1"}'.slice(0, 10)],
    ] as const) {
      const { bytes } = sample();
      const s0 = sections(bytes)[0]!;
      const text = new TextDecoder().decode(bytes.subarray(s0.at, s0.at + s0.len));
      expect(text).toContain(from);
      const next = text.replace(from, to);
      expect(next.length).toBe(text.length);
      const copy = Uint8Array.from(bytes);
      copy.set(new TextEncoder().encode(next), s0.at);
      expect(() => decodeRecord(copy)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
    }
  });
  it('a record with no string table refuses a string reference', () => {
    const bytes = encodeRecord({ op: 'add', docs: [{ id: 1, text: 'short', metadata: { k: 'abcdefghij' } }] });
    const s0 = sections(bytes)[0]!;
    const text = new TextDecoder().decode(bytes.subarray(s0.at, s0.at + s0.len));
    const next = text.replace('"abcdefghij"', '{"$str":0} ');
    const copy = Uint8Array.from(bytes);
    copy.set(new TextEncoder().encode(next), s0.at);
    expect(() => decodeRecord(copy)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  });
});
