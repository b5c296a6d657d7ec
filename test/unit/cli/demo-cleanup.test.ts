import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The demo imports the built package ('trident' → dist/), as a user's script would.
const ROOT = resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'trident-demo-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the demo with its own TMPDIR; `until` (if given) sends SIGINT once stdout matches it. */
function demo(tmp: string, corpus: string, until?: RegExp): Promise<{ code: number | null; signal: string | null; out: string; err: string; sawTmp: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/demo.ts')], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, TRIDENT_DEMO_CORPUS: corpus } });
    let out = '',
      err = '',
      sawTmp = false,
      sent = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (until && !sent && until.test(out)) {
        sawTmp = readdirSync(tmp).some((n) => n.startsWith('trident-demo-'));
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('close', (code, signal) => done({ code, signal, out, err, sawTmp }));
  });
}

describe('the demo leaves no temporary index behind', () => {
  it('after a normal run, which ends with one line per mode against BM25', async () => {
    const tmp = join(root, 'tmp-ok');
    mkdirSync(tmp);
    const r = await demo(tmp, join(ROOT, 'examples/data/scifact-500'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^model static-en \(builtin:static-en/m);
    expect(r.out).not.toMatch(/<\/s>↔|\.↔\./);
    expect(r.out).toContain('all (RRF) fuses the same');
    const lines = r.out.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^done in \d+\.\d s$/);
    const verdicts = lines.slice(-8, -1);
    for (const [i, mode] of ['dense', 'sparse (learned weights)', 'multivector (re-rank)', 'dense+sparse', 'all (M3 weighted)', 'all (RRF)', 'hybrid (default: all + bm25)'].entries()) {
      expect(verdicts[i]).toMatch(new RegExp(`^  ${mode.replace(/[()+]/g, '\\$&')}\\s+Δ nDCG@10 [+−]\\d\\.\\d{4} \\(p [<=] [\\d.]+\\), wins/losses \\d+/\\d+ \\(\\d+ ties\\) → `));
    }
    expect(r.err).toContain('indexing: 500/500 (100%)');
    expect(readdirSync(tmp).filter((n) => n.startsWith('trident-demo-'))).toEqual([]);
  }, 180_000);

  it('on an error (a malformed corpus)', async () => {
    const tmp = join(root, 'tmp-error');
    mkdirSync(tmp);
    const corpus = join(root, 'broken');
    mkdirSync(join(corpus, 'qrels'), { recursive: true });
    writeFileSync(join(corpus, 'corpus.jsonl'), '{"_id":"d1","text":"x"}\n{not json\n');
    writeFileSync(join(corpus, 'queries.jsonl'), '{"_id":"q1","text":"x"}\n');
    writeFileSync(join(corpus, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
    const r = await demo(tmp, corpus);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('PARSE_ERROR');
    expect(readdirSync(tmp).filter((n) => n.startsWith('trident-demo-'))).toEqual([]);
  }, 120_000);

  it('on Ctrl-C (SIGINT) while indexing', async () => {
    const tmp = join(root, 'tmp-sigint');
    mkdirSync(tmp);
    const r = await demo(tmp, join(ROOT, 'examples/data/scifact-500'), /^corpus /m);
    expect(r.sawTmp).toBe(true); // the index folder existed when the signal came
    expect(r.code).toBe(130);
    expect(readdirSync(tmp).filter((n) => n.startsWith('trident-demo-'))).toEqual([]);
  }, 120_000);
});
