// Child process for the model-file bomb tests: loads one file with the given reader and prints
// `{ code, ms, rssBefore, maxRss }` (bytes) as JSON, so the parent can check that a hostile
// file is refused before anything large is allocated (peak RSS of this process only).
//   node --import tsx model-file-child.ts <torch|safetensors|onnx> <file>
import { readFileSync } from 'node:fs';
import { TridentError } from '../../src/errors.js';
import { parseSafetensors, parseTorchStateDict } from '../../src/encode/tensor-file.js';
import { initializerDims } from '../../src/encode/onnx-scan.js';

const [kind, file] = process.argv.slice(2) as [string, string];
const buf = readFileSync(file);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
let code = 'ok';
try {
  if (kind === 'torch') parseTorchStateDict(buf, file);
  else if (kind === 'onnx') code = String(await initializerDims(file, () => true));
  else parseSafetensors(buf, file);
} catch (e) {
  code = e instanceof TridentError ? e.code : `untyped ${(e as Error).name}: ${(e as Error).message}`;
}
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ code, ms, rssBefore, maxRss: process.resourceUsage().maxRSS * 1024 }));
