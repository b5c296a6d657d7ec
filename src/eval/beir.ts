/**
 * BEIR-layout collections: `corpus.jsonl` (`_id`, `title`, `text`),
 * `queries.jsonl` (`_id`, `text`) and `qrels/<split>.tsv` (header
 * `query-id corpus-id score`, integer grades). Every problem is either fatal
 * (typed error) or counted in {@link LoadReport}; nothing is dropped silently.
 */
import { basename, join } from 'node:path';
import { invalid } from '../errors.js';
import { EvalDataError } from './errors.js';
import { lineProblem, readJsonl, readLines, type LineIssue, type OnError } from '../store/jsonl.js';
import type { CorpusDoc, Dataset, IdSample, LoadReport, Qrels } from './types.js';

/**
 * Options of {@link loadBeir} and {@link createDataset}.
 *
 * @example
 * ```ts
 * const ds = await loadBeir(dir, { onError: 'skip', onDuplicate: 'keepFirst', onUnknownId: 'keep' });
 * ```
 */
export interface LoadOptions {
  /** Malformed lines: `'fail'` (default) throws `PARSE_ERROR` naming file:line; `'skip'` skips and reports them. */
  onError?: OnError;
  /** Duplicate corpus/query ids or (query, doc) qrels pairs: `'fail'` (default) throws `DUPLICATE_ID`; `'keepFirst'` keeps the first and reports the rest. */
  onDuplicate?: 'fail' | 'keepFirst';
  /**
   * Qrels naming ids absent from the corpus or queries: `'fail'` (default) throws `UNKNOWN_ID`
   * with counts; `'keep'` keeps judgements of unknown docs (they still count as relevant, as in
   * trec_eval, so recall can never reach 1) and drops unknown queries; `'drop'` drops both.
   * Counts and examples are always in `report`.
   */
  onUnknownId?: 'fail' | 'keep' | 'drop';
  /** Qrels split file name without `.tsv` (default `'test'`). */
  split?: string;
  /** Data set name (default: the directory's base name). */
  name?: string;
}

const SAMPLE = 10;

interface Row<T> {
  line: number;
  value: T;
}

/**
 * In-memory input of {@link createDataset}.
 *
 * @example
 * ```ts
 * const input: DatasetInput = { name: 'toy', corpus: [{ _id: 'd1', text: 'x' }], queries: [{ _id: 'q1', text: 'x' }], qrels: [{ queryId: 'q1', docId: 'd1', score: 1 }] };
 * ```
 */
export interface DatasetInput {
  name: string;
  corpus: Iterable<{ _id: string; title?: string; text: string }>;
  queries: Iterable<{ _id: string; text: string }>;
  qrels: Iterable<{ queryId: string; docId: string; score: number }>;
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function newReport(): LoadReport {
  return {
    skippedLines: [],
    duplicates: [],
    unknownQueryIds: { count: 0, sample: [] },
    unknownCorpusIds: { count: 0, sample: [] },
    judgedQueries: 0,
    unjudgedQueries: 0,
    queriesWithoutRelevant: 0,
  };
}

function duplicate(file: string, line: number, id: string, what: string, opts: LoadOptions, report: LoadReport): void {
  if ((opts.onDuplicate ?? 'fail') === 'fail') {
    throw new EvalDataError('DUPLICATE_ID', `${file}:${line}: duplicate ${what} '${id}' (remove the duplicate, or load with onDuplicate: 'keepFirst')`, { file, line });
  }
  report.duplicates.push({ file, line, id });
}

function note(sample: IdSample, id: string): void {
  sample.count++;
  if (sample.sample.length < SAMPLE && !sample.sample.includes(id)) sample.sample.push(id);
}

async function collect<T>(it: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* corpusRows(file: string, opts: LoadOptions, issues: LineIssue[]): AsyncGenerator<Row<{ id: string; doc: CorpusDoc }>> {
  for await (const { line, value } of readJsonl(file, { onError: opts.onError, issues })) {
    const id = idOf(value._id);
    const title = value.title ?? '';
    if (id === undefined) lineProblem(file, line, "missing or empty '_id'", { onError: opts.onError, issues });
    else if (typeof value.text !== 'string') lineProblem(file, line, "'text' must be a string", { onError: opts.onError, issues });
    else if (typeof title !== 'string') lineProblem(file, line, "'title' must be a string when present", { onError: opts.onError, issues });
    else yield { line, value: { id, doc: { title, text: value.text } } };
  }
}

async function* queryRows(file: string, opts: LoadOptions, issues: LineIssue[]): AsyncGenerator<Row<{ id: string; text: string }>> {
  for await (const { line, value } of readJsonl(file, { onError: opts.onError, issues })) {
    const id = idOf(value._id);
    if (id === undefined) lineProblem(file, line, "missing or empty '_id'", { onError: opts.onError, issues });
    else if (typeof value.text !== 'string') lineProblem(file, line, "'text' must be a string", { onError: opts.onError, issues });
    else yield { line, value: { id, text: value.text } };
  }
}

const INT = /^-?\d+$/;

async function* qrelsRows(file: string, opts: LoadOptions, issues: LineIssue[]): AsyncGenerator<Row<{ queryId: string; docId: string; score: number }>> {
  const o = { onError: opts.onError, issues };
  let sawHeader = false;
  for await (const { line, text } of readLines(file)) {
    const cols = text.split('\t').map((c) => c.trim());
    if (!sawHeader) {
      sawHeader = true;
      if (cols.length === 3 && cols[0] === 'query-id' && cols[1] === 'corpus-id' && cols[2] === 'score') continue;
      throw new EvalDataError('PARSE_ERROR', `${file}:${line}: expected the BEIR header 'query-id<TAB>corpus-id<TAB>score', got '${text.slice(0, 80)}'`, { file, line });
    }
    if (cols.length !== 3 || cols[0] === '' || cols[1] === '') {
      lineProblem(file, line, `expected 3 tab-separated columns (query-id, corpus-id, score), got ${cols.length}`, o);
    } else if (!INT.test(cols[2]!)) {
      lineProblem(file, line, `score '${cols[2]}' is not an integer grade`, o);
    } else {
      yield { line, value: { queryId: cols[0]!, docId: cols[1]!, score: Number.parseInt(cols[2]!, 10) } };
    }
  }
  if (!sawHeader) throw new EvalDataError('PARSE_ERROR', `${file}: empty qrels file (expected a header and judgements)`, { file });
}

interface Sources {
  name: string;
  files: { corpus: string; queries: string; qrels: string };
  corpus: AsyncIterable<Row<{ id: string; doc: CorpusDoc }>> | Iterable<Row<{ id: string; doc: CorpusDoc }>>;
  queries: AsyncIterable<Row<{ id: string; text: string }>> | Iterable<Row<{ id: string; text: string }>>;
  qrels: AsyncIterable<Row<{ queryId: string; docId: string; score: number }>> | Iterable<Row<{ queryId: string; docId: string; score: number }>>;
}

async function assemble(src: Sources, opts: LoadOptions, report: LoadReport): Promise<Dataset> {
  const { files } = src;
  const corpus = new Map<string, CorpusDoc>();
  for (const { line, value } of await collect(src.corpus)) {
    if (corpus.has(value.id)) duplicate(files.corpus, line, value.id, 'corpus id', opts, report);
    else corpus.set(value.id, value.doc);
  }
  if (corpus.size === 0) throw new EvalDataError('EMPTY_DATA', `${files.corpus}: the corpus is empty; give a corpus.jsonl with at least one document`, { file: files.corpus });
  const queries = new Map<string, string>();
  for (const { line, value } of await collect(src.queries)) {
    if (queries.has(value.id)) duplicate(files.queries, line, value.id, 'query id', opts, report);
    else queries.set(value.id, value.text);
  }
  const qrels: Qrels = new Map();
  const policy = opts.onUnknownId ?? 'fail';
  for (const { line, value } of await collect(src.qrels)) {
    const { queryId, docId, score } = value;
    if (!queries.has(queryId)) {
      note(report.unknownQueryIds, queryId);
      continue;
    }
    const unknownDoc = !corpus.has(docId);
    if (unknownDoc) note(report.unknownCorpusIds, docId);
    if (unknownDoc && policy !== 'keep') continue;
    let judged = qrels.get(queryId);
    if (judged === undefined) {
      judged = new Map();
      qrels.set(queryId, judged);
    }
    if (judged.has(docId)) duplicate(files.qrels, line, `${queryId} ${docId}`, '(query-id, corpus-id) pair', opts, report);
    else judged.set(docId, score);
  }
  const unk = report.unknownQueryIds.count + report.unknownCorpusIds.count;
  if (policy === 'fail' && unk > 0) {
    const parts: string[] = [];
    const { unknownQueryIds: q, unknownCorpusIds: c } = report;
    if (q.count > 0) parts.push(`${q.count} lines name unknown query ids (e.g. ${q.sample.join(', ')})`);
    if (c.count > 0) parts.push(`${c.count} lines name unknown corpus ids (e.g. ${c.sample.join(', ')})`);
    throw new EvalDataError('UNKNOWN_ID', `${files.qrels}: ${parts.join('; ')}. Fix the data, or load with onUnknownId: 'keep' | 'drop'`, { file: files.qrels });
  }
  if (qrels.size === 0) {
    throw new EvalDataError('EMPTY_DATA', `${files.qrels}: no query has judgements (${queries.size} queries loaded); nothing can be evaluated`, { file: files.qrels });
  }
  report.judgedQueries = qrels.size;
  report.unjudgedQueries = queries.size - qrels.size;
  for (const judged of qrels.values()) {
    if (![...judged.values()].some((g) => g >= 1)) report.queriesWithoutRelevant++;
  }
  return { name: src.name, corpus, queries, qrels, report };
}

/**
 * Loads a BEIR-layout collection from `dir`. See {@link LoadOptions} for how
 * malformed lines, duplicates and unknown ids are handled (all fatal by default).
 * Throws {@link EvalDataError} with code `IO_ERROR`, `PARSE_ERROR`,
 * `DUPLICATE_ID`, `UNKNOWN_ID`, or `EMPTY_DATA` (empty corpus, no judged query).
 *
 * @example
 * ```ts
 * const ds = await loadBeir('/work/shared/data/dev/scifact');
 * console.log(ds.qrels.size, ds.report.queriesWithoutRelevant);
 * ```
 */
export async function loadBeir(dir: string, opts: LoadOptions = {}): Promise<Dataset> {
  checkOptions(opts);
  const files = {
    corpus: join(dir, 'corpus.jsonl'),
    queries: join(dir, 'queries.jsonl'),
    qrels: join(dir, 'qrels', `${opts.split ?? 'test'}.tsv`),
  };
  const report = newReport();
  const issues = report.skippedLines;
  return assemble(
    {
      name: opts.name ?? basename(dir),
      files,
      corpus: corpusRows(files.corpus, opts, issues),
      queries: queryRows(files.queries, opts, issues),
      qrels: qrelsRows(files.qrels, opts, issues),
    },
    opts,
    report,
  );
}

/**
 * Builds a {@link Dataset} from in-memory rows with the same checks as
 * {@link loadBeir} (row numbers stand in for line numbers; file names are
 * `<name>/corpus`, `<name>/queries`, `<name>/qrels`).
 *
 * @example
 * ```ts
 * const ds = await createDataset({
 *   name: 'toy',
 *   corpus: [{ _id: 'd1', text: 'red apple' }, { _id: 'd2', text: 'green pear' }],
 *   queries: [{ _id: 'q1', text: 'apple' }],
 *   qrels: [{ queryId: 'q1', docId: 'd1', score: 1 }],
 * });
 * ```
 */
export async function createDataset(input: DatasetInput, opts: LoadOptions = {}): Promise<Dataset> {
  checkOptions(opts);
  const name = input.name;
  const files = { corpus: `${name}/corpus`, queries: `${name}/queries`, qrels: `${name}/qrels` };
  const report = newReport();
  const o = { onError: opts.onError, issues: report.skippedLines };
  const corpus: Row<{ id: string; doc: CorpusDoc }>[] = [];
  let n = 0;
  for (const d of input.corpus) {
    n++;
    const id = idOf(d._id);
    if (id === undefined || typeof d.text !== 'string') lineProblem(files.corpus, n, "needs a non-empty '_id' and a string 'text'", o);
    else corpus.push({ line: n, value: { id, doc: { title: d.title ?? '', text: d.text } } });
  }
  const queries: Row<{ id: string; text: string }>[] = [];
  n = 0;
  for (const q of input.queries) {
    n++;
    const id = idOf(q._id);
    if (id === undefined || typeof q.text !== 'string') lineProblem(files.queries, n, "needs a non-empty '_id' and a string 'text'", o);
    else queries.push({ line: n, value: { id, text: q.text } });
  }
  const qrels: Row<{ queryId: string; docId: string; score: number }>[] = [];
  n = 0;
  for (const r of input.qrels) {
    n++;
    if (!idOf(r.queryId) || !idOf(r.docId) || !Number.isInteger(r.score)) {
      lineProblem(files.qrels, n, 'needs non-empty queryId/docId and an integer score', o);
    } else qrels.push({ line: n, value: { queryId: String(r.queryId), docId: String(r.docId), score: r.score } });
  }
  return assemble({ name, files, corpus, queries, qrels }, opts, report);
}

function checkOptions(opts: LoadOptions): void {
  if (opts.onError !== undefined && opts.onError !== 'fail' && opts.onError !== 'skip') {
    invalid('INVALID_ARGUMENT', `onError must be 'fail' or 'skip', got '${String(opts.onError)}'`);
  }
  if (opts.onDuplicate !== undefined && opts.onDuplicate !== 'fail' && opts.onDuplicate !== 'keepFirst') {
    invalid('INVALID_ARGUMENT', `onDuplicate must be 'fail' or 'keepFirst', got '${String(opts.onDuplicate)}'`);
  }
  if (opts.onUnknownId !== undefined && !['fail', 'keep', 'drop'].includes(opts.onUnknownId)) {
    invalid('INVALID_ARGUMENT', `onUnknownId must be 'fail', 'keep' or 'drop', got '${String(opts.onUnknownId)}'`);
  }
}

/**
 * Reads a BEIR qrels TSV on its own (header `query-id corpus-id score`, integer
 * grades), without checking ids against a corpus. Malformed lines and duplicate
 * (query, doc) pairs follow `onError` / `onDuplicate` as in {@link loadBeir}.
 *
 * @example
 * ```ts
 * const qrels = await loadQrels('/work/shared/data/dev/scifact/qrels/test.tsv');
 * ```
 */
export async function loadQrels(file: string, opts: Pick<LoadOptions, 'onError' | 'onDuplicate'> & { report?: LoadReport } = {}): Promise<Qrels> {
  checkOptions(opts);
  const report = opts.report ?? newReport();
  const qrels: Qrels = new Map();
  for await (const { line, value } of qrelsRows(file, opts, report.skippedLines)) {
    let judged = qrels.get(value.queryId);
    if (judged === undefined) {
      judged = new Map();
      qrels.set(value.queryId, judged);
    }
    if (judged.has(value.docId)) duplicate(file, line, `${value.queryId} ${value.docId}`, '(query-id, corpus-id) pair', opts, report);
    else judged.set(value.docId, value.score);
  }
  if (qrels.size === 0) throw new EvalDataError('EMPTY_DATA', `${file}: no judgements; give a qrels TSV with at least one query-id, corpus-id, score line`, { file });
  return qrels;
}
