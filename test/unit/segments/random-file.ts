// A file of `n` seeded pseudo-random bytes (the mapping tests' input).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `dir/name` with `n` bytes from a seeded LCG; returns its path. */
export function writeRandomFile(dir: string, name: string, n: number, seed = 1): string {
  const p = path.join(dir, name);
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  fs.writeFileSync(p, b);
  return p;
}
