// A write-ahead log written by WAL format version 1 (test/compat/fixtures/wal-v1, made once by
// make-wal-v1-fixture.ts with the version-1 code) still replays, and is rewritten as version 2
// so that later appends use the new framing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../src/hybrid/index.js';
import { WAL_FILE, WAL_FORMAT_VERSION } from '../../src/store/index.js';
import { FakeEncoder } from '../helpers/fake-encoder.js';
import type { Doc } from '../reliability/corpus.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/wal-v1/', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-walv1-'));
  await fsp.cp(path.join(FIXTURE, 'index'), path.join(dir, 'index'), { recursive: true });
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const open = (p: string) => HybridIndex.open(p, { encoder: new FakeEncoder() });

async function docsOf(index: HybridIndex) {
  const hits = await index.search('alpha', { k: Math.max(1, index.size), exhaustive: true, mode: 'dense' });
  return new Map(hits.map((h) => [h.id, h.metadata]));
}

describe('WAL format version 1', () => {
  it('replays every change of a version-1 log, then appends as version 2', async () => {
    const p = path.join(dir, 'index');
    const want = JSON.parse(await fsp.readFile(path.join(FIXTURE, 'docs.json'), 'utf8')) as Doc[];
    const v1 = await fsp.readFile(path.join(p, WAL_FILE));
    expect(v1.readUInt32LE(8)).toBe(1);
    const index = await open(p);
    expect(index.size).toBe(want.length);
    const got = await docsOf(index);
    for (const d of want) expect(got.get(d.id), String(d.id)).toEqual(d.metadata);
    expect((await fsp.readFile(path.join(p, WAL_FILE))).readUInt32LE(8)).toBe(WAL_FORMAT_VERSION);
    await index.add([{ id: 'new', text: 'alpha after the upgrade' }]);
    await index.close();
    const again = await open(p);
    expect(again.size).toBe(want.length + 1);
    expect(await docsOf(again)).toEqual(new Map([...got, ['new', undefined]]));
    await again.close();
  });
});
