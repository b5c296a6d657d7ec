/**
 * User training data from JSONL: labelled pairs (`{"query": …, "positive": …}`,
 * also accepted: `q`/`p`, `anchor`/`positive`, `query`/`passage`) and unlabelled
 * documents (`{"title"?: …, "text": …}`, BEIR corpus layout) turned into pairs by
 * independent random crops of one document (Contriever) and title → body.
 */
import { DataFileError, InvalidArgumentError } from '../../errors.js';
import { readJsonl } from '../../store/jsonl.js';
import type { Rng } from '../rng.js';
import { type TrainPair, squash } from './pairs.js';

/** The line formats, for messages and `--help`. */
export const PAIRS_FORMAT = 'one JSON object per line: {"query": "…", "positive": "…"} (also accepted: q/p, anchor/positive, query/passage)';
/** The corpus line format, for messages and `--help`. */
export const CORPUS_FORMAT = 'one JSON object per line: {"text": "…", "title"?: "…"} (BEIR corpus.jsonl)';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim().length > 0 ? v : undefined;
}

/**
 * Reads labelled pairs from a JSONL file (streamed). A malformed line throws a `PARSE_ERROR`
 * {@link DataFileError} naming the file and line.
 *
 * @example
 * ```ts
 * const pairs = await readPairsJsonl('pairs.jsonl'); // lines like {"query":"bm25","positive":"BM25 is a ranking function …"}
 * ```
 */
export async function readPairsJsonl(file: string): Promise<TrainPair[]> {
  const out: TrainPair[] = [];
  const opts = { hint: PAIRS_FORMAT };
  for await (const { line, value: o } of readJsonl(file, opts)) {
    const q = str(o.query) ?? str(o.q) ?? str(o.anchor);
    const p = str(o.positive) ?? str(o.p) ?? str(o.passage);
    if (q === undefined || p === undefined) {
      throw new DataFileError('PARSE_ERROR', `${file}:${line}: a pair needs non-empty "query" and "positive" strings (${PAIRS_FORMAT})`, { file, line });
    }
    out.push({ q: squash(q), p: squash(p), src: 'pairs' });
  }
  if (out.length === 0) throw new InvalidArgumentError('INVALID_ARGUMENT', `${file} holds no pairs (${PAIRS_FORMAT})`);
  return out;
}

/** One unlabelled document. */
export interface CorpusDoc {
  title?: string;
  text: string;
}

/**
 * Reads documents from a JSONL corpus (`text` required, `title` optional), streamed.
 *
 * @example
 * ```ts
 * const docs = await readCorpusJsonl('corpus.jsonl');
 * ```
 */
export async function readCorpusJsonl(file: string): Promise<CorpusDoc[]> {
  const out: CorpusDoc[] = [];
  for await (const { line, value: o } of readJsonl(file, { hint: CORPUS_FORMAT })) {
    const text = str(o.text);
    if (text === undefined) throw new DataFileError('PARSE_ERROR', `${file}:${line}: a document needs a non-empty "text" string (${CORPUS_FORMAT})`, { file, line });
    const title = str(o.title);
    out.push(title === undefined ? { text: squash(text) } : { title: squash(title), text: squash(text) });
  }
  if (out.length === 0) throw new InvalidArgumentError('INVALID_ARGUMENT', `${file} holds no documents`);
  return out;
}

/** Options of {@link corpusPairs}. */
export interface CropOptions {
  /** Crop pairs per document (default 4). */
  cropsPerDoc?: number;
  /** Crop length range in words (default 5..48). */
  minWords?: number;
  maxWords?: number;
}

/**
 * Unsupervised pairs from documents: independent random word spans of the same
 * document (Contriever's independent cropping) and title → body.
 *
 * @example
 * ```ts
 * const pairs = corpusPairs(await readCorpusJsonl('corpus.jsonl'), createRng(42));
 * ```
 */
export function corpusPairs(docs: CorpusDoc[], rng: Rng, opts: CropOptions = {}): TrainPair[] {
  const k = opts.cropsPerDoc ?? 4;
  const minW = opts.minWords ?? 5,
    maxW = opts.maxWords ?? 48;
  const out: TrainPair[] = [];
  const crop = (words: string[]): string => {
    const len = Math.min(words.length, minW + rng.int(maxW - minW + 1));
    const start = rng.int(words.length - len + 1);
    return words.slice(start, start + len).join(' ');
  };
  for (const d of docs) {
    const words = d.text.split(' ');
    if (d.title !== undefined) out.push({ q: d.title, p: words.slice(0, maxW * 2).join(' '), src: 'corpus-title' });
    if (words.length < 2 * minW) continue;
    for (let c = 0; c < k; c++) out.push({ q: crop(words), p: crop(words), src: 'corpus-crop' });
  }
  return out;
}
