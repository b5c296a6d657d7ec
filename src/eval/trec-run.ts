/**
 * TREC run files (`qid Q0 docno rank score tag`, whitespace-separated), so runs
 * made elsewhere (Anserini, Pyserini, a Python script) can be scored and compared.
 */
import { writeFile } from 'node:fs/promises';
import { EvalDataError } from './errors.js';
import { lineProblem, readLines, type LineIssue, type OnError } from '../store/jsonl.js';
import { rankHits } from './metrics.js';
import type { Hit, Run } from './types.js';

/**
 * Options of {@link loadTrecRun}.
 *
 * @example
 * ```ts
 * await loadTrecRun('run.trec', { onError: 'skip', issues: [] });
 * ```
 */
export interface LoadRunOptions {
  /** Malformed lines: `'fail'` (default, `PARSE_ERROR` naming file:line) or `'skip'` (recorded in `issues`). */
  onError?: OnError;
  /** Receives skipped lines. */
  issues?: LineIssue[];
}

/**
 * Reads a TREC run. The rank column is ignored (metrics re-rank by score, as
 * trec_eval does). A document listed twice for a query is a `DUPLICATE_ID`
 * error, as trec_eval refuses such runs.
 *
 * @example
 * ```ts
 * const run = await loadTrecRun('runs/bm25.trec');
 * const { metrics } = evaluateRun(run, qrels, { k: [10] });
 * ```
 */
export async function loadTrecRun(file: string, opts: LoadRunOptions = {}): Promise<Run> {
  const run = new Map<string, Hit[]>();
  const seen = new Map<string, Set<string>>();
  for await (const { line, text } of readLines(file)) {
    const cols = text.trim().split(/\s+/);
    if (cols.length !== 6) {
      lineProblem(file, line, `expected 6 columns 'qid Q0 docno rank score tag', got ${cols.length}`, opts);
      continue;
    }
    const [qid, , docno, , scoreText] = cols as [string, string, string, string, string, string];
    const score = Number(scoreText);
    if (scoreText === '' || !Number.isFinite(score)) {
      lineProblem(file, line, `score '${scoreText}' is not a finite number`, opts);
      continue;
    }
    let docs = seen.get(qid);
    if (docs === undefined) {
      docs = new Set();
      seen.set(qid, docs);
      run.set(qid, []);
    }
    if (docs.has(docno)) {
      throw new EvalDataError('DUPLICATE_ID', `${file}:${line}: doc '${docno}' listed twice for query '${qid}' (trec_eval rejects such runs)`, { file, line });
    }
    docs.add(docno);
    run.get(qid)!.push({ id: docno, score });
  }
  return run;
}

/**
 * Writes a run in TREC format (ranked like trec_eval: score descending, ties by
 * id descending), e.g. to check it with trec_eval itself.
 *
 * @example
 * ```ts
 * await writeTrecRun('runs/bm25.trec', run, 'trident-bm25');
 * ```
 */
export async function writeTrecRun(file: string, run: Run, tag = 'trident'): Promise<void> {
  const lines: string[] = [];
  for (const [qid, hits] of run) {
    const byId = new Map(hits.map((h) => [h.id, h.score]));
    rankHits(hits).forEach((id, i) => {
      lines.push(`${qid} Q0 ${id} ${i + 1} ${byId.get(id)} ${tag}`);
    });
  }
  try {
    await writeFile(file, lines.join('\n') + (lines.length ? '\n' : ''), 'utf8');
  } catch (cause) {
    throw new EvalDataError('IO_ERROR', `cannot write ${file}`, { cause, file });
  }
}
