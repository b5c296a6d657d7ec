/**
 * Errors raised by the evaluation harness. They are {@link TridentError}s with
 * the shared codes (`PARSE_ERROR`, `DUPLICATE_ID`, `UNKNOWN_ID`,
 * `INVALID_ARGUMENT`, `IO_ERROR`) plus the file and line they point at.
 */
import { TridentError, type ErrorCode } from '../errors.js';

/**
 * A problem with an evaluation data set or with the inputs of an evaluation:
 * malformed JSONL/TSV lines, duplicate or unknown ids, empty query sets.
 * `file` and `line` (1-based) are set when the problem is tied to a place.
 *
 * @example
 * ```ts
 * try { await loadBeir('data/dev/scifact'); }
 * catch (e) { if (e instanceof EvalDataError && e.code === 'PARSE_ERROR') console.error(e.file, e.line); }
 * ```
 */
export class EvalDataError extends TridentError {
  readonly file?: string;
  readonly line?: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; file?: string; line?: number }) {
    super(code, message, options);
    this.name = 'EvalDataError';
    if (options?.file !== undefined) this.file = options.file;
    if (options?.line !== undefined) this.line = options.line;
  }
}
