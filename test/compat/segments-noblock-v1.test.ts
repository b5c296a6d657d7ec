// Segment files written before per-block checksums (no 'blockcrc' section; fixture made by
// make-segments-noblock-fixture.ts with main at dd49d73) open and answer exactly as a store
// written by this build from the same documents (the oracle), verify() passes, their big
// sections are checked whole on first touch (damage anywhere in a section fails any read of
// it, as before), and a commit on top writes the new segments with block checksums.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BLOCK_CRC_SECTION } from '../../src/segments/container.js';
import { SegmentedStore, SegmentFile } from '../../src/segments/index.js';
import { rng } from '../helpers/rng.js';
import { noblockDocs, writeNoblockStore } from './segments-noblock-docs.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/segments-noblock-v1', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-noblock-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const oracleDir = path.join(tmp, 'oracle');

const r = rng(5);
const queries = Array.from({ length: 12 }, () => {
  const ids = Uint32Array.from(new Set(Array.from({ length: 3 }, () => Math.floor(r() ** 2 * 3000)))).sort();
  return { sparse: { ids, weights: new Float32Array(ids.length).fill(1) }, mv: { data: Float32Array.from({ length: 2 * 32 }, () => r() * 2 - 1), dim: 32, count: 2 } };
});

function answers(s: SegmentedStore): unknown[] {
  const out: unknown[] = [];
  for (const q of queries) {
    for (const exhaustive of [false, true]) out.push(s.searchSparse(q.sparse, 10, { exhaustive }));
    const cand = Array.from({ length: 40 }, (_, i) => 3 * ((i * 37) % 1200)).filter((id) => id !== 9);
    out.push(Array.from(s.scoreMultiVector(q.mv, cand)), Array.from(s.scoreSparse(q.sparse, cand)));
  }
  return out;
}

beforeAll(() => writeNoblockStore(oracleDir));

it('the fixture has no block tables; this build writes them for the same documents', async () => {
  for (const [d, want] of [
    [FIXTURE, false],
    [oracleDir, true],
  ] as const) {
    const f = await SegmentFile.open(path.join(d, 'seg-000001.sparse'), 'sparse', 1);
    expect(f.sections.has(BLOCK_CRC_SECTION)).toBe(want);
    expect(f.hasBlocks('postdocs')).toBe(want);
    f.close();
    const g = await SegmentFile.open(path.join(d, 'seg-000001.mvec'), 'mvec', [1, 2]);
    expect(g.hasBlocks('vectors')).toBe(want);
    g.close();
  }
});

it('old segment files answer as this build writing the same documents, verify, and take new commits', async () => {
  const dir = path.join(tmp, 'old');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const old = await SegmentedStore.open(dir, { mode: 'mmap' });
  const oracle = await SegmentedStore.open(oracleDir, { mode: 'mmap' });
  expect(answers(old)).toEqual(answers(oracle));
  old.verify();
  oracle.verify();
  oracle.close();
  old.add(5000, noblockDocs()[0]!.doc);
  await old.commit({ merge: true });
  old.close();
  const back = await SegmentedStore.open(dir, { mode: 'mmap' });
  back.verify();
  expect(back.scoreMultiVector(queries[0]!.mv, [5000])).toEqual(back.scoreMultiVector(queries[0]!.mv, [0]));
  back.close();
});

it('damage in an old file fails any read of the section (whole-section check), as before', async () => {
  const dir = path.join(tmp, 'old-bad');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const p = path.join(dir, 'seg-000001.sparse');
  const f = await SegmentFile.open(p, 'sparse', 1);
  const off = f.section('postdocs', false).offset + f.section('postdocs', false).length - 3;
  f.close();
  const buf = fs.readFileSync(p);
  buf[off]! ^= 1;
  fs.writeFileSync(p, buf);
  const s = await SegmentedStore.open(dir, { mode: 'mmap' });
  // the first list of the segment lies far from the damaged byte (the last posting)
  const g = await SegmentFile.open(p, 'sparse', 1);
  const first = g.view('termids', Uint32Array, g.section('termids').length / 4)[0]!;
  g.close();
  expect(() => s.searchSparse({ ids: Uint32Array.of(first), weights: Float32Array.of(1) }, 5)).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH', file: p, message: expect.stringContaining("section 'postdocs' fails") }));
  expect(() => s.verify()).toThrow(expect.objectContaining({ code: 'CHECKSUM_MISMATCH' }));
  s.close();
});
