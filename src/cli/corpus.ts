import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { DataFileError, InvalidArgumentError } from '../errors.js';
import { readJsonl } from '../store/jsonl.js';
import type { DocumentInput } from '../hybrid/index.js';

/** The corpus line format `trident index` reads, for messages and `--help`. */
export const CORPUS_JSONL_FORMAT = 'one JSON object per line: {"_id" (or "id"): string|number, "text": string, "title"?: string, …other fields kept as metadata}';

/**
 * Reads documents for `trident index`: a JSONL file (`_id`/`id`, optional `title`, `text`,
 * other fields kept as metadata) or a folder of .txt/.md files (id = relative path).
 */
export async function readCorpus(source: string, limit = Infinity): Promise<DocumentInput[]> {
  const st = await fsp.stat(source).catch(() => null);
  if (!st) throw new InvalidArgumentError('INVALID_ARGUMENT', `corpus ${source} does not exist; give a .jsonl file or a folder of .txt/.md files`);
  const docs: DocumentInput[] = [];
  if (st.isDirectory()) {
    const walk = async (dir: string): Promise<void> => {
      for (const e of (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (docs.length >= limit) return;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (/\.(txt|md)$/i.test(e.name)) docs.push({ id: path.relative(source, p), text: await fsp.readFile(p, 'utf8'), metadata: { path: path.relative(source, p) } });
      }
    };
    await walk(source);
    return docs;
  }
  for await (const { line, value: o } of readJsonl(source, { hint: CORPUS_JSONL_FORMAT })) {
    if (docs.length >= limit) break;
    const id = o._id ?? o.id;
    if (typeof id !== 'string' && typeof id !== 'number') throw new DataFileError('PARSE_ERROR', `${source}:${line}: no "_id" or "id" (${CORPUS_JSONL_FORMAT})`, { file: source, line });
    if (typeof o.text !== 'string') throw new DataFileError('PARSE_ERROR', `${source}:${line}: "text" must be a string (${CORPUS_JSONL_FORMAT})`, { file: source, line });
    const title = typeof o.title === 'string' ? (o.title as string) : '';
    const body = o.text;
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!['_id', 'id', 'text'].includes(k)) metadata[k] = v;
    docs.push({ id, text: title ? `${title} ${body}` : body, metadata });
  }
  return docs;
}
