// A merge killed at any point leaves the old segments live and intact (or the merged segment
// live, once the manifest swap happened): the store opens, verifies, answers exactly as
// before, and the next commit removes the orphans. Kills at every commit stage of the merge
// (after each merged file, after the merged segment, before and after the manifest swap) and
// at random moments of a longer merge.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SegmentedStore } from '../../../src/segments/index.js';
import { rng } from '../../helpers/rng.js';
import { makeDocs, multiVec, sparseVec } from './corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-seg-crash-'));
const base = path.join(tmp, 'base');
const CHILD = fileURLToPath(new URL('./merge-crash-child.ts', import.meta.url));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const qr = rng(31);
const queries = Array.from({ length: 5 }, () => ({ s: sparseVec(qr, 300, 5), m: multiVec(qr, 16, 3) }));
let expected = '';
let oldSegments: string[] = [];

function answers(s: SegmentedStore): string {
  return JSON.stringify(queries.map((q) => [Array.from(s.searchSparse(q.s, 10).ids), Array.from(s.searchSparse(q.s, 10).scores), Array.from(s.searchMultiVector(q.m, 10).ids), Array.from(s.searchMultiVector(q.m, 10).scores)]));
}

beforeAll(async () => {
  const s = await SegmentedStore.create(base, { sparse: { scorer: 'bm25', k1: 0.9, b: 0.4 }, multivector: { dim: 16, dtype: 'i8' } });
  const docs = makeDocs(3000, 41);
  for (let seg = 0; seg < 5; seg++) {
    for (const d of docs.slice(seg * 600, seg * 600 + 600)) s.add(d.id, { sparse: d.sparse, multivector: d.multivector });
    await s.commit({ merge: false });
  }
  for (const d of docs.filter((_, i) => i % 11 === 0)) s.delete(d.id);
  await s.commit({ merge: false });
  expected = answers(s);
  oldSegments = s.segments;
  s.close();
}, 120_000);

function runChild(dir: string, stage: string, nth: number, killAfterMs: number | null): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, stage, String(nth)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (killAfterMs !== null && out.includes('ready')) setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    });
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => (code !== 0 && signal === null ? reject(new Error(`child exited ${code}: ${err}`)) : resolve({ signal, out })));
  });
}

async function checkAfterKill(dir: string): Promise<'old' | 'merged'> {
  const s = await SegmentedStore.open(dir);
  s.verify();
  expect(answers(s)).toBe(expected);
  const state = s.segments.length === 1 ? 'merged' : 'old';
  if (state === 'old') expect(s.segments).toEqual(oldSegments);
  // the next commit works and removes what the killed merge left behind
  await s.optimize();
  expect(s.segments.length).toBe(1);
  expect(answers(s)).toBe(expected);
  const files = fs.readdirSync(dir).sort();
  const name = s.segments[0]!;
  expect(files).toEqual([`${name}.mvec`, `${name}.sparse`, 'segments.json']);
  s.close();
  return state;
}

const STAGES: [string, number, 'old' | 'merged'][] = [
  ['file-written', 1, 'old'],
  ['file-written', 2, 'old'],
  ['merge-written', 1, 'old'],
  ['before-manifest', 1, 'old'],
  ['committed', 1, 'merged'],
];

it.each(STAGES)(
  'killed at %s #%i: the %s segments are live and intact',
  async (stage, nth, want) => {
    const dir = path.join(tmp, `${stage}-${nth}`);
    fs.cpSync(base, dir, { recursive: true });
    const r = await runChild(dir, stage, nth, null);
    expect(r.signal).toBe('SIGKILL');
    expect(await checkAfterKill(dir)).toBe(want);
  },
  60_000,
);

it('killed at random moments of the merge: old or merged, never a mix', async () => {
  const r = rng(9);
  const seen: string[] = [];
  for (let t = 0; t < 8; t++) {
    const dir = path.join(tmp, `timed-${t}`);
    fs.cpSync(base, dir, { recursive: true });
    const res = await runChild(dir, '-', 0, Math.floor(r() * 150));
    seen.push(`${res.signal ?? 'finished'}:${await checkAfterKill(dir)}`);
  }
  console.log(`[merge-crash] random kills: ${seen.join(', ')}`);
}, 180_000);
