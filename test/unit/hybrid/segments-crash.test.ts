// A segments index whose writer is killed during a save or a merge (optimize) opens with the
// last saved state (or the new one, once the index manifest was replaced), never a mix: the
// index manifest is the one commit point over the segment lists. The next save removes what
// the killed one left behind. Kills just before the manifest rename, and at random moments.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HybridIndex } from '../../../src/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { rng } from '../../helpers/rng.js';
import { segDocs } from './segments-crash-docs.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-segidx-crash-'));
const base = path.join(tmp, 'base');
const CHILD = fileURLToPath(new URL('./segments-crash-child.ts', import.meta.url));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const encoder = new FakeEncoder();
const QUERIES = ['alpha beta', 'gamma delta', 'omega psi chi', 'kappa mu'];
let before = '';
let afterSave = '';

async function answers(dir: string): Promise<string> {
  const ix = await HybridIndex.open(dir, { encoder });
  const out: unknown[] = [ix.size];
  for (const q of QUERIES) for (const mode of ['all', 'bm25', 'sparse', 'multivector', 'dense'] as const) out.push((await ix.search(q, { k: 10, mode, exhaustive: true })).map((h) => [h.id, h.score]));
  await ix.close();
  return JSON.stringify(out);
}

function runChild(dir: string, op: string, kill: string, killAfterMs: number | null): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, op, kill], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (killAfterMs !== null && out.includes('ready')) setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    });
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => (code !== 0 && signal === null ? reject(new Error(`child exited ${code}: ${err}`)) : resolve(signal)));
  });
}

/** Every segment file is named by a list some kept generation names (nothing orphaned). */
function orphans(dir: string): string[] {
  const named = new Set<string>();
  for (const g of fs.readdirSync(dir).filter((n) => /^gen-\d+$/.test(n))) {
    for (const ch of fs.readdirSync(path.join(dir, 'segments'))) {
      const ref = JSON.parse(fs.readFileSync(path.join(dir, g, ch, 'segments.ref.json'), 'utf8')) as { manifest: string };
      named.add(`${ch}/${ref.manifest}`);
      const list = JSON.parse(fs.readFileSync(path.join(dir, 'segments', ch, ref.manifest), 'utf8')) as { segments: Array<{ name: string; delGen: number; bytes: Record<string, number> }> };
      for (const s of list.segments) {
        for (const k of Object.keys(s.bytes)) if (k !== 'del') named.add(`${ch}/${s.name}.${k}`);
        if (s.delGen > 0) named.add(`${ch}/${s.name}.del-${String(s.delGen).padStart(6, '0')}`);
      }
    }
  }
  const out: string[] = [];
  for (const ch of fs.readdirSync(path.join(dir, 'segments'))) for (const f of fs.readdirSync(path.join(dir, 'segments', ch))) if (!named.has(`${ch}/${f}`)) out.push(`${ch}/${f}`);
  return out;
}

async function afterKill(dir: string, allowed: string[]): Promise<void> {
  const got = await answers(dir);
  expect(allowed).toContain(got);
  // the next save works and leaves nothing orphaned
  const ix = await HybridIndex.open(dir, { encoder });
  await ix.add(segDocs(200_000, 3, 5));
  await ix.save();
  await ix.close();
  expect(orphans(dir)).toEqual([]);
}

beforeAll(async () => {
  const ix = await HybridIndex.create({ encoder, path: base, storage: 'segments', wal: false, bm25: {} });
  for (let s = 0; s < 6; s++) {
    await ix.add(segDocs(s * 1000, 1000, s + 1));
    await ix.delete(Array.from({ length: 20 }, (_, i) => `d${s * 997 + i * 13}`));
    await ix.save();
  }
  await ix.close();
  before = await answers(base);
  const done = path.join(tmp, 'done');
  fs.cpSync(base, done, { recursive: true });
  expect(await runChild(done, 'save', '-', null)).toBeNull();
  afterSave = await answers(done);
  expect(afterSave).not.toBe(before);
}, 180_000);

it.each(['save', 'optimize'])(
  '%s killed just before the index manifest is replaced: the last saved state',
  async (op) => {
    const dir = path.join(tmp, `manifest-${op}`);
    fs.cpSync(base, dir, { recursive: true });
    expect(await runChild(dir, op, 'manifest', null)).toBe('SIGKILL');
    expect(await answers(dir)).toBe(before);
    // the killed save had written its segments and segment lists: orphans until the next save
    const committed = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { dir: string };
    const list = (JSON.parse(fs.readFileSync(path.join(dir, committed.dir, 'bm25', 'segments.ref.json'), 'utf8')) as { manifest: string }).manifest;
    expect(fs.readdirSync(path.join(dir, 'segments', 'bm25')).some((f) => /^segments-\d+\.json$/.test(f) && f > list)).toBe(true);
    await afterKill(dir, [before]);
  },
  120_000,
);

it('save and optimize killed at random moments: the old state or the new one, never a mix', async () => {
  const r = rng(3);
  const seen: string[] = [];
  for (let t = 0; t < 6; t++) {
    const op = t % 2 === 0 ? 'optimize' : 'save';
    const dir = path.join(tmp, `timed-${t}`);
    fs.cpSync(base, dir, { recursive: true });
    const sig = await runChild(dir, op, '-', Math.floor(r() * 400));
    const got = await answers(dir);
    seen.push(`${op}:${sig ?? 'finished'}:${got === before ? 'old' : 'new'}`);
    await afterKill(dir, op === 'save' ? [before, afterSave] : [before]);
  }
  console.log(`[segments-crash] random kills: ${seen.join(', ')}`);
}, 300_000);
