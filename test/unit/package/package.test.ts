// The package as a user meets it: the README's five-minute snippet is a runnable file, the
// package refuses require() with a message saying it is ESM-only, `node -e "import('trident')"`
// works from any directory (usearch's ES build used to recurse forever there), and the build
// emits no source maps pointing at sources the tarball does not ship.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'trident-package-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('package surface', () => {
  it('examples/five-minutes.mjs is the README block "API in five minutes", verbatim', () => {
    const block = /## API in five minutes\n\n```ts\n([\s\S]*?)```\n/.exec(read('README.md'))?.[1];
    expect(block).toBeDefined();
    const file = read('examples/five-minutes.mjs').replace(/^(\/\/.*\n)+\n/, '');
    expect(file).toBe(block);
  });

  it('require("trident") fails with a message that says the package is ESM-only', () => {
    const r = spawnSync(process.execPath, ['-e', "require('trident')"], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/trident is ESM-only/);
    expect(r.stderr).toMatch(/import\('trident'\)/);
    const pkg = JSON.parse(read('package.json')) as { exports: Record<string, Record<string, string>>; files: string[] };
    expect(pkg.exports['.']!.require).toBe('./esm-only.cjs');
    expect(pkg.files).toContain('esm-only.cjs');
  });

  it('import() from `node -e` (CommonJS eval, __dirname = ".") loads usearch and searches', () => {
    const code = "import('./src/index.ts').then(async (m) => { const d = m.DenseIndex.create({ dimensions: 2 });" + ' d.add(0, [1, 0]); d.add(1, [0, 1]); console.log("ids", Array.from(d.search([0.9, 0.1], 1).ids).join()); })' + '.catch((e) => { console.error(String(e)); process.exit(1); })';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/RangeError/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('ids 0');
  });

  it('emits no source maps (the package ships dist/, not src/*.ts)', () => {
    const ts = JSON.parse(read('tsconfig.json')) as { compilerOptions: Record<string, unknown> };
    expect(ts.compilerOptions.sourceMap).toBe(false);
    expect(ts.compilerOptions.declarationMap ?? false).toBe(false);
    expect(ts.compilerOptions.inlineSourceMap ?? false).toBe(false);
  });

  it('ships the linux-x64 prebuild and the native sources for the fallback build', () => {
    const pkg = JSON.parse(read('package.json')) as { files: string[]; scripts: Record<string, string> };
    expect(pkg.files).toContain('native/prebuilds/linux-x64');
    expect(pkg.files).toEqual(expect.arrayContaining(['native/*.cc', 'native/*.h', 'native/binding.gyp', 'native/build.cjs']));
    expect(pkg.scripts.prepack).toMatch(/tools\/prepack\.cjs/);
    expect(pkg.scripts.install).toBe('node native/build.cjs');
  });
});

describe('import cost', () => {
  it('vega, vega-lite and onnxruntime-node are imported lazily (only dynamic imports in src/)', () => {
    const r = spawnSync('grep', ['-rnE', "^import [^t].*from '(vega|vega-lite|onnxruntime-node)'|^import '(vega|vega-lite|onnxruntime-node)'", join(ROOT, 'src')], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
  });

  it('import("trident") does not load onnxruntime-node (CommonJS, visible in the module cache)', () => {
    const code = "import('./src/index.ts').then(async (m) => { const cache = () => Object.keys(require('node:module')._cache).filter((p) => /node_modules\\/(onnxruntime-node|vega|vega-lite)\\//.test(p));" + ' console.log(cache().length, typeof m.HybridIndex); })';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('0 function');
  });
});
