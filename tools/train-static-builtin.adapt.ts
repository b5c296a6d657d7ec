/**
 * Unsupervised domain adaptation of the built-in model to a dev corpus (documents
 * only: random crops and title→body; never queries or qrels), for the model card's
 * "adapted vs general" figures.
 *
 *   npx tsx tools/train-static-builtin.adapt.ts --set scifact --out /tmp/static-en-scifact [--init src/models/static-en] [--steps 200]
 */
import { join } from 'node:path';
import { trainStatic } from '../src/train/index.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const set = arg('set', 'scifact');
if (set.includes('acceptance')) throw new Error('adaptation experiments run on dev sets only');
const t0 = Date.now();
const res = await trainStatic({
  outDir: arg('out', `/tmp/static-en-${set}`),
  init: arg('init', 'src/models/static-en'),
  corpus: join('/work/shared/data/dev', set, 'corpus.jsonl'),
  steps: Number(arg('steps', '200')),
  batchSize: Number(arg('batch-size', '64')),
  lrEmb: Number(arg('lr', '5e-4')),
  lrHead: Number(arg('lr', '5e-4')),
  seed: 42,
  name: `static-en-${set}`,
  log: (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`),
});
console.log(JSON.stringify(res.metrics));
