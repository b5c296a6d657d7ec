import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonl } from '../../../src/store/jsonl.js';
import { DataFileError } from '../../../src/errors.js';
import { EvalDataError } from '../../../src/eval/index.js';
import { readCorpus } from '../../../src/cli/corpus.js';
import { readCorpusJsonl, readPairsJsonl } from '../../../src/train/data/jsonl.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trident-jsonl-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const f = join(root, name);
  await writeFile(f, text);
  return f;
}

async function failure(p: Promise<unknown>): Promise<DataFileError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DataFileError);
    return e as DataFileError;
  }
  throw new Error('expected a DataFileError');
}

const collect = async (f: string) => {
  const out: Array<[number, unknown]> = [];
  for await (const { line, value } of readJsonl(f)) out.push([line, value]);
  return out;
};

describe('readJsonl (the one JSONL reader)', () => {
  it('yields objects with 1-based line numbers; skips blank lines; strips a BOM; accepts CRLF', async () => {
    const f = await file('ok.jsonl', '\ufeff{"a":1}\r\n\r\n  \n{"a":"x\\ny"}\r\n{"a":3}');
    expect(await collect(f)).toEqual([
      [1, { a: 1 }],
      [4, { a: 'x\ny' }],
      [5, { a: 3 }],
    ]);
  });

  it('throws PARSE_ERROR naming the file and line, for bad JSON and for non-objects', async () => {
    const bad = await file('bad.jsonl', '{"a":1}\n\n{"a":\n');
    const e = await failure(collect(bad));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.file).toBe(bad);
    expect(e.line).toBe(3);
    expect(e.message).toContain(`${bad}:3: invalid JSON`);
    for (const v of ['[1,2]', '"s"', 'null', '7']) {
      const f = await file('nonobj.jsonl', `{"a":1}\n${v}\n`);
      const err = await failure(collect(f));
      expect([err.code, err.line, err.message.includes('expected a JSON object')]).toEqual(['PARSE_ERROR', 2, true]);
    }
    // the eval harness's error class is the same class
    expect(e).toBeInstanceOf(EvalDataError);
  });

  it('names the expected format when the caller gives a hint', async () => {
    const f = await file('hint.jsonl', 'oops\n');
    const e = await failure(
      (async () => {
        for await (const _ of readJsonl(f, { hint: 'one {"query","positive"} per line' })) {
          /* drain */
        }
      })(),
    );
    expect(e.message).toMatch(/hint\.jsonl:1: invalid JSON .*\(one \{"query","positive"\} per line\)$/);
  });

  it('streams: a caller that stops early never reads (or parses) the lines after', async () => {
    const f = await file('lazy.jsonl', '{"i":1}\n{"i":2}\nTHIS IS NOT JSON\n');
    const got: unknown[] = [];
    for await (const { value } of readJsonl(f)) {
      got.push(value.i);
      if (got.length === 2) break;
    }
    expect(got).toEqual([1, 2]);
  });

  it('reads 200,000 lines in order, each with its number', async () => {
    const n = 200_000;
    const f = await file('big.jsonl', `${Array.from({ length: n }, (_, i) => JSON.stringify({ _id: String(i), text: 'x'.repeat(20) })).join('\n')}\n`);
    let count = 0,
      last = -1;
    for await (const { line, value } of readJsonl(f)) {
      count++;
      last = line;
      expect(value._id).toBe(String(line - 1));
    }
    expect([count, last]).toEqual([n, n]);
  });

  it('IO_ERROR for a missing file or a directory', async () => {
    expect((await failure(collect(join(root, 'missing.jsonl')))).code).toBe('IO_ERROR');
    const e = await failure(collect(root));
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toContain('is not a file');
  });
});

describe('the callers use it: trident index, train-static, eval', () => {
  it('trident index: PARSE_ERROR with file:line, and --limit stops reading', async () => {
    const f = await file('corpus.jsonl', '{"_id":"a","text":"one"}\n{"id":2,"title":"T","text":"two","year":2020}\n{"_id":"c"}\n');
    const e = await failure(readCorpus(f));
    expect([e.code, e.line]).toEqual(['PARSE_ERROR', 3]);
    expect(e.message).toContain(`${f}:3: "text" must be a string`);
    const docs = await readCorpus(f, 2); // the bad third line is never read
    expect(docs).toEqual([
      { id: 'a', text: 'one', metadata: {} },
      { id: 2, text: 'T two', metadata: { title: 'T', year: 2020 } },
    ]);
    const noId = await file('noid.jsonl', '{"text":"x"}\n');
    expect((await failure(readCorpus(noId))).message).toContain(':1: no "_id" or "id"');
    const broken = await file('broken.jsonl', '{"_id":"a","text":"one"}\n{bad\n');
    expect((await failure(readCorpus(broken))).line).toBe(2);
  });

  it('train-static: pairs and corpus lines, PARSE_ERROR with file:line and the format', async () => {
    const pairs = await file('pairs.jsonl', '{"query":"q1","positive":"p1"}\n{"q":"q2","p":"p2"}\n{"anchor":"q3","passage":"p3"}\n');
    expect((await readPairsJsonl(pairs)).map((p) => [p.q, p.p])).toEqual([
      ['q1', 'p1'],
      ['q2', 'p2'],
      ['q3', 'p3'],
    ]);
    const badPair = await file('badpair.jsonl', '{"query":"q1","positive":"p1"}\n{"query":"q2"}\n');
    const e = await failure(readPairsJsonl(badPair));
    expect([e.code, e.line]).toEqual(['PARSE_ERROR', 2]);
    expect(e.message).toContain('{"query": "…", "positive": "…"}');
    const notJson = await file('notjson.jsonl', '{"query":"q1","positive":"p1"}\n{query: q2}\n');
    expect((await failure(readPairsJsonl(notJson))).line).toBe(2);
    const corpus = await file('tc.jsonl', '{"title":"T","text":"body"}\n{"text":""}\n');
    expect((await failure(readCorpusJsonl(corpus))).line).toBe(2);
  });
});
