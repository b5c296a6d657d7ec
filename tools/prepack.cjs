// `npm pack` / `npm publish` prepack step:
// 1. rebuilds dist/ from scratch (tsc never deletes stale outputs, e.g. old .map files);
// 2. makes the linux-x64 prebuild of the SIMD addon with prebuildify (Node-API, stripped) in
//    native/prebuilds/linux-x64/, built for the baseline x86-64 target (native/binding.gyp) with
//    every wider ISA behind runtime dispatch, and checks that it loads and offers 'serial'.
// Packing on another platform fails unless TRIDENT_PACK_NO_PREBUILD=1 (the tarball then has
// no prebuild and its users build from source).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const native = path.join(root, 'native');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`prepack: ${[cmd, ...args].join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
  }
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'tsconfig.json']);

if (process.env.TRIDENT_PACK_NO_PREBUILD === '1') {
  console.log('prepack: TRIDENT_PACK_NO_PREBUILD=1, no prebuild packed');
  process.exit(0);
}
if (`${process.platform}-${process.arch}` !== 'linux-x64') {
  console.error(`prepack: the package ships a linux-x64 prebuild and this is ${process.platform}-${process.arch}; pack on linux-x64 or set TRIDENT_PACK_NO_PREBUILD=1`);
  process.exit(1);
}

fs.rmSync(path.join(native, 'prebuilds'), { recursive: true, force: true });
const env = { ...process.env };
// node-gyp from npm when run by npm; prebuildify spawns it directly, so it must be executable.
const gyp = process.env.npm_config_node_gyp;
const args = [require.resolve('prebuildify/bin.js', { paths: [root] }), '--napi', '--strip', '--tag-libc', '--target', process.versions.node];
if (gyp) args.push('--node-gyp', gyp);
run(process.execPath, args, { cwd: native, env });

const dir = path.join(native, 'prebuilds', 'linux-x64');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
if (files.length !== 1) {
  console.error(`prepack: expected one prebuild in ${dir}, found ${files.length}`);
  process.exit(1);
}
const file = path.join(dir, files[0]);
const a = require(file);
if (typeof a.maxsimF32 !== 'function' || !a.available().includes('serial')) {
  console.error(`prepack: ${file} does not export the kernels`);
  process.exit(1);
}
console.log(`prepack: ${path.relative(root, file)} (${fs.statSync(file).size} bytes), ISAs here: ${a.available().join(', ')}`);
