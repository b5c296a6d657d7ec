// Child of mmap-promote.test.ts: maps a file with promotion, truncates it under the mapping,
// reads the lost range (the guard's zeros) and touches it: the promotion must not take (a
// damaged mapping, or pages no longer cached). Prints one JSON line; a SIGBUS would kill it.
import * as fs from 'node:fs';
import { MappedFile } from '../../../src/store/mmap.js';

const [file] = process.argv.slice(2) as [string];
const f = await MappedFile.open(file, { mode: 'mmap', promote: true });
const view = f.bytes(0, f.byteLength);
const head = view[10];
fs.truncateSync(file, 100); // another process shortens the file under our mapping
let sum = 0;
for (let i = 0; i < view.length; i += 512) sum += view[i]!; // touches pages beyond the new end
f.touch();
const took = await f.promotion;
let error: string | null = null;
try {
  f.check();
} catch (e) {
  error = (e as { code?: string }).code ?? String(e);
}
process.stdout.write(`${JSON.stringify({ took, promoted: f.promoted, head, headAfter: view[10], sum, error })}\n`);
