import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../../src/cli/run.js';
import { COMMANDS } from '../../../src/cli/specs.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BEIR = join(ROOT, 'examples/data/scifact-500');

/** Runs the CLI in-process with captured stdout/stderr. */
async function cli(args: string[], opts: { tty?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const io: CliIo = {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    errIsTTY: opts.tty ?? false,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

let dir: string;
let idx: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trident-cli-cmd-'));
  idx = join(dir, 'idx');
  // an index built without --bm25
  const r = await cli(['index', join(BEIR, 'corpus.jsonl'), '--out', idx]);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toMatch(/indexed 500 documents .* with static-en → /);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validation happens before any work', () => {
  it('--limit abc is an error exit with a message, and nothing is written', async () => {
    const out = join(dir, 'never');
    const r = await cli(['index', join(BEIR, 'corpus.jsonl'), '--out', out, '--limit', 'abc']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("trident: INVALID_ARGUMENT: index: --limit needs an integer, got 'abc' (see trident index --help)\n");
    expect(existsSync(out)).toBe(false);
  });

  it('a mistyped --mode is reported before the index is opened (even a missing one)', async () => {
    const r = await cli(['search', join(dir, 'no-such-index'), 'q', '--mode', 'dens']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--mode 'dens' is not one of .*did you mean 'dense'/);
    expect(r.err).not.toContain('INDEX_NOT_FOUND');
  });

  it('an unknown option is one line naming the closest valid option', async () => {
    const r = await cli(['eval', idx, '--beir', BEIR, '--confgs', 'dense']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain("unknown option '--confgs'; did you mean '--configs'?");
  });

  it('eval refuses an explicitly requested config the index lacks, before loading the data set', async () => {
    // --beir points nowhere: the config check must come first
    const r = await cli(['eval', idx, '--beir', join(dir, 'no-such-beir'), '--configs', 'dense,bm25']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/has no store for 'bm25'/);
  });

  it('an unquoted multi-word query is refused instead of searching its first word', async () => {
    const r = await cli(['search', idx, 'vitamin', 'D', 'deficiency']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("search: unexpected argument 'D' (put a query of several words in quotes");
  });

  it('every command has --help listing its options', async () => {
    for (const spec of COMMANDS) {
      const r = await cli([spec.name, '--help']);
      expect(r.code).toBe(0);
      for (const o of spec.options) expect(r.out).toContain(`--${o.name}`);
    }
    const top = await cli(['--help']);
    for (const spec of COMMANDS) expect(top.out).toContain(`trident ${spec.name}`);
  });
});

describe('trident eval', () => {
  it('runs the configs the index supports (no bm25 without --bm25), table ≤ 100 columns, no progress off a terminal', async () => {
    const json = join(dir, 'a.json');
    const r = await cli(['eval', idx, '--beir', BEIR, '--limit', '8', '--json', json]);
    expect(r.code, r.err).toBe(0);
    const rows = r.out.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| config'));
    expect(rows.map((l) => l.split('|')[1]!.trim())).toEqual(['dense', 'sparse', 'multivector', 'dense+sparse', 'all', 'all-rrf']);
    for (const l of r.out.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
    expect(r.err).toBe('');
    const saved = JSON.parse(readFileSync(json, 'utf8')) as { rows: Array<{ name: string }> };
    expect(saved.rows.map((x) => x.name)).toContain('all-rrf');
  }, 120_000);

  it('shows progress on stderr with --progress (stdout keeps only the table)', async () => {
    const r = await cli(['eval', idx, '--beir', BEIR, '--limit', '4', '--configs', 'dense,sparse', '--progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('eval dense: 4/4 (100%)');
    expect(r.err).toContain('eval sparse: 4/4 (100%)');
    expect(r.out.startsWith('| config')).toBe(true);
    expect(r.out).not.toContain('eval dense:');
  }, 120_000);

  it('--compare labels A and B and compares every config present in both files', async () => {
    const b = join(dir, 'b.json');
    const rb = await cli(['eval', idx, '--beir', BEIR, '--limit', '8', '--configs', 'sparse,all,dense', '--weights', '1,1,1', '--json', b]);
    expect(rb.code, rb.err).toBe(0);
    const a = join(dir, 'a.json');
    const r = await cli(['eval', '--compare', a, b]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`A = ${a}`);
    expect(r.out).toContain(`B = ${b}`);
    const names = r.out
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| config'))
      .map((l) => l.split('|')[1]!.trim());
    expect(names).toEqual(['dense', 'sparse', 'all']);
    expect(r.out).toContain('only in A (not compared): multivector, dense+sparse, all-rrf');
  }, 120_000);
});

describe('trident search', () => {
  it('--verbose reports model load and index open time on stderr', async () => {
    const r = await cli(['search', idx, 'vitamin D deficiency', '--k', '2', '--verbose', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/model static-en \(bge-m3-fp32-[0-9a-f]+\) loaded in \d+\.\d+ s/);
    expect(r.err).toMatch(/index .* \(500 documents\) opened in \d+\.\d+ s, rss \d+ MB/);
    expect(JSON.parse(r.out)).toHaveLength(2);
  }, 60_000);
});
