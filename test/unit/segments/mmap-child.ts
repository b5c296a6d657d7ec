// Child of mmap.test.ts: maps a file, truncates it under the mapping, then reads the lost
// range through the facade. Prints one JSON line; a SIGBUS would kill it instead.
import * as fs from 'node:fs';
import { MappedFile } from '../../../src/store/mmap.js';

const [file, mode] = process.argv.slice(2) as [string, 'mmap' | 'read'];
const f = await MappedFile.open(file, { mode });
const before = f.bytes(0, f.byteLength);
const head = before[10];
fs.truncateSync(file, 100); // another process shortens the file under our mapping
let sum = 0;
for (let i = 0; i < before.length; i += 512) sum += before[i]!; // touches pages beyond the new end
let error: string | null = null;
try {
  f.check();
} catch (e) {
  error = (e as { code?: string }).code ?? String(e);
}
process.stdout.write(`${JSON.stringify({ mapped: f.mapped, head, sum, error })}\n`);
