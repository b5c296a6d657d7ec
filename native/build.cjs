// Builds the SIMD addon at install time. A failed build is not fatal: trident
// then runs on its pure-TS kernels and reports backend() = { kind: 'js' }.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
if (process.env.TRIDENT_SKIP_NATIVE === '1') {
  console.log('trident: TRIDENT_SKIP_NATIVE=1, native addon not built (TS kernels will be used)');
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, { cwd: __dirname, stdio: 'inherit' });
if (r.status !== 0) {
  console.log('trident: native addon build failed; the pure-TS kernels will be used (slower).');
}
process.exit(0);
