/**
 * Encoding speed of a static M3 model through onnxruntime-node on one thread
 * (tokenisation included), over the scifact corpus: tokens/s and the time to encode
 * the whole corpus (dense + sparse + colbert outputs), batch 32, sorted by length.
 *
 *   npx tsx tools/train-static-builtin.speed.ts --model src/models/static-en
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { WordPieceTokenizer } from '../src/train/tokenizer.js';

const i = process.argv.indexOf('--model');
const dir = i >= 0 ? process.argv[i + 1]! : 'src/models/static-en';
const corpus = readFileSync('/work/shared/data/dev/scifact/corpus.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { title?: string; text: string });
const tok = WordPieceTokenizer.fromJSON(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')));
const sess = await ort.InferenceSession.create(join(dir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
const t0 = performance.now();
const enc = corpus.map((d) => tok.encode(d.title ? `${d.title} ${d.text}` : d.text, { maxLength: 512 }));
const tTok = performance.now() - t0;
const order = enc.map((_, k) => k).sort((a, b) => enc[a]!.length - enc[b]!.length);
let tokens = 0;
const B = 32;
for (let s = 0; s < order.length; s += B) {
  const batch = order.slice(s, s + B).map((k) => enc[k]!);
  const T = Math.max(...batch.map((e) => e.length));
  const ids = new BigInt64Array(batch.length * T).fill(1n),
    mask = new BigInt64Array(batch.length * T);
  batch.forEach((e, b) => {
    e.forEach((id, t) => {
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
    });
  });
  await sess.run({ input_ids: new ort.Tensor('int64', ids, [batch.length, T]), attention_mask: new ort.Tensor('int64', mask, [batch.length, T]) });
  for (const e of batch) tokens += e.length;
}
const total = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ model: dir, docs: corpus.length, tokens, tokenizeSeconds: +(tTok / 1000).toFixed(2), totalSeconds: +total.toFixed(2), tokensPerSecond: Math.round(tokens / total) }));
