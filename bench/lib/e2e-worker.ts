/**
 * Child process of bench/e2e.bench.ts for the multi-core throughput measurement: opens the
 * saved index with `HybridIndex.open`, pre-encodes the queries (untimed), reports 'ready',
 * then for each { mode, durationMs } message runs searches back to back (pre-encoded
 * queries, cycling) for that long and reports how many it completed.
 *
 * Protocol (IPC): parent → { type: 'run', mode, durationMs } | { type: 'exit' };
 * child → { type: 'ready', rssBytes, openMs } | { type: 'done', mode, count, elapsedMs } | { type: 'error', message }.
 */
import { HybridIndex, loadEncoder, loadBeir, type SearchMode } from '../../src/index.js';
import type { EncodedLike } from '../../src/hybrid/types.js';

interface Args {
  indexDir: string;
  model: string;
  dataset: string;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const encoder = await loadEncoder(args.model);
  const t0 = performance.now();
  const index = await HybridIndex.open(args.indexDir, { encoder, readOnly: true });
  const openMs = performance.now() - t0;
  const ds = await loadBeir(args.dataset);
  const texts = [...ds.qrels.keys()].map((q) => ds.queries.get(q)!);
  const encoded: EncodedLike[] = [];
  for (const t of texts) encoded.push(await index.encodeQuery(t));
  send({ type: 'ready', rssBytes: process.memoryUsage.rss(), openMs });
  process.on('message', (m: { type: string; mode?: SearchMode; durationMs?: number }) => {
    if (m.type === 'exit') {
      void index.close().then(() => process.exit(0));
      return;
    }
    void (async () => {
      const mode = m.mode!;
      // a few untimed searches so both workers start warm
      for (let i = 0; i < 10; i++) await index.search(texts[i % texts.length]!, { mode, k: 10, encoded: encoded[i % texts.length]! });
      let count = 0;
      const start = performance.now();
      const end = start + m.durationMs!;
      let now = start;
      while (now < end) {
        const i = count % texts.length;
        await index.search(texts[i]!, { mode, k: 10, encoded: encoded[i]! });
        count++;
        now = performance.now();
      }
      send({ type: 'done', mode, count, elapsedMs: now - start });
    })().catch((e: Error) => send({ type: 'error', message: e.stack ?? e.message }));
  });
}

function send(msg: object): void {
  process.send!(msg);
}

main().catch((e: Error) => {
  send({ type: 'error', message: e.stack ?? e.message });
  process.exit(1);
});
