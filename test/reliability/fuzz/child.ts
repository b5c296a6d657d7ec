// Child process of the crafted-file fuzz (runner.ts): runs cases [from, to) on the pristine
// index the parent built under <root>/pristine, and prints one JSON
// line per case that was not ok-or-typed, then a summary line. Before each case it writes the
// case number to the progress file, so when a case crashes the process the parent knows which.
//   node --import tsx child.ts <root> <seed> <from> <to> <progressFile>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCase } from './crafted.js';

const [root, seedS, fromS, toS, progress] = process.argv.slice(2) as [string, string, string, string, string];
const seed = Number(seedS);
const pristine = path.join(root, 'pristine');
const work = path.join(root, `work-${process.pid}`);
const counts: Record<string, Record<string, number>> = {};
for (let i = Number(fromS); i < Number(toS); i++) {
  fs.writeFileSync(progress, String(i));
  const res = await runCase(pristine, work, seed, i);
  const c = counts[res.kind] ?? {};
  counts[res.kind] = c;
  const key = res.outcome === 'typed-error' ? res.code! : res.outcome;
  c[key] = (c[key] ?? 0) + 1;
  if (res.outcome === 'untyped-error') process.stdout.write(`${JSON.stringify({ case: i, ...res })}\n`);
}
fs.rmSync(work, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ summary: counts })}\n`);
