/**
 * The long crafted-file fuzz (the short one runs in test/reliability/crafted-fuzz.test.ts):
 * damaged index files with recomputed checksums, every file kind, each case in a child process
 * batch so a crash is detected by its signal. Prints per-kind outcome counts and exits 1 on any
 * crash or untyped error.
 *
 *   node --import tsx tools/fuzz/crafted-fuzz.ts [cases=10000] [seed=1] [batch=250]
 */
import { runFuzz } from '../../test/reliability/fuzz/runner.js';

const cases = Number(process.argv[2] ?? process.env.TRIDENT_FUZZ_CASES ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
const batch = Number(process.argv[4] ?? 250);
const report = await runFuzz({ cases, seed, batch, log: (s) => console.log(s) });
console.log(JSON.stringify({ cases: report.cases, seconds: report.seconds, perKind: report.perKind }, null, 1));
for (const c of report.crashes) console.log(`CRASH case ${c.case}: signal ${c.signal} code ${c.code}\n${c.stderr}`);
const byKind = new Map<string, number>();
for (const u of report.untyped) byKind.set(u.kind, (byKind.get(u.kind) ?? 0) + 1);
for (const [kind, n] of byKind) console.log(`untyped errors in ${kind}: ${n}`);
// every untyped error outside the WAL in full, the first 10 WAL ones
for (const u of [...report.untyped.filter((x) => x.kind !== 'wal'), ...report.untyped.filter((x) => x.kind === 'wal').slice(0, 10)]) {
  console.log(`UNTYPED case ${u.case} (${u.kind}, ${u.what}): ${u.error}`);
}
console.log(`${report.cases} cases, ${report.crashes.length} crashes, ${report.untyped.length} untyped errors in ${report.seconds.toFixed(0)} s`);
process.exit(report.crashes.length + report.untyped.length > 0 ? 1 : 0);
