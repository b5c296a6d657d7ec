/**
 * Checks that a static model directory loads through src/encode's `loadEncoder`
 * (the BGE-M3 code path) and prints a few similarities.
 *
 *   npx tsx tools/train-static-builtin.encoder-check.ts [--model <dir> | builtin:static-en]
 */
import { loadEncoder } from '../src/encode/index.js';

const src = process.argv[2] ?? 'builtin:static-en';
const enc = await loadEncoder(src);
const texts = ['protein folding', 'how a protein chain acquires its three-dimensional structure', 'the football match ended in a draw'];
const out = await (enc as unknown as { encode(t: string[]): Promise<unknown> }).encode(texts);
console.log(JSON.stringify(out, (_k, v) => (v instanceof Float32Array ? Array.from(v).slice(0, 4) : v)).slice(0, 1500));
