// The README's "API in five minutes" block, verbatim below this header (a test checks that the
// two match). Run it in an empty folder after `npm install trident`: node five-minutes.mjs
// biome-ignore-all lint/correctness/noUnusedVariables: the block must equal the README's verbatim, which binds `doc` to show the shape index.get() returns

import { HybridIndex, loadEncoder } from 'trident';

const encoder = await loadEncoder('builtin:static-en');        // or 'BAAI/bge-m3', a local folder, …
const index = await HybridIndex.create({ encoder, path: './my-index', bm25: { analyzer: 'english' } });

await index.add([
  { id: 'a', text: 'BM25 ranks documents by term frequency and document length.', metadata: { year: 1994 } },
  { id: 'b', text: 'Dense retrieval maps queries and passages into one vector space.', metadata: { year: 2020 } },
]);

const hits = await index.search('how does bm25 rank documents?', { k: 5, explain: true, includeText: true });
// hits[i] = { id, score, scores: { dense, sparse, multivector, bm25 }, metadata, text?, chunk?, explanation? }
console.log(hits.map((h) => h.id));                            // [ 'a', 'b' ]
const [doc] = await index.get(['a']);                          // { id: 'a', text, metadata } (null for an unknown id)
index.stats();                                                  // IndexStats: documents, entries, per-store sizes

await index.delete(['b']);
await index.save();                                             // crash-safe: new generation + atomic manifest
await index.close();                                            // one writer per directory
const again = await HybridIndex.open('./my-index', { encoder, readOnly: true });   // any number of readers
await again.search('bm25', { k: 3, signal: AbortSignal.timeout(1000) });
await again.close();                                            // or `await using again = …` (TypeScript 5.2+)
