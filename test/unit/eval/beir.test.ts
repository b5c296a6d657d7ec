import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, EvalDataError, loadBeir, readJsonl, type LineIssue } from '../../../src/eval/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trident-eval-beir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
async function makeSet(files: { corpus?: string; queries?: string; qrels?: string }): Promise<string> {
  const dir = join(root, `set${n++}`);
  await mkdir(join(dir, 'qrels'), { recursive: true });
  await writeFile(join(dir, 'corpus.jsonl'), files.corpus ?? '{"_id":"d1","title":"T1","text":"one"}\n{"_id":"d2","title":"","text":"two"}\n{"_id":"d3","text":"three"}\n');
  await writeFile(join(dir, 'queries.jsonl'), files.queries ?? '{"_id":"q1","text":"first"}\n{"_id":"q2","text":"second"}\n{"_id":"q3","text":"unjudged"}\n');
  await writeFile(join(dir, 'qrels', 'test.tsv'), files.qrels ?? 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq2\td3\t1\n');
  return dir;
}

async function rejects(p: Promise<unknown>): Promise<EvalDataError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EvalDataError);
    return e as EvalDataError;
  }
  throw new Error('expected a rejection');
}

describe('loadBeir', () => {
  it('loads corpus, queries and graded qrels and reports the judged set', async () => {
    const ds = await loadBeir(await makeSet({}));
    expect(ds.corpus.size).toBe(3);
    expect(ds.corpus.get('d1')).toEqual({ title: 'T1', text: 'one' });
    expect(ds.corpus.get('d3')).toEqual({ title: '', text: 'three' });
    expect(ds.queries.get('q2')).toBe('second');
    expect([...ds.qrels.keys()]).toEqual(['q1', 'q2']);
    expect(ds.qrels.get('q1')).toEqual(
      new Map([
        ['d1', 2],
        ['d2', 0],
      ]),
    );
    expect(ds.report.judgedQueries).toBe(2);
    expect(ds.report.unjudgedQueries).toBe(1);
    expect(ds.report.queriesWithoutRelevant).toBe(0);
  });

  it('accepts CRLF, a BOM and blank lines; numeric _id becomes a string', async () => {
    const ds = await loadBeir(await makeSet({ corpus: '\uFEFF{"_id":7,"text":"seven"}\r\n\r\n{"_id":"d2","text":"x"}\r\n', qrels: 'query-id\tcorpus-id\tscore\r\nq1\t7\t1\r\n' }));
    expect([...ds.corpus.keys()]).toEqual(['7', 'd2']);
    expect(ds.qrels.get('q1')!.get('7')).toBe(1);
  });

  it('malformed JSONL is fatal by default with PARSE_ERROR naming file:line', async () => {
    const dir = await makeSet({ corpus: '{"_id":"d1","text":"ok"}\n{"_id":"d2","text":\n{"_id":"d3","text":"ok"}\n' });
    const e = await rejects(loadBeir(dir));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.file).toBe(join(dir, 'corpus.jsonl'));
    expect(e.line).toBe(2);
    expect(e.message).toContain('corpus.jsonl:2');
  });

  it("onError: 'skip' skips malformed lines and reports each with file and line", async () => {
    const dir = await makeSet({
      corpus: '{"_id":"d1","text":"ok"}\n[1,2]\n{"_id":"d2"}\n{"_id":"d3","text":"ok"}\n',
      qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td3\tx\nq2\td3\t1\tEXTRA\nq2\td3\t1\n',
    });
    const ds = await loadBeir(dir, { onError: 'skip' });
    expect([...ds.corpus.keys()]).toEqual(['d1', 'd3']);
    expect(ds.report.skippedLines.map((i) => `${i.file.slice(dir.length + 1)}:${i.line}`)).toEqual(['corpus.jsonl:2', 'corpus.jsonl:3', 'qrels/test.tsv:3', 'qrels/test.tsv:4']);
    expect(ds.qrels.get('q2')!.get('d3')).toBe(1);
  });

  it('a missing or wrong qrels header is a PARSE_ERROR', async () => {
    const e = await rejects(loadBeir(await makeSet({ qrels: 'q1\td1\t1\n' })));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.line).toBe(1);
  });

  it('non-integer grades are malformed lines', async () => {
    const e = await rejects(loadBeir(await makeSet({ qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t0.5\n' })));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.line).toBe(2);
  });

  it('duplicate corpus ids, query ids and qrels pairs are DUPLICATE_ID, or kept-first and reported', async () => {
    const dupCorpus = await makeSet({ corpus: '{"_id":"d1","text":"a"}\n{"_id":"d1","text":"b"}\n{"_id":"d2","text":"c"}\n{"_id":"d3","text":"c"}\n' });
    const e = await rejects(loadBeir(dupCorpus));
    expect(e.code).toBe('DUPLICATE_ID');
    expect(e.line).toBe(2);
    const ds = await loadBeir(dupCorpus, { onDuplicate: 'keepFirst' });
    expect(ds.corpus.get('d1')!.text).toBe('a');
    expect(ds.report.duplicates).toEqual([{ file: join(dupCorpus, 'corpus.jsonl'), line: 2, id: 'd1' }]);

    const dupQuery = await makeSet({ queries: '{"_id":"q1","text":"a"}\n{"_id":"q2","text":"b"}\n{"_id":"q1","text":"c"}\n' });
    expect((await rejects(loadBeir(dupQuery))).code).toBe('DUPLICATE_ID');

    const dupPair = await makeSet({ qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t2\n' });
    const e2 = await rejects(loadBeir(dupPair));
    expect(e2.code).toBe('DUPLICATE_ID');
    expect(e2.line).toBe(3);
  });

  it('qrels naming unknown ids: UNKNOWN_ID with counts by default; keep/drop report the counts', async () => {
    const dir = await makeSet({ qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tghost\t1\nqX\td1\t1\nqX\td2\t1\nq2\td3\t1\n' });
    const e = await rejects(loadBeir(dir));
    expect(e.code).toBe('UNKNOWN_ID');
    expect(e.message).toContain('2 lines name unknown query ids (e.g. qX)');
    expect(e.message).toContain('1 lines name unknown corpus ids (e.g. ghost)');

    const kept = await loadBeir(dir, { onUnknownId: 'keep' });
    expect(kept.qrels.get('q1')).toEqual(
      new Map([
        ['d1', 1],
        ['ghost', 1],
      ]),
    );
    expect(kept.qrels.has('qX')).toBe(false);
    expect(kept.report.unknownQueryIds).toEqual({ count: 2, sample: ['qX'] });
    expect(kept.report.unknownCorpusIds).toEqual({ count: 1, sample: ['ghost'] });

    const dropped = await loadBeir(dir, { onUnknownId: 'drop' });
    expect(dropped.qrels.get('q1')).toEqual(new Map([['d1', 1]]));
    expect(dropped.report.unknownCorpusIds.count).toBe(1);
  });

  it('no judged query, or an empty corpus, is a typed error', async () => {
    const e = await rejects(loadBeir(await makeSet({ qrels: 'query-id\tcorpus-id\tscore\n' })));
    expect(e.code).toBe('EMPTY_DATA');
    expect(e.message).toContain('no query has judgements');
    const e2 = await rejects(loadBeir(await makeSet({ queries: '\n' })));
    expect(e2.code).toBe('UNKNOWN_ID'); // qrels now name unknown queries
    const e3 = await rejects(loadBeir(await makeSet({ corpus: '' })));
    expect(e3.code).toBe('EMPTY_DATA');
  });

  it('a missing directory is an IO_ERROR', async () => {
    const e = await rejects(loadBeir(join(root, 'nope')));
    expect(e.code).toBe('IO_ERROR');
  });

  it('counts judged queries without any relevant doc', async () => {
    const ds = await loadBeir(await makeSet({ qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t0\nq2\td3\t1\n' }));
    expect(ds.report.queriesWithoutRelevant).toBe(1);
  });

  it('rejects bad options with INVALID_ARGUMENT', async () => {
    await expect(loadBeir(await makeSet({}), { onError: 'ignore' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('readJsonl streaming', () => {
  it('yields objects with line numbers and records skipped lines', async () => {
    const f = join(root, 'x.jsonl');
    await writeFile(f, '{"a":1}\nnot json\n\n"str"\n{"a":2}\n');
    const issues: LineIssue[] = [];
    const got: Array<[number, unknown]> = [];
    for await (const { line, value } of readJsonl(f, { onError: 'skip', issues })) got.push([line, value.a]);
    expect(got).toEqual([
      [1, 1],
      [5, 2],
    ]);
    expect(issues.map((i) => i.line)).toEqual([2, 4]);
  });
});

describe('createDataset', () => {
  it('applies the same checks to in-memory rows', async () => {
    const ds = await createDataset({
      name: 'toy',
      corpus: [{ _id: 'd1', text: 'a' }],
      queries: [{ _id: 'q1', text: 'a' }],
      qrels: [{ queryId: 'q1', docId: 'd1', score: 1 }],
    });
    expect(ds.name).toBe('toy');
    expect(ds.qrels.get('q1')!.get('d1')).toBe(1);
    await expect(
      createDataset({
        name: 'toy',
        corpus: [
          { _id: 'd1', text: 'a' },
          { _id: 'd1', text: 'b' },
        ],
        queries: [{ _id: 'q1', text: 'a' }],
        qrels: [{ queryId: 'q1', docId: 'd1', score: 1 }],
      }),
    ).rejects.toMatchObject({ code: 'DUPLICATE_ID', line: 2, file: 'toy/corpus' });
  });
});
