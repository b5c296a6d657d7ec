// Runs crash trials: bundles child.ts once (esbuild, so each child starts in a fraction of a
// second), spawns one child per trial, kills it (at an injected file-system call or after a
// random delay), then checks the directory against reference copies.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';
import { fingerprint, referenceFingerprint, type Doc } from '../corpus.js';
import { applySteps, makePlan, usesWal, type CrashOp } from './plan.js';
import { GENERATIONS_KEPT, type ExternalId } from '../../../src/store/index.js';
import { bundleChildScript } from '../../helpers/bundle-child.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles the child into node_modules/.cache (so its bare imports resolve); returns its path. */
export function bundleChild(): Promise<string> {
  return bundleChildScript('test/reliability/crash/child.ts', 'trident-crash');
}

export interface TrialSpec {
  seed: number;
  op: CrashOp;
  /** Kill at this file-system call (0: never). */
  killAt: number;
  tear: boolean;
  /** Kill this many ms after the child is armed (timing-based trials). */
  delayMs?: number;
  /** The index's storage (default: generations). */
  storage?: 'segments';
}

export interface TrialResult {
  spec: TrialSpec;
  killed: boolean;
  calls: number | null;
  armedToExitMs: number;
  observed: 'before' | 'after' | 'both';
  /** Write-ahead-log trials: steps acknowledged before the kill, and steps found after reopening. */
  acks?: number;
  recovered?: number;
  /** Injected kills: the call and the file it was about (`KILLAT` from the child). */
  killedAt?: { op: string; path: string };
}

function runChild(child: string, dir: string, spec: TrialSpec): Promise<{ killed: boolean; calls: number | null; acks: number; ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, JSON.stringify({ dir, seed: spec.seed, op: spec.op, killAt: spec.killAt, tear: spec.tear, ...(spec.storage ? { storage: spec.storage } : {}) })], {
      env: { ...process.env, TRIDENT_NATIVE_DIR: path.join(ROOT, 'native') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!armedAt && out.includes('ARMED')) {
        armedAt = performance.now();
        if (spec.delayMs !== undefined) timer = setTimeout(() => p.kill('SIGKILL'), spec.delayMs);
      }
    });
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const m = /DONE (\d+)/.exec(out);
      if (!armedAt) return reject(new Error(`crash child failed before arming (code ${code}, signal ${signal}): ${err}`));
      if (signal !== 'SIGKILL' && code !== 0) return reject(new Error(`crash child failed (code ${code}): ${err}`));
      resolve({ killed: signal === 'SIGKILL', calls: m ? Number(m[1]) : null, acks: (out.match(/ACK \d+/g) ?? []).length, ms: performance.now() - armedAt, stderr: err });
    });
  });
}

/** Runs one trial in `work` (a fresh folder) and checks the outcome; throws on a violation. */
export async function runTrial(child: string, work: string, spec: TrialSpec): Promise<TrialResult> {
  const dir = path.join(work, 'index');
  const plan = makePlan(spec.seed, spec.op);
  const before = new Map<ExternalId, Doc>(plan.base.map((d) => [d.id, d]));
  const saves = plan.steps.some((s) => s.kind === 'save');
  const after = saves ? applySteps(before, plan.steps) : before;
  const run = await runChild(child, dir, spec);
  if (usesWal(spec.op)) return runWalTrial(dir, spec, plan, before, run);
  const [fpBefore, fpAfter] = await Promise.all([referenceFingerprint(before.values()), referenceFingerprint(after.values())]);
  const encoder = new FakeEncoder();
  let index: HybridIndex;
  try {
    index = await HybridIndex.open(dir, { encoder });
  } catch (e) {
    throw new Error(`trial ${JSON.stringify(spec)}: open after the crash failed: ${(e as Error).message}`);
  }
  const fp = await fingerprint(index);
  const isBefore = fp === fpBefore;
  const isAfter = fp === fpAfter;
  if (!isBefore && !isAfter) throw new Error(`trial ${JSON.stringify(spec)}: the reopened index is neither the state before nor after the operation`);
  if (!run.killed && !isAfter) throw new Error(`trial ${JSON.stringify(spec)}: the operation completed but the index is not the state after it`);
  // default (HNSW) search works on whatever was recovered
  await index.search('alpha beta', { k: 5 });
  // a later save succeeds and cleans up whatever the crash left behind
  const state = isAfter ? after : before;
  const extra: Doc = { id: 'later', text: 'a later document about rivers and stones', metadata: { rev: 9 } };
  const recovered = manifestGeneration(dir);
  await index.add([extra]);
  await index.save();
  await index.close();
  // left: the manifest, the new generation, and committed generations kept for readers (at
  // most GENERATIONS_KEPT, none newer than the recovered one); no temporaries, no lock files
  // (segments storage: plus `segments/`, which must hold no temporaries)
  const listing = (await fsp.readdir(dir)).sort().filter((n) => !(spec.storage === 'segments' && n === 'segments'));
  const gens = listing.filter((n) => /^gen-\d+$/.test(n)).map((n) => Number(n.slice(4)));
  const now = manifestGeneration(dir);
  if (listing.length !== gens.length + 1 || !listing.includes('manifest.json') || !gens.includes(now) || gens.length > 1 + GENERATIONS_KEPT || gens.some((g) => g !== now && g > recovered)) {
    throw new Error(`trial ${JSON.stringify(spec)}: after a later save the directory holds ${listing.join(', ')}`);
  }
  if (spec.storage === 'segments') {
    const tmp = (await fsp.readdir(path.join(dir, 'segments'), { recursive: true })).filter((n) => /\.tmp$/.test(n));
    if (tmp.length > 0) throw new Error(`trial ${JSON.stringify(spec)}: after a later save segments/ holds temporaries ${tmp.join(', ')}`);
  }
  const again = await HybridIndex.open(dir, { encoder });
  const fpLater = await fingerprint(again);
  await again.close();
  if (fpLater !== (await referenceFingerprint([...state.values(), extra]))) throw new Error(`trial ${JSON.stringify(spec)}: the later save did not persist`);
  const at = /KILLAT (\S+) (.*)/.exec(run.stderr);
  return { spec, killed: run.killed, calls: run.calls, armedToExitMs: run.ms, observed: isBefore && isAfter ? 'both' : isBefore ? 'before' : 'after', ...(at ? { killedAt: { op: at[1]!, path: at[2]! } } : {}) };
}

/**
 * Write-ahead-log trials: every acknowledged step must survive, so the reopened index must be
 * the state after step j with acks ≤ j ≤ acks + 1 (the step in flight may or may not have
 * become durable), and never anything else.
 */
async function runWalTrial(dir: string, spec: TrialSpec, plan: ReturnType<typeof makePlan>, base: Map<ExternalId, Doc>, run: { killed: boolean; calls: number | null; acks: number }): Promise<TrialResult> {
  const states = [base];
  for (const s of plan.steps) states.push(applySteps(states[states.length - 1]!, [s]));
  const encoder = new FakeEncoder();
  let index: HybridIndex;
  try {
    index = await HybridIndex.open(dir, { encoder });
  } catch (e) {
    throw new Error(`wal trial ${JSON.stringify(spec)}: open after the crash failed: ${(e as Error).message}`);
  }
  // replayed deletes are tombstones until the next save, which BM25 statistics count: compare
  // without BM25 here; the full fingerprint (BM25 included) is checked after the save below
  const fp = await fingerprint(index, { bm25: false });
  const hi = run.killed ? Math.min(run.acks + 1, plan.steps.length) : plan.steps.length;
  let found = -1;
  for (let j = run.acks; j <= hi && found < 0; j++) if (fp === (await referenceFingerprint(states[j]!.values(), { bm25: false }))) found = j;
  if (found < 0) throw new Error(`wal trial ${JSON.stringify(spec)}: ${run.acks} steps were acknowledged but the reopened index is none of the states after steps ${run.acks}..${hi}`);
  const extra: Doc = { id: 'later', text: 'a later document about rivers and stones', metadata: { rev: 9 } };
  await index.add([extra]); // logged; then saved
  await index.save();
  await index.close();
  const again = await HybridIndex.open(dir, { encoder });
  const ok = (await fingerprint(again)) === (await referenceFingerprint([...states[found]!.values(), extra]));
  await again.close();
  if (!ok) throw new Error(`wal trial ${JSON.stringify(spec)}: the later add + save did not persist`);
  return { spec, killed: run.killed, calls: run.calls, armedToExitMs: 0, observed: found === 0 ? 'before' : 'after', acks: run.acks, recovered: found };
}

function manifestGeneration(dir: string): number {
  return (JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { generation: number }).generation;
}

/** Counts the file-system calls and times an uninterrupted run of `op`. */
export async function measure(child: string, work: string, seed: number, op: CrashOp, storage?: 'segments'): Promise<{ calls: number; ms: number }> {
  const r = await runChild(child, path.join(work, 'index'), { seed, op, killAt: 0, tear: false, ...(storage ? { storage } : {}) });
  return { calls: r.calls ?? 0, ms: r.ms };
}

/** Runs `tasks` with at most `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
