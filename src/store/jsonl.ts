/**
 * The one line reader of trident's data files: JSONL (one JSON object per line) for corpora,
 * queries and training pairs (eval, train-static, `trident index`), and the lines of TSV qrels
 * and TREC runs. Lines are read with `node:readline` over a file stream, so memory stays
 * proportional to one line and a caller that stops early (a `--limit`) reads no further.
 * Blank lines are ignored; a UTF-8 byte-order mark on the first line is stripped; `\r\n`
 * endings are accepted. Problems are {@link DataFileError}s: `IO_ERROR` when the file cannot be
 * opened, `PARSE_ERROR` with `file` and 1-based `line` for a malformed line.
 * This module never interprets fields: callers check the shape of each object.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DataFileError } from '../errors.js';

/**
 * What to do with a malformed line: throw (`'fail'`, default) or skip it and record it (`'skip'`).
 *
 * @example
 * ```ts
 * readJsonl('corpus.jsonl', { onError: 'skip' });
 * ```
 */
export type OnError = 'skip' | 'fail';

/**
 * One malformed line that was skipped under `onError: 'skip'`.
 *
 * @example
 * ```ts
 * const issues: LineIssue[] = [];
 * for await (const _ of readJsonl(file, { onError: 'skip', issues })) {}
 * issues.forEach((i) => console.warn(`${i.file}:${i.line}: ${i.reason}`));
 * ```
 */
export interface LineIssue {
  /** Path of the file. */
  file: string;
  /** 1-based line number. */
  line: number;
  /** What was wrong with it. */
  reason: string;
}

/**
 * Options of {@link readJsonl}.
 *
 * @example
 * ```ts
 * const opts: ReadJsonlOptions = { onError: 'skip', issues: [] };
 * ```
 */
export interface ReadJsonlOptions {
  /** `'fail'` (default) throws `PARSE_ERROR` naming file:line; `'skip'` records the line in `issues` and goes on. */
  onError?: OnError;
  /** Receives every skipped line (only under `onError: 'skip'`). */
  issues?: LineIssue[];
  /**
   * What the `PARSE_ERROR` message tells the user to do (default: fix the line or load with
   * `onError: 'skip'`). Command-line callers name the expected line format instead.
   */
  hint?: string;
}

/**
 * Yields the non-blank lines of a text file with their 1-based line numbers.
 * Throws `IO_ERROR` if the file cannot be opened.
 *
 * @example
 * ```ts
 * for await (const { line, text } of readLines('qrels/test.tsv')) console.log(line, text);
 * ```
 */
export async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const st = await stat(file).catch((cause: unknown) => {
    throw new DataFileError('IO_ERROR', `cannot read ${file}: check that the path exists and is readable`, { cause, file });
  });
  if (!st.isFile()) throw new DataFileError('IO_ERROR', `${file} is not a file: give the path of a file`, { file });
  const input = createReadStream(file, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of rl) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') continue;
      yield { line, text };
    }
  } catch (cause) {
    if (cause instanceof DataFileError) throw cause;
    throw new DataFileError('IO_ERROR', `cannot read ${file} (line ${line + 1}): ${(cause as Error).message}`, { cause, file });
  } finally {
    rl.close();
    input.destroy();
  }
}

/**
 * Records or throws a malformed-line problem according to `onError`.
 * @internal
 */
export function lineProblem(file: string, line: number, reason: string, opts: ReadJsonlOptions): void {
  if ((opts.onError ?? 'fail') === 'fail') {
    throw new DataFileError('PARSE_ERROR', `${file}:${line}: ${reason} (${opts.hint ?? "fix the line, or load with onError: 'skip' to skip malformed lines"})`, { file, line });
  }
  opts.issues?.push({ file, line, reason });
}

/**
 * Streams the JSON objects of a JSONL file. A line that is not valid JSON, or
 * whose value is not a JSON object, throws `PARSE_ERROR` (`file:line` in the
 * message, `file`/`line` on the error) or is skipped and recorded, per `onError`.
 *
 * @example
 * ```ts
 * const issues: LineIssue[] = [];
 * for await (const { value } of readJsonl('corpus.jsonl', { onError: 'skip', issues })) console.log(value._id);
 * console.log(`${issues.length} malformed lines skipped`);
 * ```
 */
export async function* readJsonl(file: string, opts: ReadJsonlOptions = {}): AsyncGenerator<{ line: number; value: Record<string, unknown> }> {
  for await (const { line, text } of readLines(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      lineProblem(file, line, `invalid JSON (${(e as Error).message})`, opts);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      lineProblem(file, line, 'expected a JSON object', opts);
      continue;
    }
    yield { line, value: value as Record<string, unknown> };
  }
}
