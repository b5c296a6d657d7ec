/**
 * User training data from JSONL: labelled pairs (`{"query": …, "positive": …}`,
 * also accepted: `q`/`p`, `anchor`/`positive`, `query`/`passage`) and unlabelled
 * documents (`{"title"?: …, "text": …}`, BEIR corpus layout) turned into pairs by
 * independent random crops of one document (Contriever) and title → body.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../errors.js';
import type { Rng } from '../rng.js';
import { type TrainPair, squash } from './pairs.js';

function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `cannot read ${file}: check the path`, { cause });
  }
  return text.split(/\r?\n/).filter((l) => l.trim().length > 0);
}

function parse(file: string, n: number, line: string): Record<string, unknown> {
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* fallthrough */ }
  throw new InvalidArgumentError('PARSE_ERROR', `${file}:${n}: not a JSON object; each line must be one JSON object`);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim().length > 0 ? v : undefined;
}

/**
 * Reads labelled pairs from a JSONL file.
 *
 * @example
 * ```ts
 * const pairs = readPairsJsonl('pairs.jsonl'); // lines like {"query":"bm25","positive":"BM25 is a ranking function …"}
 * ```
 */
export function readPairsJsonl(file: string): TrainPair[] {
  const out: TrainPair[] = [];
  readLines(file).forEach((line, i) => {
    const o = parse(file, i + 1, line);
    const q = str(o.query) ?? str(o.q) ?? str(o.anchor);
    const p = str(o.positive) ?? str(o.p) ?? str(o.passage);
    if (q === undefined || p === undefined) {
      throw new InvalidArgumentError('PARSE_ERROR', `${file}:${i + 1}: a pair needs non-empty "query" and "positive" strings`);
    }
    out.push({ q: squash(q), p: squash(p), src: 'pairs' });
  });
  if (out.length === 0) throw new InvalidArgumentError('INVALID_ARGUMENT', `${file} holds no pairs`);
  return out;
}

/** One unlabelled document. */
export interface CorpusDoc {
  title?: string;
  text: string;
}

/**
 * Reads documents from a JSONL corpus (`text` required, `title` optional).
 *
 * @example
 * ```ts
 * const docs = readCorpusJsonl('corpus.jsonl');
 * ```
 */
export function readCorpusJsonl(file: string): CorpusDoc[] {
  const out: CorpusDoc[] = [];
  readLines(file).forEach((line, i) => {
    const o = parse(file, i + 1, line);
    const text = str(o.text);
    if (text === undefined) throw new InvalidArgumentError('PARSE_ERROR', `${file}:${i + 1}: a document needs a non-empty "text" string`);
    const title = str(o.title);
    out.push(title === undefined ? { text: squash(text) } : { title: squash(title), text: squash(text) });
  });
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
 * const pairs = corpusPairs(readCorpusJsonl('corpus.jsonl'), createRng(42));
 * ```
 */
export function corpusPairs(docs: CorpusDoc[], rng: Rng, opts: CropOptions = {}): TrainPair[] {
  const k = opts.cropsPerDoc ?? 4;
  const minW = opts.minWords ?? 5, maxW = opts.maxWords ?? 48;
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
