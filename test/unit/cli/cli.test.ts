import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'src/cli/main.ts');

function trident(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-cli-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('trident CLI', () => {
  it('prints usage, per-command help, and a clean error for a mistyped option', () => {
    const all = trident('--help');
    expect(all.code).toBe(0);
    for (const c of ['index', 'search', 'eval', 'bench', 'train-static']) expect(all.out).toContain(`trident ${c}`);
    const one = trident('eval', '--help');
    expect(one.code).toBe(0);
    expect(one.out).toContain('trident eval <dir> --beir <folder>');
    expect(one.out).not.toContain('trident index');
    const bad = trident('search', 'x', 'y', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown option '--bogus'");
    expect(bad.err.trim().split('\n')).toHaveLength(1); // one line, no usage dump
    expect(bad.err).not.toMatch(/\n\s+at /); // no stack trace
    const unknown = trident('frobnicate');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("unknown command 'frobnicate'");
  });

  it('indexes a corpus and finds a document by its own title (BM25 mode is the oracle: exact title terms)', () => {
    const corpus = path.join(ROOT, 'examples/data/scifact-500/corpus.jsonl');
    const docs = fs
      .readFileSync(corpus, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 40)
      .map((l) => JSON.parse(l) as { _id: string; title: string });
    const small = path.join(dir, 'corpus.jsonl');
    fs.writeFileSync(small, `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
    const out = path.join(dir, 'idx');
    const idx = trident('index', small, '--out', out, '--bm25', 'english');
    expect(idx.code, idx.err).toBe(0);
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(true);
    const target = docs[7]!;
    for (const mode of ['bm25', 'all']) {
      const s = trident('search', out, target.title, '--mode', mode, '--k', '3', '--json');
      expect(s.code, s.err).toBe(0);
      const hits = JSON.parse(s.out) as Array<{ id: string; score: number }>;
      expect(hits.length).toBe(3);
      expect(hits[0]!.id).toBe(target._id);
      expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
    }
    // --storage segments: the same hits and scores as the default storage
    const segOut = path.join(dir, 'idx-seg');
    const segIdx = trident('index', small, '--out', segOut, '--bm25', 'english', '--storage', 'segments');
    expect(segIdx.code, segIdx.err).toBe(0);
    expect((JSON.parse(fs.readFileSync(path.join(segOut, 'manifest.json'), 'utf8')) as { config: { storage?: string } }).config.storage).toBe('segments');
    for (const mode of ['bm25', 'all']) {
      const a = trident('search', out, target.title, '--mode', mode, '--k', '5', '--json');
      const b = trident('search', segOut, target.title, '--mode', mode, '--k', '5', '--json');
      expect(b.code, b.err).toBe(0);
      const pick = (o: string) => (JSON.parse(o) as Array<{ id: string; score: number }>).map((h) => [h.id, h.score]);
      expect(pick(b.out)).toEqual(pick(a.out));
    }
    const missing = trident('search', path.join(dir, 'nope'), 'q');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('INDEX_NOT_FOUND');
  }, 180_000);
});
