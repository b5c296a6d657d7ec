// Benchmark runner (`npm run bench`): runs the selected suites one after the other, each as
// its own child process (memory and CPU isolated; a native crash fails that suite only),
// collects the JSON each wrote to bench/results/, writes bench/results/summary.md (one table
// per suite: p50, p99, baseline and ratio, quality beside latency, backend/ISA) and, with
// --plot, SVG charts into bench/results/ (--update-charts also copies them to bench/charts/).
//
//   npm run bench                       quick set (a few minutes)
//   npm run bench -- e2e scale --plot   chosen suites (or TRIDENT_BENCH_SUITES=e2e,scale)
//   npm run bench -- all --full         every suite at its own defaults (long)
//   npm run bench -- --summary-only --plot   re-summarise / re-plot existing results
//   npm run bench -- --list
// Run it nice'd on a shared machine: `nice npm run bench` (children inherit the niceness).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchCharts } from './lib/charts.js';
import { BENCH_DIR, CHARTS_DIR, RESULTS_DIR } from './lib/results.js';
import { suiteSection } from './lib/summary.js';
import { SUITES, parseRunArgs, suiteEnv, type RunOptions, type Suite } from './lib/suites.js';

const TIMEOUT_MIN = Number(process.env.TRIDENT_BENCH_TIMEOUT_MIN ?? 90);

interface Outcome {
  suite: Suite;
  files: string[];
  status: 'ok' | 'failed' | 'not run';
  detail: string;
  seconds: number;
}

function jsonFiles(): Map<string, number> {
  const m = new Map<string, number>();
  if (!existsSync(RESULTS_DIR)) return m;
  for (const f of readdirSync(RESULTS_DIR)) if (f.endsWith('.json')) m.set(f, statSync(join(RESULTS_DIR, f)).mtimeMs);
  return m;
}

/** A suite's result files are `<name>.json` and `<name>-*.json`. */
function ownFile(s: Suite, f: string): boolean {
  return f === `${s.name}.json` || (f.startsWith(`${s.name}-`) && f.endsWith('.json'));
}

/** Result files of a suite that was not run now. */
function existingFiles(s: Suite): string[] {
  return [...jsonFiles().keys()].filter((f) => ownFile(s, f)).sort();
}

function runSuite(s: Suite, profile: 'quick' | 'full'): Promise<Outcome> {
  const before = jsonFiles();
  const t0 = performance.now();
  process.stderr.write(`\n=== ${s.name} (${profile}) — ${s.about}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...s.nodeArgs, '--import', 'tsx', join(BENCH_DIR, s.file)], {
      cwd: join(BENCH_DIR, '..'),
      env: suiteEnv(s, profile, process.env),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MIN * 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const after = jsonFiles();
      // only this suite's files (other processes may write results meanwhile)
      const files = [...after]
        .filter(([f, t]) => ownFile(s, f) && (before.get(f) ?? -1) < t)
        .map(([f]) => f)
        .sort();
      const seconds = (performance.now() - t0) / 1000;
      const ok = code === 0 && signal === null;
      const detail = ok ? `${seconds.toFixed(0)} s` : signal ? `killed by ${signal}${signal === 'SIGTERM' ? ` (timeout ${TIMEOUT_MIN} min?)` : ''}` : `exit code ${code}`;
      resolve({ suite: s, files, status: ok ? 'ok' : 'failed', detail, seconds });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ suite: s, files: [], status: 'failed', detail: e.message, seconds: 0 });
    });
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8'));
  } catch (e) {
    return { skipped: `cannot read ${file}: ${(e as Error).message}` };
  }
}

function summaryMarkdown(outcomes: Outcome[], profile: string): string {
  const out = [
    '# Benchmark summary',
    '',
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} · profile ${profile}`,
    '',
    'p50/p99 in ms; "× vs baseline" = baseline p50 / p50 (> 1: faster than the baseline measured in the same run).',
    '',
    '| suite | status | files |',
    '|---|---|---|',
    ...outcomes.map((o) => `| ${o.suite.name} | ${o.status}${o.detail ? ` (${o.detail})` : ''} | ${o.files.join(', ') || '–'} |`),
    '',
  ];
  for (const o of outcomes) {
    for (const f of o.files) out.push(suiteSection(o.files.length > 1 ? `${o.suite.name} (${f})` : o.suite.name, readJson(f)));
    if (o.files.length === 0) out.push(`## ${o.suite.name}`, '', o.status === 'failed' ? `Failed: ${o.detail}; no result file written.` : 'No result file.', '');
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  let opts: RunOptions;
  try {
    opts = parseRunArgs(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  if (opts.help || opts.list) {
    process.stdout.write('suites (* = in the quick set):\n');
    for (const s of SUITES) process.stdout.write(`  ${s.inQuick ? '*' : ' '} ${s.name.padEnd(12)} ${s.about}\n`);
    process.stdout.write('\noptions: [suite|all …] --full --plot --update-charts --summary-only --list (env: TRIDENT_BENCH_SUITES, TRIDENT_BENCH_PROFILE=full, TRIDENT_BENCH_TIMEOUT_MIN)\n');
    return 0;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const outcomes: Outcome[] = [];
  for (const name of opts.suites) {
    const s = SUITES.find((x) => x.name === name)!;
    if (opts.summaryOnly) {
      outcomes.push({ suite: s, files: existingFiles(s), status: 'not run', detail: 'existing results', seconds: 0 });
      continue;
    }
    const o = await runSuite(s, opts.profile);
    process.stderr.write(`=== ${s.name}: ${o.status} (${o.detail})${o.files.length ? `, wrote ${o.files.join(', ')}` : ''}\n`);
    outcomes.push(o);
  }
  const md = summaryMarkdown(outcomes, opts.profile);
  writeFileSync(join(RESULTS_DIR, 'summary.md'), md);
  process.stdout.write(`${md}\n`);
  process.stderr.write(`bench: wrote ${join(RESULTS_DIR, 'summary.md')}\n`);
  if (opts.plot) {
    const load = (f: string) => (existsSync(join(RESULTS_DIR, f)) ? readJson(f) : undefined);
    const charts = await benchCharts({ e2e: load('e2e.json'), scale: load('scale.json'), peers: load('peers.json') });
    if (charts.length === 0) process.stderr.write('bench: no chart to draw (needs e2e.json, scale.json or peers.json)\n');
    for (const c of charts) {
      writeFileSync(join(RESULTS_DIR, c.file), c.svg);
      process.stderr.write(`bench: wrote ${join(RESULTS_DIR, c.file)}\n`);
      if (opts.updateCharts) {
        mkdirSync(CHARTS_DIR, { recursive: true });
        copyFileSync(join(RESULTS_DIR, c.file), join(CHARTS_DIR, c.file));
        process.stderr.write(`bench: updated ${join(CHARTS_DIR, c.file)}\n`);
      }
    }
  }
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
