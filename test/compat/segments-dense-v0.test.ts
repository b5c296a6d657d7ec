// A `storage: 'segments'` index written before dense segments existed (its dense channel as
// whole files in the generation folder; fixture made by make-segments-dense-v0-fixture.ts at
// a7c5138) opens with this build: the dense channel stays whole-file, the sparse channel stays
// segmented, answers equal a default-storage index built from the same documents (the
// oracle), and adding + saving + reopening keeps working in that layout.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { HybridIndex } from '../../src/index.js';
import { rng } from '../helpers/rng.js';
import { segDenseChannels, segDenseDocs } from './segments-dense-docs.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/segments-dense-v0/index', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-segdense-v0-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const r = rng(8);
const qs = Array.from({ length: 5 }, () => ({ dense: Float32Array.from({ length: 8 }, () => r() * 2 - 1), sparse: { ids: Uint32Array.of(1, 5, 9, 20), weights: Float32Array.of(1, 0.5, 2, 1) } }));

async function answers(ix: HybridIndex): Promise<unknown[]> {
  const out: unknown[] = [ix.size];
  for (const q of qs) {
    for (const channels of [['dense'], ['sparse'], ['dense', 'sparse']]) {
      for (const exhaustive of [false, true]) out.push((await ix.search({ vectors: q }, { k: 10, channels, exhaustive })).map((h) => [h.id, h.score]));
    }
  }
  return out;
}

it('opens a segments index with a whole-file dense channel, answers like the default storage, and keeps working', async () => {
  const dir = path.join(tmp, 'index');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const docs = segDenseDocs();
  const ref = await HybridIndex.create({ channels: segDenseChannels });
  await ref.add(docs);
  await ref.delete([4, 33]);
  const ix = await HybridIndex.open(dir, {});
  expect(ix.stats().channels.dense).not.toHaveProperty('segments');
  expect(ix.stats().channels.sparse).toMatchObject({ segments: 2 });
  expect(await answers(ix)).toEqual(await answers(ref));
  const more = segDenseDocs().map((d) => ({ ...d, id: d.id + 100 }));
  await ix.add(more.slice(0, 10));
  await ref.add(more.slice(0, 10));
  await ix.save();
  await ix.close();
  const back = await HybridIndex.open(dir, {});
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { dir: string };
  expect(fs.existsSync(path.join(dir, m.dir, 'dense', 'dense.rows'))).toBe(true);
  expect(await answers(back)).toEqual(await answers(ref));
  await back.close();
  await ref.close();
});
