import { HybridIndex, type SearchHit, type SearchMode } from '../hybrid/index.js';
import { loadEncoder } from '../encode/index.js';
import { readCorpus } from './corpus.js';
import { ProgressBar } from './progress.js';

/** `trident index`: encode a corpus into a saved hybrid index. */
export async function runIndex(o: { corpus: string; out: string; model: string; chunking?: 'late' | 'ordinary'; bm25?: 'english' | 'plain' | 'bigram' | 'auto'; limit?: number; threads?: number; overwrite?: boolean }): Promise<void> {
  const docs = await readCorpus(o.corpus, o.limit ?? Infinity);
  const encoder = await loadEncoder(o.model, { ...(o.threads ? { threads: o.threads } : {}) });
  // a bulk build saves once at the end: no write-ahead log (an interrupted build leaves no
  // partial index at --out that would look complete)
  const index = await HybridIndex.create({ encoder, path: o.out, overwrite: o.overwrite === true, wal: false, ...(o.bm25 ? { bm25: { analyzer: o.bm25 } } : {}) });
  const bar = new ProgressBar('encoding', docs.length);
  const t0 = Date.now();
  const batch = 256;
  for (let i = 0; i < docs.length; i += batch) {
    await index.add(docs.slice(i, i + batch), {
      ...(o.chunking ? { chunking: { kind: o.chunking, by: 'sentence' as const } } : {}),
      onProgress: (p) => bar.update(i + p.done),
    });
  }
  bar.done();
  await index.save();
  const secs = (Date.now() - t0) / 1000;
  process.stdout.write(`indexed ${docs.length} documents in ${secs.toFixed(1)} s (${(docs.length / secs).toFixed(1)} docs/s) → ${o.out}\n`);
  await index.close();
  await encoder.close();
}

/** `trident search`: query a saved index and print hits (optionally explained). */
export async function runSearchCommand(o: { dir: string; query: string; model: string; k: number; mode: SearchMode; explain: boolean; json: boolean }): Promise<void> {
  const encoder = await loadEncoder(o.model);
  const index = await HybridIndex.open(o.dir, { encoder, readOnly: true });
  const hits = await index.search(o.query, { k: o.k, mode: o.mode, explain: o.explain });
  if (o.json) process.stdout.write(JSON.stringify(hits, null, 2) + '\n');
  else process.stdout.write(formatHits(hits) + '\n');
  await index.close();
  await encoder.close();
}

/** Human-readable hits with their explanation lines. */
export function formatHits(hits: SearchHit[]): string {
  const lines: string[] = [];
  hits.forEach((h, i) => {
    const s = h.scores;
    const parts = [s.dense !== undefined ? `dense ${s.dense.toFixed(4)}` : '', s.sparse !== undefined ? `sparse ${s.sparse.toFixed(4)}` : '', s.multivector !== undefined ? `maxsim ${s.multivector.toFixed(4)}` : '', s.bm25 !== undefined ? `bm25 ${s.bm25.toFixed(3)}` : ''].filter(Boolean);
    const title = typeof h.metadata?.['title'] === 'string' ? ` ${String(h.metadata['title']).slice(0, 80)}` : '';
    lines.push(`${String(i + 1).padStart(2)}. ${String(h.id)}  ${h.score.toFixed(4)}  (${parts.join(', ')})${title}`);
    if (h.chunk) lines.push(`    chunk ${h.chunk.index} [${h.chunk.start}, ${h.chunk.end})${h.chunk.text ? `: ${h.chunk.text.slice(0, 100).replace(/\s+/g, ' ')}…` : ''}`);
    const ex = h.explanation;
    if (ex) {
      if (ex.sparseMatches.length) lines.push(`    lexical: ${ex.sparseMatches.slice(0, 8).map((m) => `${m.token}(${m.queryWeight.toFixed(2)}×${m.docWeight.toFixed(2)})`).join(' ')}`);
      if (ex.alignments.length) lines.push(`    maxsim: ${ex.alignments.slice(0, 5).map((a) => `${a.queryToken}↔${a.docText ?? a.docToken} ${a.score.toFixed(2)}`).join(', ')}`);
    }
  });
  return lines.join('\n');
}
