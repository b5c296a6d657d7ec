// Crash safety: children are SIGKILLed at injected file-system calls (deterministic, also
// mid-write: torn writes) and after seeded random delays, during add, add+save, delete+save,
// update+save and compaction (many deletes + save). Every reopen must give the state before or
// after the operation (checked against reference copies built from scratch), and a later save
// must succeed. TRIDENT_CRASH_TRIALS sets the number of trials (default 200).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { rng } from './corpus.js';
import { bundleChild, measure, pool, runTrial, type TrialResult, type TrialSpec } from './crash/harness.js';
import { CRASH_OPS, type CrashOp } from './crash/plan.js';

// hundreds of child processes per test: minutes on a loaded 2-core machine
vi.setConfig({ testTimeout: 900_000 });

const TOTAL = Number(process.env.TRIDENT_CRASH_TRIALS ?? 200);
const INJECTED = Math.round(TOTAL * 0.75);
const TIMED = TOTAL - INJECTED;
const WAL_TRIALS = Number(process.env.TRIDENT_CRASH_WAL_TRIALS ?? 40);

let child: string;
let work: string;
beforeAll(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-crash-'));
  child = await bundleChild();
});
afterAll(async () => {
  await fsp.rm(work, { recursive: true, force: true });
  if (child) await fsp.rm(child, { force: true });
});

function summary(results: TrialResult[]) {
  return {
    trials: results.length,
    killed: results.filter((r) => r.killed).length,
    before: results.filter((r) => r.observed === 'before').length,
    after: results.filter((r) => r.observed === 'after').length,
    both: results.filter((r) => r.observed === 'both').length,
  };
}

describe('crash safety (SIGKILL)', () => {
  it(`survives ${INJECTED} kills at injected file-system calls (incl. torn writes)`, async () => {
    const saving: CrashOp[] = ['add-save', 'delete-save', 'update-save', 'compact'];
    const counts = new Map<CrashOp, number>();
    for (const op of saving) counts.set(op, (await measure(child, path.join(work, `count-${op}`), 7, op)).calls);
    for (const c of counts.values()) expect(c).toBeGreaterThan(20);
    const r = rng(20240601);
    const specs: TrialSpec[] = Array.from({ length: INJECTED }, (_, i) => {
      const op = saving[i % saving.length]!;
      // killAt in 1..calls+1: the last value lets the operation finish (the 'after' state)
      return { seed: 1000 + i, op, killAt: 1 + Math.floor(r() * (counts.get(op)! + 1)), tear: r() < 0.5 };
    });
    const results = await pool(specs, 2, (s, i) => runTrial(child, path.join(work, `inj-${i}`), s));
    const s = summary(results);
    console.log(`[crash] injected: ${JSON.stringify(s)} calls per op ${JSON.stringify(Object.fromEntries(counts))}`);
    expect(s.trials).toBe(INJECTED);
    // both outcomes occur: kills before the commit point and kills after it
    expect(s.before).toBeGreaterThan(0);
    expect(s.after).toBeGreaterThan(0);
  });

  it(`survives ${TIMED} kills after random delays`, async () => {
    const durations = new Map<CrashOp, number>();
    for (const op of CRASH_OPS) durations.set(op, (await measure(child, path.join(work, `time-${op}`), 11, op)).ms);
    const r = rng(777);
    const specs: TrialSpec[] = Array.from({ length: TIMED }, (_, i) => {
      const op = CRASH_OPS[i % CRASH_OPS.length]!;
      return { seed: 5000 + i, op, killAt: 0, tear: false, delayMs: r() * durations.get(op)! * 1.1 };
    });
    const results = await pool(specs, 2, (s, i) => runTrial(child, path.join(work, `timed-${i}`), s));
    const s = summary(results);
    console.log(`[crash] timed: ${JSON.stringify(s)} op ms ${JSON.stringify(Object.fromEntries([...durations].map(([k, v]) => [k, Math.round(v)])))}`);
    expect(s.trials).toBe(TIMED);
    expect(s.killed).toBeGreaterThan(0);
  });
});

describe('crash safety with the write-ahead log (SIGKILL between add and save)', () => {
  it(`keeps every acknowledged change: ${WAL_TRIALS} kills during unsaved adds, deletes, updates (and a save)`, async () => {
    const ops: CrashOp[] = ['wal-ops', 'wal-save'];
    const counts = new Map<CrashOp, number>();
    for (const op of ops) counts.set(op, (await measure(child, path.join(work, `count-${op}`), 9, op)).calls);
    const r = rng(4242);
    const specs: TrialSpec[] = Array.from({ length: WAL_TRIALS }, (_, i) => {
      const op = ops[i % ops.length]!;
      return { seed: 9000 + i, op, killAt: 1 + Math.floor(r() * (counts.get(op)! + 1)), tear: r() < 0.5 };
    });
    const results = await pool(specs, 2, (s, i) => runTrial(child, path.join(work, `wal-${i}`), s));
    const lostAcked = results.filter((x) => (x.recovered ?? 0) < (x.acks ?? 0)).length;
    const inflight = results.filter((x) => x.killed && (x.recovered ?? 0) > (x.acks ?? 0)).length;
    console.log(`[crash] wal: ${results.length} trials, ${results.filter((x) => x.killed).length} killed, acknowledged steps lost: ${lostAcked}, in-flight step recovered: ${inflight}; calls per op ${JSON.stringify(Object.fromEntries(counts))}`);
    expect(lostAcked).toBe(0);
    expect(results.some((x) => (x.acks ?? 0) > 0 && x.killed)).toBe(true);
  });
});

// The same trials on an index with `storage: 'segments'` (segment files, deletion bitmaps,
// versioned segment lists, dense graphs): TRIDENT_CRASH_SEG_TRIALS (default 80: 60 at injected
// calls, 20 after random delays) plus TRIDENT_CRASH_SEG_WAL_TRIALS (default 20) with the log.
const SEG_TOTAL = Number(process.env.TRIDENT_CRASH_SEG_TRIALS ?? 80);
const SEG_INJECTED = Math.round(SEG_TOTAL * 0.75);
const SEG_WAL = Number(process.env.TRIDENT_CRASH_SEG_WAL_TRIALS ?? 20);

describe("crash safety, storage: 'segments' (SIGKILL)", () => {
  it(`survives ${SEG_INJECTED} kills at injected file-system calls and ${SEG_TOTAL - SEG_INJECTED} after random delays`, async () => {
    const saving: CrashOp[] = ['add-save', 'delete-save', 'update-save', 'compact'];
    const counts = new Map<CrashOp, number>();
    const durations = new Map<CrashOp, number>();
    for (const op of saving) {
      const m = await measure(child, path.join(work, `seg-count-${op}`), 7, op, 'segments');
      counts.set(op, m.calls);
      durations.set(op, m.ms);
    }
    for (const c of counts.values()) expect(c).toBeGreaterThan(20);
    const r = rng(20261206);
    const specs: TrialSpec[] = Array.from({ length: SEG_TOTAL }, (_, i) => {
      const op = saving[i % saving.length]!;
      if (i >= SEG_INJECTED) return { seed: 7000 + i, op, killAt: 0, tear: false, delayMs: r() * durations.get(op)! * 1.1, storage: 'segments' };
      return { seed: 6000 + i, op, killAt: 1 + Math.floor(r() * (counts.get(op)! + 1)), tear: r() < 0.5, storage: 'segments' };
    });
    const results = await pool(specs, 2, (s, i) => runTrial(child, path.join(work, `seg-${i}`), s));
    const s = summary(results);
    // kills inside the segment store's own writes (segment files, deletion bitmaps, graphs,
    // versioned lists under segments/), and of those in segment files proper
    const inSegments = results.filter((x) => x.killedAt?.path.includes(`${path.sep}segments${path.sep}`));
    const inSegmentFiles = inSegments.filter((x) => /seg-\d+\./.test(x.killedAt!.path));
    console.log(`[crash] segments: ${JSON.stringify(s)} calls per op ${JSON.stringify(Object.fromEntries(counts))}; ${inSegments.length} injected kills under segments/, ${inSegmentFiles.length} of them in segment files (${inSegmentFiles.filter((x) => x.spec.tear).length} torn)`);
    expect(s.trials).toBe(SEG_TOTAL);
    expect(inSegmentFiles.length, 'injected kills that land in segment-file writes').toBeGreaterThan(0);
    expect(s.before).toBeGreaterThan(0);
    expect(s.after).toBeGreaterThan(0);
  });

  it(`keeps every acknowledged change: ${SEG_WAL} kills during unsaved changes (and a save) with the log`, async () => {
    const ops: CrashOp[] = ['wal-ops', 'wal-save'];
    const counts = new Map<CrashOp, number>();
    for (const op of ops) counts.set(op, (await measure(child, path.join(work, `seg-wcount-${op}`), 9, op, 'segments')).calls);
    const r = rng(5151);
    const specs: TrialSpec[] = Array.from({ length: SEG_WAL }, (_, i) => {
      const op = ops[i % ops.length]!;
      return { seed: 9500 + i, op, killAt: 1 + Math.floor(r() * (counts.get(op)! + 1)), tear: r() < 0.5, storage: 'segments' };
    });
    const results = await pool(specs, 2, (s, i) => runTrial(child, path.join(work, `seg-wal-${i}`), s));
    const lostAcked = results.filter((x) => (x.recovered ?? 0) < (x.acks ?? 0)).length;
    console.log(`[crash] segments wal: ${results.length} trials, ${results.filter((x) => x.killed).length} killed, acknowledged steps lost: ${lostAcked}`);
    expect(lostAcked).toBe(0);
    expect(results.some((x) => (x.acks ?? 0) > 0 && x.killed)).toBe(true);
  });
});
