/**
 * dictd dictionaries (`*.index` + `*.dict.dz`, e.g. Debian's dict-gcide,
 * dict-foldoc, dict-jargon) as headword → definition training pairs.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ModelError } from '../../errors.js';
import { type TrainPair, squash, clipWords } from './pairs.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes a dictd index number (base64 digits, most significant first). */
export function dictdNumber(s: string): number {
  let n = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    if (d < 0) throw new ModelError('MODEL_INVALID', `bad dictd index number ${JSON.stringify(s)}`);
    n = n * 64 + d;
  }
  return n;
}

/** One dictd entry: headword and raw article text. */
export interface DictdEntry {
  head: string;
  body: string;
}

/**
 * Reads all entries of a dictd dictionary (entries sharing one article are returned once).
 *
 * @example
 * ```ts
 * const entries = readDictd('/usr/share/dictd/foldoc');
 * ```
 */
export function readDictd(base: string): DictdEntry[] {
  let index: string;
  let data: Buffer;
  try {
    index = readFileSync(`${base}.index`, 'utf8');
    data = gunzipSync(readFileSync(`${base}.dict.dz`));
  } catch (cause) {
    throw new ModelError('MODEL_NOT_FOUND', `cannot read dictd dictionary ${base}.index/.dict.dz (Debian packages dict-gcide, dict-foldoc, dict-jargon)`, { cause });
  }
  const seen = new Set<number>();
  const out: DictdEntry[] = [];
  for (const line of index.split('\n')) {
    const f = line.split('\t');
    if (f.length < 3 || f[0]!.startsWith('00-database') || f[0]!.startsWith('00database')) continue;
    const off = dictdNumber(f[1]!);
    if (seen.has(off)) continue;
    seen.add(off);
    const len = dictdNumber(f[2]!);
    out.push({ head: f[0]!, body: data.subarray(off, off + len).toString('utf8') });
  }
  return out;
}

function cleanMarkup(s: string): string {
  return s
    .replace(/[{}]/g, '')
    .replace(/<[^>]{1,40}>/g, ' ')
    .replace(/\[(?:1913 Webster|PJC|WordNet[^\]]*|Obs\.|R\.|Colloq\.)\]/g, ' ');
}

/**
 * GCIDE articles → (headword, sense) pairs, one per numbered sense (at most `maxSenses`).
 *
 * @example
 * ```ts
 * const pairs = gcidePairs(readDictd('/usr/share/dictd/gcide'));
 * ```
 */
export function gcidePairs(entries: DictdEntry[], maxSenses = 3, maxWords = 48): TrainPair[] {
  const out: TrainPair[] = [];
  for (const e of entries) {
    const paras = e.body.split(/\n\s*\n/);
    const senses: string[] = [];
    for (let pi = 0; pi < paras.length && senses.length < maxSenses; pi++) {
      let para = paras[pi]!;
      if (/^\s*(Syn|Note|Usage)\s*:/i.test(para)) continue;
      if (/--[A-Z][^\n]*\.?\s*$/.test(squash(para)) || /^\s{8,}/.test(para)) continue; // quotations
      if (/\\[^\\]*\\/.test(para.split('\n')[0]!)) {
        // header line: "Word \Pro*nun"\, pos. [etym] ..."
        para = para.replace(/^[^\\]*\\[^\\]*\\,?/, '').replace(/^\s*(?:(?:[a-z]+\.\s*)+(?:&\s*[a-z.]+\s*)*)?/, '');
        para = para.replace(/^\s*\[[^\]]*\]/, '');
      }
      let t = squash(cleanMarkup(para).replace(/\[[^\]]{0,80}\]/g, ' '));
      t = t.replace(/^(?:\d+\.\s*)?(?:\([a-z]\)\s*)?/, '').replace(/^(?:[A-Z][a-z]*\.\s+)+(?=[A-Z])/, '');
      if (t.length < 8 || !/[a-z]/.test(t)) continue;
      senses.push(clipWords(squash(t), maxWords));
    }
    for (const s of senses) out.push({ q: e.head, p: s, src: 'gcide' });
  }
  return out;
}

/**
 * FOLDOC / Jargon File articles → (headword, first paragraphs) pairs.
 *
 * @example
 * ```ts
 * const pairs = glossaryPairs(readDictd('/usr/share/dictd/foldoc'), 'foldoc');
 * ```
 */
export function glossaryPairs(entries: DictdEntry[], src: string, maxWords = 64): TrainPair[] {
  const out: TrainPair[] = [];
  for (const e of entries) {
    const lines = e.body.split('\n');
    lines.shift(); // headword line
    const body = lines.join('\n').replace(/^\s*(?:[a-z]+\.(?:,\s*[a-z]+\.)*)?\s*\n/, '');
    const paras = body
      .split(/\n\s*\n/)
      .map((p) => squash(cleanMarkup(p)))
      .filter((p) => p.length > 0 && !/^\(\d{4}-\d\d-\d\d\)$/.test(p));
    const text = clipWords(squash(paras.slice(0, 2).join(' ')), maxWords);
    if (text.length < 8) continue;
    out.push({ q: e.head, p: text, src });
  }
  return out;
}
