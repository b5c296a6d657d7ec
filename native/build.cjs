// Install step of the SIMD addon.
//
// - A package user on a platform trident ships a prebuild for (prebuilds/linux-x64, made by
//   `npm pack`'s prepack step with a baseline x86-64 target and runtime ISA dispatch) needs no
//   compiler: the prebuild is checked to load and nothing is built.
// - Otherwise (no matching prebuild, or the repository's own `npm ci`) the addon is built from
//   source with node-gyp. A failed build is not fatal: trident then runs on its pure-TS kernels,
//   reports backend() = { kind: 'js' } and warns once through its kernel logger when an index
//   first uses them; this script says so on stderr in words npm does not hide.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

if (process.env.TRIDENT_SKIP_NATIVE === '1') {
  console.log('trident: TRIDENT_SKIP_NATIVE=1, native addon not built (TS kernels will be used)');
  process.exit(0);
}

const here = __dirname;
const root = path.dirname(here);
// The repository's own install (`npm ci` in a checkout): always build, so C++ edits are used.
const local = process.env.npm_config_local_prefix !== undefined && path.resolve(process.env.npm_config_local_prefix) === root;

function loads(file) {
  const r = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(file)}); if (typeof a.maxsimF32 !== 'function') process.exit(3)`], { stdio: 'ignore' });
  return r.status === 0;
}

if (!local && process.env.TRIDENT_BUILD_FROM_SOURCE !== '1') {
  let prebuild = null;
  try {
    const found = require('node-gyp-build').path(here);
    if (found.startsWith(path.join(here, 'prebuilds') + path.sep)) prebuild = found;
  } catch {
    // no prebuild for this platform / runtime: build below
  }
  if (prebuild !== null && loads(prebuild)) {
    console.log(`trident: using the prebuilt native addon ${path.relative(root, prebuild)}`);
    process.exit(0);
  }
}

const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, { cwd: here, stdio: 'inherit' });
const built = path.join(here, 'build', 'Release', 'trident_native.node');
function shippedPrebuild() {
  try {
    const found = require('node-gyp-build').path(here);
    return found.startsWith(path.join(here, 'prebuilds') + path.sep) && loads(found) ? found : null;
  } catch {
    return null;
  }
}

if (r.status !== 0 || !fs.existsSync(built) || !loads(built)) {
  const why = `building the native addon from source failed (${r.error ? r.error.message : `exit ${r.status}`})`;
  const pre = shippedPrebuild();
  process.stderr.write(
    pre !== null
      ? `trident: WARNING: ${why}; the shipped prebuild ${path.relative(root, pre)} will be used.\n`
      : `trident: WARNING: ${why} and no shipped prebuild loads on ${process.platform}-${process.arch}, so the pure-TS kernels will be used (much slower). Install a C++ toolchain (g++/clang, make, python3) and run \`npm rebuild trident\`.\n`,
  );
}
process.exit(0);
