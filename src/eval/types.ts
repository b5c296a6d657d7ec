/**
 * Shared types of the evaluation harness: what it evaluates ({@link Retriever}),
 * what it evaluates on ({@link Dataset}) and what a run is ({@link Run}).
 */
import type { LineIssue } from '../store/jsonl.js';

/**
 * One retrieved document: an external id and the retriever's score (higher is better).
 *
 * @example
 * ```ts
 * const h: Hit = { id: 'doc-17', score: 12.5 };
 * ```
 */
export interface Hit {
  id: string;
  score: number;
}

/**
 * Anything the harness can evaluate: given a query text, return up to `k`
 * hits. Order does not matter to the metrics: like trec_eval, the harness
 * re-sorts by score (descending), breaking ties by id (descending). Which of
 * several docs tied at the k-th place are returned is the retriever's choice.
 *
 * @example
 * ```ts
 * const retriever: Retriever = { async search(q, k) { return index.search(q, { k }); } };
 * ```
 */
export interface Retriever {
  search(query: string, k: number): Promise<ReadonlyArray<Hit>>;
}

/**
 * A document of a BEIR corpus.
 *
 * @example
 * ```ts
 * const d: CorpusDoc = { title: 'A title', text: 'Body text' };
 * ```
 */
export interface CorpusDoc {
  title: string;
  text: string;
}

/**
 * Relevance judgements: query id → (doc id → integer grade). Grades ≥ 1 are relevant; 0 is judged non-relevant.
 *
 * @example
 * ```ts
 * const qrels: Qrels = new Map([['q1', new Map([['d1', 2], ['d7', 0]])]]);
 * ```
 */
export type Qrels = Map<string, Map<string, number>>;

/**
 * A run: query id → hits (in any order; see {@link Retriever}).
 *
 * @example
 * ```ts
 * const run: Run = new Map([['q1', [{ id: 'd1', score: 3.2 }]]]);
 * ```
 */
export type Run = Map<string, ReadonlyArray<Hit>>;

/**
 * A count of problem ids plus up to 10 examples.
 *
 * @example
 * ```ts
 * const { count, sample } = ds.report.unknownCorpusIds;
 * ```
 */
export interface IdSample {
  count: number;
  sample: string[];
}

/**
 * What the loader saw and did, so no problem with the data goes unnoticed.
 *
 * @example
 * ```ts
 * const { skippedLines, duplicates, unknownCorpusIds } = (await loadBeir(dir, { onError: 'skip' })).report;
 * ```
 */
export interface LoadReport {
  /** Malformed lines skipped under `onError: 'skip'`. */
  skippedLines: LineIssue[];
  /** Duplicate corpus/query ids and duplicate (query, doc) qrels pairs dropped under `onDuplicate: 'keepFirst'`. */
  duplicates: Array<{ file: string; line: number; id: string }>;
  /** Qrels lines naming a query id absent from the queries file (always dropped: there is no text to run). */
  unknownQueryIds: IdSample;
  /** Qrels lines naming a doc id absent from the corpus (kept or dropped per `onUnknownId`). */
  unknownCorpusIds: IdSample;
  /** Number of queries that have at least one qrels line (the evaluated set). */
  judgedQueries: number;
  /** Queries in the queries file without any qrels line (not evaluated). */
  unjudgedQueries: number;
  /** Judged queries whose qrels contain no grade ≥ 1 (they score 0 on every metric, as in trec_eval). */
  queriesWithoutRelevant: number;
}

/**
 * A loaded evaluation collection. `qrels` only holds queries present in
 * `queries`; the evaluated query set is `qrels.keys()`.
 *
 * @example
 * ```ts
 * const ds: Dataset = await loadBeir('/work/shared/data/dev/scifact');
 * for (const [qid, judged] of ds.qrels) console.log(qid, ds.queries.get(qid), judged.size);
 * ```
 */
export interface Dataset {
  name: string;
  corpus: Map<string, CorpusDoc>;
  queries: Map<string, string>;
  qrels: Qrels;
  report: LoadReport;
}
