// A write-ahead log written by WAL format version 2 (test/compat/fixtures/wal-v2, made once by
// make-wal-v2-fixture.ts with the version-2 code of 2bd30b0: texts inside the JSON skeleton,
// a lone surrogate, `$` metadata keys, vectors as sections) still replays, and is rewritten as
// version 3 before anything is appended (so a trident that reads only version 2 refuses the
// log with FORMAT_VERSION_UNSUPPORTED instead of misreading a string table).
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridIndex } from '../../src/hybrid/index.js';
import { WAL_FILE, WAL_FORMAT_VERSION } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import type { Doc } from '../reliability/corpus.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/wal-v2/', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-walv2-'));
  await fsp.cp(path.join(FIXTURE, 'index'), path.join(dir, 'index'), { recursive: true });
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });

describe('WAL format version 2', () => {
  it('replays every change of a version-2 log (texts and metadata exact), then appends as version 3', async () => {
    expect(WAL_FORMAT_VERSION).toBe(3);
    const p = path.join(dir, 'index');
    const want = JSON.parse(await fsp.readFile(path.join(FIXTURE, 'docs.json'), 'utf8')) as Doc[];
    expect((await fsp.readFile(path.join(p, WAL_FILE))).readUInt32LE(8)).toBe(2);
    const index = await open(p);
    expect(index.size).toBe(want.length);
    const stored = await index.get(want.map((d) => d.id));
    want.forEach((d, i) => {
      expect(stored[i]?.text, String(d.id)).toBe(d.text);
      expect(stored[i]?.metadata, String(d.id)).toEqual(d.metadata);
    });
    expect(want.some((d) => d.text.includes('\ud800'))).toBe(true);
    const before = (await index.search('alpha', { k: 20, mode: 'bm25' })).map((h) => [h.id, h.score]);
    expect(before.length).toBeGreaterThan(0);
    expect((await fsp.readFile(path.join(p, WAL_FILE))).readUInt32LE(8)).toBe(3);
    await index.add([{ id: 'new', text: `alpha after the upgrade ${'with a long text '.repeat(10)}` }]);
    await index.close();
    const again = await open(p);
    expect(again.size).toBe(want.length + 1);
    expect((await again.get(['new']))[0]?.text).toBe(`alpha after the upgrade ${'with a long text '.repeat(10)}`);
    const after = await again.get(want.map((d) => d.id));
    expect(after.map((d) => d?.text)).toEqual(want.map((d) => d.text));
    await again.close();
  });
});
