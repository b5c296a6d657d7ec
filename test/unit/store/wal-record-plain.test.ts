// encodeRecord skips its JSON replacer for plain data (no typed array, no `$` key, no toJSON):
// the record must decode to the same value either way, and the skeleton of plain data must be
// exactly JSON.stringify's text (oracle: JSON.stringify / structural equality).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRecord, encodeRecord } from '../../../src/store/index.js';

/** Section 0 (the JSON skeleton) of a version-2 payload. */
function skeleton(bytes: Uint8Array): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new TextDecoder().decode(bytes.subarray(16, 16 + dv.getUint32(12, true)));
}

/** True when `v` holds a string of 64+ code units. */
function hasLong(v: unknown): boolean {
  if (typeof v === 'string') return v.length >= 64;
  if (v === null || typeof v !== 'object') return false;
  return Object.values(v).some(hasLong);
}

describe('encodeRecord: plain data and data that needs the replacer', () => {
  it('plain JSON values: the skeleton is JSON.stringify of the record and it decodes back', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const rec = { op: 'add', v };
        const bytes = encodeRecord(rec);
        // (texts of 64+ code units go to the string table: wal-record-strings.test.ts)
        if (!JSON.stringify(rec).includes('"$') && !hasLong(rec)) expect(skeleton(bytes)).toBe(JSON.stringify(rec));
        expect(decodeRecord(bytes)).toEqual(JSON.parse(JSON.stringify(rec)));
      }),
      { numRuns: 200, seed: 19 },
    );
  });
  it('a typed array, a `$` key or a toJSON deep inside plain data still goes through the replacer', () => {
    const deep = (x: unknown) => ({ op: 'add', docs: [{ id: 1, text: 't', metadata: { a: [1, { b: x }] } }] });
    const f = Float32Array.of(1.5, -2);
    const back = decodeRecord(encodeRecord(deep(f))) as ReturnType<typeof deep>;
    expect((back.docs[0]!.metadata.a[1] as { b: unknown }).b).toEqual(f);
    const dollar = { $ta: 1, $$x: 'y' };
    expect(decodeRecord(encodeRecord(deep(dollar)))).toEqual(deep(dollar));
    const withToJson = { toJSON: () => ({ z: 2 }) };
    expect(decodeRecord(encodeRecord(deep(withToJson)))).toEqual(deep({ z: 2 }));
    const shared = { s: 1 };
    expect(decodeRecord(encodeRecord({ op: 'add', a: shared, b: shared }))).toEqual({ op: 'add', a: { s: 1 }, b: { s: 1 } });
  });
});
