// Crafted files (issue 13 item 6): every file kind open() reads, damaged and re-checksummed,
// each case run in a child process so a crash is seen by its exit signal. Every outcome must be
// success (for a damaged dense graph: rebuilt from the rows) or a TridentError. On the code
// before the graph validation, 76 of these first 300 cases crashed the process (SIGSEGV/SIGABRT),
// 10 of the 24 that damage the hybrid index's graph through HybridIndex.open.
// The default run is short (TRIDENT_FUZZ_CASES overrides it); the long run is
// `node --import tsx tools/fuzz/crafted-fuzz.ts 10000` (under ASan: tools/asan-usearch.sh).
import { describe, expect, it } from 'vitest';
import { KINDS } from './fuzz/crafted.js';
import { runFuzz } from './fuzz/runner.js';

const CASES = Number(process.env.TRIDENT_FUZZ_CASES ?? 330);

describe('crafted index files with recomputed checksums', () => {
  it(`${CASES} cases over every file kind: no crash, every error typed`, async () => {
    const report = await runFuzz({ cases: CASES, seed: Number(process.env.TRIDENT_FUZZ_SEED ?? 7), batch: 120 });
    console.log(`[crafted-fuzz] ${report.cases} cases in ${report.seconds.toFixed(1)} s: ${JSON.stringify(report.perKind)}`);
    expect(report.crashes, report.crashes.map((c) => `case ${c.case}: ${c.signal ?? c.code}\n${c.stderr}`).join('\n')).toEqual([]);
    expect(report.cases).toBe(CASES);
    expect(Object.keys(report.perKind).sort()).toEqual(Object.keys(KINDS).sort());
    const untyped = report.untyped;
    expect(untyped.map((u) => `case ${u.case} ${u.kind} (${u.what}): ${u.error.split('\n')[0]}`)).toEqual([]);
    // the dense graph cases did reach the structural check: some graphs were rebuilt, some loaded
    const graph = report.perKind['dense-graph-f32']!;
    expect(graph.rebuilt ?? 0).toBeGreaterThan(0);
  });
});
