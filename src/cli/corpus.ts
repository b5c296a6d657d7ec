import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { TridentError } from '../errors.js';
import type { DocumentInput } from '../hybrid/index.js';

/**
 * Reads documents for `trident index`: a JSONL file (`_id`/`id`, optional `title`, `text`,
 * other fields kept as metadata) or a folder of .txt/.md files (id = relative path).
 */
export async function readCorpus(source: string, limit = Infinity): Promise<DocumentInput[]> {
  const st = await fsp.stat(source).catch(() => null);
  if (!st) throw new TridentError('INVALID_ARGUMENT', `corpus ${source} does not exist; give a .jsonl file or a folder of .txt/.md files`);
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
  const lines = (await fsp.readFile(source, 'utf8')).split('\n');
  for (let i = 0; i < lines.length && docs.length < limit; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new TridentError('PARSE_ERROR', `${source}:${i + 1}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
    const id = o['_id'] ?? o['id'];
    if (typeof id !== 'string' && typeof id !== 'number') throw new TridentError('PARSE_ERROR', `${source}:${i + 1}: no "_id" or "id"`);
    const title = typeof o['title'] === 'string' ? (o['title'] as string) : '';
    const body = typeof o['text'] === 'string' ? (o['text'] as string) : '';
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!['_id', 'id', 'text'].includes(k)) metadata[k] = v;
    docs.push({ id, text: title ? `${title} ${body}` : body, metadata });
  }
  return docs;
}
