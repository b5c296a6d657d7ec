// Regression (issue 13 item 4): WAL records trusted user metadata. The version-1 record JSON
// referenced its binary blobs as {"$ta": kind, off, len}, so metadata of that shape was read
// back as a typed array holding the document's vector bytes (or made open() fail). Version 2
// keeps binary data in length-prefixed sections and escapes every "$" key of user data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { decodeRecord, encodeRecord } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-walmeta-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const HOSTILE: Record<string, unknown>[] = [{ x: { $ta: 'f32', off: 0, len: 4 } }, { $ta: 'u8', off: 0, len: 1 }, { x: { $ta: 1 } }, { $ta: 1 }, { y: { $$ta: 2, $: 'dollar', $$$: ['$ta'] }, z: [{ $ta: 'f64', off: 8, len: 1 }] }, { x: { $ta: 'f32', off: 999999, len: 99999 } }];

describe('WAL records never read user metadata as binary references', () => {
  it('metadata shaped like a reference comes back exactly as it was given (replayed without save)', async () => {
    const p = path.join(dir, 'i');
    const index = await createIndex(p, { wal: true });
    await index.add(HOSTILE.map((metadata, i) => ({ id: `m${i}`, text: 'alpha beta gamma', metadata })));
    await index.close(); // no save: a second instance replays the log
    const again = await HybridIndex.open(p, { encoder: new FakeEncoder() });
    expect(again.size).toBe(HOSTILE.length);
    const hits = await again.search('alpha beta gamma', { k: HOSTILE.length });
    for (const h of hits) expect(h.metadata, String(h.id)).toEqual(HOSTILE[Number(String(h.id).slice(1))]);
    await again.close();
  });

  it('the record codec round-trips "$" keys, a "__proto__" key and typed arrays side by side', () => {
    const meta = JSON.parse('{"__proto__": {"$ta": 1}, "$ta": 2, "$$x": [1]}') as Record<string, unknown>;
    const rec = { op: 'add', docs: [{ id: 'a', metadata: meta }], v: Float32Array.of(1, 2), w: [Int8Array.of(-1)] };
    const back = decodeRecord(encodeRecord(rec)) as typeof rec;
    expect(back.v).toBeInstanceOf(Float32Array);
    expect(Array.from(back.v)).toEqual([1, 2]);
    expect(back.w[0]).toBeInstanceOf(Int8Array);
    const m = back.docs[0]!.metadata;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.keys(m)).toEqual(['__proto__', '$ta', '$$x']);
    expect(JSON.stringify(m)).toBe(JSON.stringify(meta));
  });
});
