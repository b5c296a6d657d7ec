// The NEON kernels (native/kernels_neon.cc: f32 / f16 / i8 MaxSim and dots, binary and
// residual codes) against the serial kernels, on an x86 machine: the harness
// test/native/neon-parity.cc is cross-compiled for aarch64 with the addon's flags and run
// under qemu-aarch64 user-mode emulation. Runs where both tools are installed (Debian:
// `apt-get install g++-aarch64-linux-gnu qemu-user`), on aarch64 itself with the native
// compiler; skipped elsewhere, saying why.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const onArm = process.arch === 'arm64';
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
const cxx = onArm ? (process.env.CXX ?? 'g++') : 'aarch64-linux-gnu-g++';
const runner = onArm ? null : 'qemu-aarch64';
const ready = has(cxx) && (runner === null || has(runner));
const why = `needs ${cxx}${runner ? ` and ${runner}` : ''} (Debian: apt-get install g++-aarch64-linux-gnu qemu-user)`;

describe('NEON kernels vs serial (aarch64)', () => {
  it.skipIf(!ready)(
    `f32 / f16 within 1e-5, i8 and codes bit for bit, on random shapes (${ready ? 'cross-compiled, qemu' : why})`,
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-neon-'));
      try {
        const exe = path.join(dir, 'neon-parity');
        // the addon's flags (native/binding.gyp), statically linked so qemu needs no aarch64 sysroot
        const flags = ['-std=c++17', '-O3', '-fno-exceptions', '-fno-math-errno', '-ffp-contract=off', '-march=armv8-a', ...(onArm ? [] : ['-static'])];
        const sources = ['test/native/neon-parity.cc', 'native/kernels_neon.cc', 'native/kernels_serial.cc'].map((f) => path.join(root, f));
        const build = spawnSync(cxx, [...flags, '-o', exe, ...sources], { encoding: 'utf8' });
        expect(build.status, build.stderr).toBe(0);
        const run = spawnSync(runner ?? exe, runner ? [exe] : [], { encoding: 'utf8', timeout: 300_000 });
        expect(run.stdout, run.stderr).toMatch(/^neon-parity ok (\d+)$/m);
        expect(Number(/neon-parity ok (\d+)/.exec(run.stdout)![1])).toBe(90);
        expect(run.status).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    600_000,
  );
});
