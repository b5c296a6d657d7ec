/**
 * Long-running kernel fuzzer: `npx tsx tools/fuzz/kernels-fuzz.ts [--seconds 60] [--seed 1] [--cases N]`.
 * Runs seeded random cases (see kernels-core.ts) on every native ISA of this machine against
 * the pure-TS twins until the time or case budget is spent; prints progress and every
 * mismatch; exits 1 on any mismatch. tools/asan.sh runs it under AddressSanitizer.
 */
import { backend, setIsa } from '../../src/kernels/index.js';
import { fuzzKernels } from './kernels-core.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const seconds = arg('seconds', 60);
const maxCases = arg('cases', Number.MAX_SAFE_INTEGER);
let seed = arg('seed', 1);
setIsa('auto');
const b = backend();
if (b.kind !== 'native') {
  console.error(`native kernels are not loaded (backend ${JSON.stringify(b)}); nothing to compare`);
  process.exit(2);
}
console.log(`fuzzing kernels: ISAs ${b.available.join(', ')} vs the TS twins, seed ${seed}, ${seconds}s`);
const t0 = Date.now();
let cases = 0;
let calls = 0;
let invalid = 0;
let nan = 0;
const failures: string[] = [];
let lastReport = t0;
while (Date.now() - t0 < seconds * 1000 && cases < maxCases) {
  const batch = Math.min(50, maxCases - cases);
  const s = fuzzKernels(seed, batch);
  seed += batch;
  cases += s.cases;
  calls += s.calls;
  invalid += s.invalidCases;
  nan += s.nanCases;
  for (const f of s.failures) {
    failures.push(f);
    console.log(`MISMATCH ${f}`);
  }
  if (Date.now() - lastReport > 10_000) {
    lastReport = Date.now();
    console.log(`${((Date.now() - t0) / 1000).toFixed(0)}s: ${cases} cases, ${calls} kernel calls, ${failures.length} mismatches`);
  }
}
console.log(JSON.stringify({ seconds: (Date.now() - t0) / 1000, cases, kernelCalls: calls, invalidCases: invalid, nanCases: nan, isas: b.available, mismatches: failures.length, nextSeed: seed }));
process.exit(failures.length ? 1 : 0);
