/**
 * Errors raised by the evaluation harness: {@link DataFileError}s with the shared codes
 * (`PARSE_ERROR`, `DUPLICATE_ID`, `UNKNOWN_ID`, `EMPTY_DATA`, `IO_ERROR`) plus the file
 * and line they point at. `EvalDataError` is the evaluation harness's name for the one class
 * every data-file reader throws (the JSONL reader in `src/store/jsonl.ts` included).
 */
import { DataFileError } from '../errors.js';

/**
 * A problem with an evaluation data set or with the inputs of an evaluation:
 * malformed JSONL/TSV lines, duplicate or unknown ids, empty query sets.
 * The same class as {@link DataFileError}.
 *
 * @example
 * ```ts
 * try { await loadBeir('data/dev/scifact'); }
 * catch (e) { if (e instanceof EvalDataError && e.code === 'PARSE_ERROR') console.error(e.file, e.line); }
 * ```
 */
export const EvalDataError = DataFileError;
/** Instance type of {@link EvalDataError}. */
export type EvalDataError = DataFileError;
