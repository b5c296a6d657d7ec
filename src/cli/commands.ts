import { HybridIndex, type SearchMode } from '../hybrid/index.js';
import { loadEncoder } from '../encode/index.js';
import { readCorpus } from './corpus.js';
import { ProgressBar } from './progress.js';
import { formatHits } from './format.js';
import type { CliIo } from './run.js';

export { formatHits } from './format.js';

/** `trident index`: encode a corpus into a saved hybrid index. */
export async function runIndex(o: { corpus: string; out: string; model: string; chunking?: 'late' | 'ordinary'; bm25?: 'english' | 'plain' | 'bigram' | 'auto'; limit?: number; threads?: number; overwrite?: boolean; storage?: 'segments' }, io: CliIo): Promise<void> {
  const docs = await readCorpus(o.corpus, o.limit ?? Infinity);
  const encoder = await loadEncoder(o.model, { ...(o.threads ? { threads: o.threads } : {}) });
  try {
    // a bulk build saves once at the end: no write-ahead log
    const index = await HybridIndex.create({ encoder, path: o.out, overwrite: o.overwrite === true, wal: false, ...(o.bm25 ? { bm25: { analyzer: o.bm25 } } : {}), ...(o.storage ? { storage: o.storage } : {}) });
    try {
      const bar = new ProgressBar('encoding', docs.length, { write: io.err, tty: io.errIsTTY });
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
      io.out(`indexed ${docs.length} documents in ${secs.toFixed(1)} s (${(docs.length / Math.max(secs, 1e-3)).toFixed(1)} docs/s) with ${encoder.info.name} → ${o.out}\n`);
    } finally {
      await index.close();
    }
  } finally {
    await encoder.close();
  }
}

/** `trident search`: query a saved index and print hits (optionally explained); `verbose` reports timings on stderr. */
export async function runSearchCommand(o: { dir: string; query: string; model: string; k: number; mode?: SearchMode; channels?: string[]; explain: boolean; json: boolean; verbose?: boolean }, io: CliIo): Promise<void> {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const t0 = performance.now();
  const encoder = await loadEncoder(o.model);
  const t1 = performance.now();
  if (o.verbose) io.err(`model ${encoder.info.name} (${encoder.info.id}) loaded in ${((t1 - t0) / 1000).toFixed(2)} s\n`);
  try {
    const index = await HybridIndex.open(o.dir, { encoder, readOnly: true });
    const t2 = performance.now();
    if (o.verbose) io.err(`index ${o.dir} (${String(index.stats().documents)} documents) opened in ${((t2 - t1) / 1000).toFixed(2)} s, rss ${mb(process.memoryUsage().rss)}\n`);
    try {
      const hits = await index.search(o.query, { k: o.k, ...(o.mode ? { mode: o.mode } : {}), ...(o.channels ? { channels: o.channels } : {}), explain: o.explain });
      if (o.verbose) io.err(`searched (${o.mode ?? o.channels?.join('+') ?? 'default'}) in ${(performance.now() - t2).toFixed(1)} ms\n`);
      if (o.json) io.out(`${JSON.stringify(hits, null, 2)}\n`);
      else io.out(`${formatHits(hits)}\n`);
    } finally {
      await index.close();
    }
  } finally {
    await encoder.close();
  }
}
