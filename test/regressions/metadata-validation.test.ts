// Regression (issue 13 item 5): BigInt or cyclic metadata was accepted by add(), then every
// later save() threw until the document was deleted (and with the WAL the add threw an
// untyped TypeError). Metadata is now checked at add/update: JSON values only, a size and
// depth cap, INVALID_ARGUMENT naming the document and the bad value; nothing is added.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../src/hybrid/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { MAX_METADATA_BYTES } from '../../src/hybrid/metadata.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import { createIndex, fingerprint, makeDocs, rng } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-meta-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const deepArray: unknown[] = [];
let cur = deepArray;
for (let i = 0; i < 100; i++) {
  const next: unknown[] = [];
  cur.push(next);
  cur = next;
}

const BAD: Array<[string, unknown]> = [
  ['bigint', { n: 1n }],
  ['nested bigint', { a: [{ b: 2n }] }],
  ['cycle', cyclic],
  ['function', { f: () => 1 }],
  ['symbol value', { s: Symbol('x') }],
  ['undefined value', { u: undefined }],
  ['NaN', { x: NaN }],
  ['Infinity', { x: [Infinity] }],
  ['Date', { d: new Date(0) }],
  ['Map', { m: new Map([[1, 2]]) }],
  ['typed array', { v: Float32Array.of(1) }],
  [
    'class instance',
    {
      c: new (class Point {
        x = 1;
      })(),
    },
  ],
  ['too deep', { d: deepArray }],
  ['too large', { s: 'x'.repeat(MAX_METADATA_BYTES) }],
  ['not an object', 'a string'],
  ['an array', [1, 2]],
];

describe('metadata is validated at add and update', () => {
  for (const wal of [true, false]) {
    it(`non-JSON metadata → INVALID_ARGUMENT, nothing added, save keeps working (wal ${wal})`, async () => {
      const p = path.join(dir, `i-${wal}`);
      const docs = makeDocs(rng(2), 4, 'a');
      const index = await createIndex(p, { wal });
      await index.add(docs);
      const fp = await fingerprint(index);
      for (const [what, metadata] of BAD) {
        for (const call of ['add', 'update'] as const) {
          const err = await index[call]([
            { id: 'ok', text: 'alpha' },
            { id: 'bad', text: 'beta', metadata: metadata as Record<string, unknown> },
          ]).then(
            () => null,
            (e: unknown) => e,
          );
          expect(err, `${call} ${what}`).toBeInstanceOf(InvalidArgumentError);
          expect((err as InvalidArgumentError).code, `${call} ${what}`).toBe('INVALID_ARGUMENT');
          expect((err as Error).message).toContain('"bad"');
        }
      }
      expect(await fingerprint(index)).toBe(fp);
      await index.save();
      await index.close();
      const again = await HybridIndex.open(p, { encoder: new FakeEncoder() });
      expect(await fingerprint(again)).toBe(fp);
      await again.close();
    });
  }

  it('accepted metadata is copied: changing the caller object later does not change the index', async () => {
    const index = await createIndex();
    const meta = { tags: ['a'], n: 1, nested: { ok: true, nothing: null } };
    await index.add([{ id: 'd', text: 'alpha', metadata: meta }]);
    meta.tags.push('b');
    meta.n = 2;
    const [hit] = await index.search('alpha', { k: 1 });
    expect(hit!.metadata).toEqual({ tags: ['a'], n: 1, nested: { ok: true, nothing: null } });
    await index.close();
  });
});
