/**
 * Kernel fuzzing core (used by tools/fuzz/kernels-fuzz.ts and test/reliability/kernels-fuzz.test.ts).
 *
 * Each case draws a random shape (dim 1…1024 with odd sizes, 0/1-token queries and documents,
 * empty candidates, unaligned typed-array views and candidate starts) and contents (unit
 * vectors, extreme magnitudes, subnormals, zeros, NaN/±Inf sprinkled), runs every kernel
 * (maxsim f32/f16/i8 plain and over the int8 screening sidecar, dots f32/f16/i8 with and
 * without row ids, and the storage conversions) on every native ISA and
 * compares with the pure-TS twin ('js'):
 * - f32 / f16: |native − twin| ≤ 1e-5 · Σ|q_k·d_k| (+1e-30), or both the same ±Inf;
 * - i8: bit-identical to the twin.
 * NaN policy: kernels do not check values (the stores reject non-finite vectors before they
 * reach a kernel, e.g. INVALID_VECTOR); a NaN/±Inf input must not crash and may make the
 * outputs that read it take any value, but every output that reads only finite values must
 * still match. A tenth of the cases are made invalid (short query, candidate past the arena,
 * row id out of range, mismatched lengths): every backend must throw the same typed code.
 */
import { backend, kernels, setIsa } from '../../src/kernels/index.js';
import { f32ToF16, fromF16, quantizeI8, quantizeI8Row, rowSumsI8, toF16 } from '../../src/kernels/f16.js';
import { quantizeI8RowsInto, toF16Into } from '../../src/kernels/convert.js';
import { buildScreen, SCREEN_STATS } from '../../src/kernels/screen.js';
import { buildScreenReference } from '../../src/kernels/screen-reference.js';
import { TridentError } from '../../src/errors.js';
import { rng } from '../../test/helpers/rng.js';

export interface FuzzStats {
  cases: number;
  calls: number;
  invalidCases: number;
  nanCases: number;
  failures: string[];
  isas: string[];
}

type Mode = 'unit' | 'extreme' | 'subnormal' | 'zeros' | 'nan';

/** Copies `src` into a larger buffer at element offset `off` and returns that (unaligned) view. */
function shifted<T extends Float32Array | Uint16Array | Int8Array | Uint32Array>(src: T, off: number): T {
  const C = src.constructor as new (n: number) => T;
  const big = new C(src.length + off + 3);
  big.set(src as never, off);
  return big.subarray(off, off + src.length) as T;
}

function values(r: () => number, n: number, dim: number, mode: Mode): Float32Array {
  const out = new Float32Array(n * dim);
  const big = dim <= 64 ? 1e18 : 1e16;
  for (let i = 0; i < out.length; i++) {
    const u = r() * 2 - 1;
    switch (mode) {
      case 'unit':
        out[i] = u / Math.sqrt(dim);
        break;
      case 'extreme':
        out[i] = r() < 0.3 ? Math.sign(u) * big : r() < 0.5 ? u * 1e-30 : u * 1e3;
        break;
      case 'subnormal':
        out[i] = u * 1e-40;
        break;
      case 'zeros':
        out[i] = r() < 0.8 ? 0 : u;
        break;
      case 'nan':
        out[i] = r() < 0.05 ? [NaN, Infinity, -Infinity][Math.floor(r() * 3)]! : u;
        break;
    }
  }
  return out;
}

function finiteRange(a: Float32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

function close(a: number, b: number, mag: number): boolean {
  if (Object.is(a, b)) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-5 * mag + 1e-30;
}

function codeOf(f: () => void): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof TridentError ? e.code : `untyped ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  }
}

/** Runs `n` seeded cases from `seed` on every ISA of this machine; never throws on a mismatch (see `failures`). */
export function fuzzKernels(seed: number, n: number, opts: { isas?: string[] } = {}): FuzzStats {
  const isas = opts.isas ?? backend().available;
  const stats: FuzzStats = { cases: 0, calls: 0, invalidCases: 0, nanCases: 0, failures: [], isas };
  try {
    for (let c = 0; c < n; c++) runCase(seed + c, isas, stats);
  } finally {
    setIsa('auto');
  }
  return stats;
}

function runCase(seed: number, isas: string[], stats: FuzzStats): void {
  const r = rng(seed);
  const dims = [1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 129, 255, 384, 1023, 1024];
  const dim = r() < 0.8 ? dims[Math.floor(r() * dims.length)]! : 1 + Math.floor(r() * 300);
  const qCount = [0, 1, 1, 2, 3, 5, 8, 13, 32][Math.floor(r() * 9)]!;
  const nVec = [0, 1, 2, 3, 7, 20, 45][Math.floor(r() * 7)]!;
  const modes: Mode[] = ['unit', 'unit', 'extreme', 'subnormal', 'zeros', 'nan'];
  const qMode = modes[Math.floor(r() * modes.length)]!;
  const dMode = modes[Math.floor(r() * modes.length)]!;
  const query = values(r, qCount, dim, qMode);
  const arena = values(r, nVec, dim, dMode);
  const qDots = values(r, 1, dim, qMode);
  if (qMode === 'nan' || dMode === 'nan') stats.nanCases++;
  const nCand = Math.floor(r() * 7);
  const starts = new Uint32Array(nCand);
  const counts = new Uint32Array(nCand);
  for (let i = 0; i < nCand; i++) {
    starts[i] = nVec === 0 ? 0 : Math.floor(r() * nVec);
    counts[i] = nVec === 0 ? 0 : Math.floor(r() * (nVec - starts[i]! + 1));
  }
  const rowIds = nVec === 0 ? new Uint32Array(0) : Uint32Array.from({ length: Math.floor(r() * 9) }, () => Math.floor(r() * nVec));
  const f16 = toF16(arena);
  const i8 = quantizeI8(arena, dim);
  const off = 1 + Math.floor(r() * 3);
  // screening sidecars built by the TS twin, so every backend reads the same input
  const scr32 = { i8: new Int8Array(nVec * dim), stats: new Float32Array(nVec * SCREEN_STATS) };
  const scr16 = { i8: new Int8Array(nVec * dim), stats: new Float32Array(nVec * SCREEN_STATS) };
  buildScreenReference(arena, dim, 0, nVec, scr32.i8, scr32.stats);
  buildScreenReference(f16, dim, 0, nVec, scr16.i8, scr16.stats);
  const i8Sums = new Int32Array(nVec);
  rowSumsI8(i8.data, dim, 0, nVec, i8Sums);
  const invalid = r() < 0.1 ? Math.floor(r() * 4) : -1;
  stats.cases++;

  // per-output magnitudes Σ|q·d| and whether an output reads a non-finite value
  // (f16 runs read the decoded halves: 1e18 becomes +Inf there)
  const half = fromF16(f16);
  const pairMag = (qv: Float32Array, qo: number, v: number, a: Float32Array) => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += Math.abs(qv[qo + k]! * a[v * dim + k]!);
    return s;
  };
  const qFinite = finiteRange(query, 0, query.length);
  const msStats = (a: Float32Array) => {
    const mag: number[] = [];
    const clean: boolean[] = [];
    for (let i = 0; i < nCand; i++) {
      let m = 0;
      for (let q = 0; q < qCount; q++) for (let j = 0; j < counts[i]!; j++) m = Math.max(m, pairMag(query, q * dim, starts[i]! + j, a));
      mag.push(m);
      clean.push((qFinite || counts[i] === 0) && finiteRange(a, starts[i]! * dim, (starts[i]! + counts[i]!) * dim) && Number.isFinite(m));
    }
    return { mag, clean };
  };
  const ms32 = msStats(arena);
  const ms16 = msStats(half);
  const msMag = ms32.mag;
  const msClean = ms32.clean;
  const dFinite = finiteRange(qDots, 0, dim);
  const rowMag = (v: number, a = arena) => pairMag(qDots, 0, v, a);
  const rowClean = (v: number, a = arena) => dFinite && finiteRange(a, v * dim, v * dim + dim) && Number.isFinite(rowMag(v, a));

  type Run = (k: typeof kernels, o: Float32Array) => void;
  const runs: Array<{ name: string; n: number; run: Run; exact: boolean; mag: (i: number) => number; clean: (i: number) => boolean }> = [
    { name: 'maxsimF32', n: nCand, exact: false, mag: (i) => msMag[i]!, clean: (i) => msClean[i]!, run: (k, o) => k.maxsimF32(shifted(query, off), qCount, dim, shifted(arena, off), shifted(starts, off), shifted(counts, 1), o) },
    { name: 'maxsimF16', n: nCand, exact: false, mag: (i) => ms16.mag[i]!, clean: (i) => ms16.clean[i]!, run: (k, o) => k.maxsimF16(shifted(query, off), qCount, dim, shifted(f16, off), shifted(starts, 1), shifted(counts, off), o) },
    { name: 'maxsimF32Screen', n: nCand, exact: false, mag: (i) => msMag[i]!, clean: (i) => msClean[i]!, run: (k, o) => k.maxsimF32Screen(shifted(query, off), qCount, dim, shifted(arena, off), shifted(scr32.i8, off), shifted(scr32.stats, 1), starts, counts, o) },
    { name: 'maxsimF16Screen', n: nCand, exact: false, mag: (i) => ms16.mag[i]!, clean: (i) => ms16.clean[i]!, run: (k, o) => k.maxsimF16Screen(query, qCount, dim, shifted(f16, 1), shifted(scr16.i8, 1), scr16.stats, shifted(starts, off), counts, o) },
    { name: 'maxsimI8 sums', n: nCand, exact: true, mag: () => 0, clean: (i) => msClean[i]!, run: (k, o) => k.maxsimI8(query, qCount, dim, shifted(i8.data, off), i8.scales, shifted(starts, 1), counts, o, shifted(i8Sums, off)) },
    { name: 'maxsimI8', n: nCand, exact: true, mag: () => 0, clean: (i) => msClean[i]!, run: (k, o) => k.maxsimI8(shifted(query, 1), qCount, dim, shifted(i8.data, off), shifted(i8.scales, off), starts, counts, o) },
    { name: 'dotsF32', n: nVec, exact: false, mag: rowMag, clean: rowClean, run: (k, o) => k.dotsF32(shifted(qDots, off), dim, shifted(arena, off), null, o) },
    { name: 'dotsF16', n: nVec, exact: false, mag: (v) => rowMag(v, half), clean: (v) => rowClean(v, half), run: (k, o) => k.dotsF16(shifted(qDots, 1), dim, shifted(f16, off), null, o) },
    { name: 'dotsI8', n: nVec, exact: true, mag: () => 0, clean: rowClean, run: (k, o) => k.dotsI8(qDots, dim, shifted(i8.data, off), shifted(i8.scales, 1), null, o) },
    {
      name: 'dotsF32 ids',
      n: rowIds.length,
      exact: false,
      mag: (i) => rowMag(rowIds[i]!),
      clean: (i) => rowClean(rowIds[i]!),
      run: (k, o) => k.dotsF32(qDots, dim, shifted(arena, off), shifted(rowIds, off), o),
    },
    {
      name: 'dotsI8 ids',
      n: rowIds.length,
      exact: true,
      mag: () => 0,
      clean: (i) => rowClean(rowIds[i]!),
      run: (k, o) => k.dotsI8(shifted(qDots, off), dim, i8.data, i8.scales, shifted(rowIds, 1), o),
    },
  ];

  if (invalid >= 0) {
    stats.invalidCases++;
    const bad: Array<[string, (k: typeof kernels) => void]> = [
      ['short query', (k) => k.maxsimF32(query.subarray(0, Math.max(0, query.length - 1)), qCount, dim, arena, starts, counts, new Float32Array(nCand))],
      ['candidate past the arena', (k) => k.maxsimF16(query, qCount, dim, f16, Uint32Array.of(nVec), Uint32Array.of(1), new Float32Array(1))],
      ['row id out of range', (k) => k.dotsF32(qDots, dim, arena, Uint32Array.of(nVec + 5), new Float32Array(1))],
      ['out length mismatch', (k) => k.maxsimI8(query, qCount, dim, i8.data, i8.scales, starts, counts, new Float32Array(nCand + 1))],
    ];
    const [what, call] = bad[invalid]!;
    setIsa('js');
    const want = codeOf(() => call(kernels));
    stats.calls++;
    if (!/^(INVALID_ARGUMENT|DIMENSION_MISMATCH)$/.test(want) && !(what === 'short query' && qCount === 0 && want === 'ok')) {
      stats.failures.push(`seed ${seed}: js ${what} → ${want}`);
    }
    for (const isa of isas) {
      setIsa(isa);
      const got = codeOf(() => call(kernels));
      stats.calls++;
      if (got !== want) stats.failures.push(`seed ${seed}: ${isa} ${what} → ${got}, js → ${want}`);
    }
  }

  // storage conversions: bit-identical to the twins on every ISA, NaN/±Inf/subnormals included
  for (const isa of isas) {
    setIsa(isa);
    const h = new Uint16Array(arena.length + off);
    toF16Into(shifted(arena, off), h, off);
    for (let i = 0; i < arena.length; i++)
      if (h[off + i] !== f32ToF16(arena[i]!)) {
        stats.failures.push(`seed ${seed}: ${isa} toF16Into[${i}] of ${arena[i]}`);
        break;
      }
    const q8 = new Int8Array(arena.length),
      sc = new Float32Array(nVec);
    const rq8 = new Int8Array(arena.length),
      rsc = new Float32Array(nVec);
    quantizeI8RowsInto(arena, dim, q8, 0, sc, 0);
    for (let v = 0; v < nVec; v++) rsc[v] = quantizeI8Row(arena, v * dim, dim, rq8, v * dim);
    // bytes exactly; floats exactly except that any NaN equals any NaN (payloads carry no meaning)
    const same = (a: Int8Array | Float32Array, b: Int8Array | Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    if (!same(q8, rq8) || !same(sc, rsc)) stats.failures.push(`seed ${seed}: ${isa} quantizeI8RowsInto differs from the twin (dim ${dim}, ${dMode})`);
    for (const [name, rows, ref] of [
      ['f32', arena, scr32],
      ['f16', f16, scr16],
    ] as const) {
      const i8b = new Int8Array(nVec * dim),
        stb = new Float32Array(nVec * SCREEN_STATS);
      buildScreen(rows, dim, 0, nVec, i8b, stb);
      if (!same(i8b, ref.i8) || !same(stb, ref.stats)) stats.failures.push(`seed ${seed}: ${isa} buildScreen ${name} differs from the twin (dim ${dim}, ${dMode})`);
    }
    stats.calls += 4;
  }

  for (const run of runs) {
    setIsa('js');
    const ref = new Float32Array(run.n);
    run.run(kernels, ref);
    stats.calls++;
    for (const isa of isas) {
      setIsa(isa);
      const out = shifted(new Float32Array(run.n).fill(-12345), off);
      try {
        run.run(kernels, out);
      } catch (e) {
        stats.failures.push(`seed ${seed}: ${isa} ${run.name} threw ${(e as Error).message} (dim ${dim} q ${qCount} v ${nVec})`);
        continue;
      }
      stats.calls++;
      for (let i = 0; i < run.n; i++) {
        if (!run.clean(i)) continue; // NaN policy: any value
        const ok = run.exact ? Object.is(out[i], ref[i]) : close(out[i]!, ref[i]!, run.mag(i));
        if (!ok) {
          stats.failures.push(`seed ${seed}: ${isa} ${run.name}[${i}] = ${out[i]}, js twin = ${ref[i]} (dim ${dim}, q ${qCount}, vectors ${nVec}, modes ${qMode}/${dMode})`);
          break;
        }
      }
    }
  }
}
