// Parent side of the crafted-file fuzz: builds the pristine inputs once, then runs the cases in
// child processes (batches of `batch` cases). A child killed by a signal (SIGSEGV, SIGABRT, an
// ASan abort) is a crash: the case it was running is read from its progress file, recorded,
// and the next child starts after it. Untyped errors (anything but a TridentError) come back
// as JSON lines. Used by crafted-fuzz.test.ts and tools/fuzz/crafted-fuzz.ts.
import { spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPristine } from './crafted.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** What a fuzz run found. */
export interface FuzzReport {
  cases: number;
  /** Per kind: outcome ('ok', 'untyped-error' or a TridentError code) → count. */
  perKind: Record<string, Record<string, number>>;
  crashes: Array<{ case: number; signal: string | null; code: number | null; stderr: string }>;
  untyped: Array<{ case: number; kind: string; what: string; error: string }>;
  seconds: number;
}

/** Runs `cases` cases with `seed`, `batch` per child; `env` is added to the children's. */
export async function runFuzz(opts: { cases: number; seed?: number; batch?: number; env?: Record<string, string>; log?: (s: string) => void }): Promise<FuzzReport> {
  const t0 = Date.now();
  const seed = opts.seed ?? 1;
  const batch = opts.batch ?? 250;
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-crafted-'));
  const report: FuzzReport = { cases: 0, perKind: {}, crashes: [], untyped: [], seconds: 0 };
  try {
    await buildPristine(path.join(root, 'pristine'));
    let next = 0;
    let child = 0;
    while (next < opts.cases) {
      const to = Math.min(opts.cases, next + batch);
      const progress = path.join(root, `progress-${child++}`);
      const res = await runChild(root, seed, next, to, progress, opts.env ?? {});
      absorb(report, res.stdout);
      if (res.signal !== null || res.code !== 0) {
        const at = Number(await fsp.readFile(progress, 'utf8').catch(() => String(next)));
        report.crashes.push({ case: at, signal: res.signal, code: res.code, stderr: res.stderr.slice(-4000) });
        // cases before `at` in this child were not summarised: rerun them (they did not crash)
        if (at > next) {
          const again = await runChild(root, seed, next, at, `${progress}-again`, opts.env ?? {});
          absorb(report, again.stdout);
        }
        next = at + 1;
      } else next = to;
      report.cases = next;
      opts.log?.(`[crafted-fuzz] ${next}/${opts.cases} cases, ${report.crashes.length} crashes, ${report.untyped.length} untyped errors, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await fsp.rm(root, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - t0) / 1000;
  return report;
}

/** Adds a child's output (untyped-error lines, then its summary line) to `report`. */
function absorb(report: FuzzReport, stdout: string): void {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as { summary?: FuzzReport['perKind']; case?: number; kind?: string; what?: string; error?: string };
    if (o.summary) {
      for (const [k, c] of Object.entries(o.summary)) {
        report.perKind[k] ??= {};
        const per = report.perKind[k];
        for (const [oc, n] of Object.entries(c)) per[oc] = (per[oc] ?? 0) + n;
      }
    } else report.untyped.push({ case: o.case!, kind: o.kind!, what: o.what!, error: o.error! });
  }
}

function runChild(root: string, seed: number, from: number, to: number, progress: string, env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, root, String(seed), String(from), String(to), progress], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20000)));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
