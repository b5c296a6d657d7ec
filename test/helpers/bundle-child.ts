// Bundles a reliability-test child script (with esbuild, so each child starts in a fraction of a
// second) into node_modules/.cache, where its bare imports resolve. The heavy packages the
// children never use (fake encoder, plain analyser) are stubbed out.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STUBBED = /^(wink-nlp|wink-eng-lite-web-model|onnxruntime-node|@huggingface\/tokenizers|@huggingface\/transformers)$/;

/** Bundles `entry` (a path relative to the repository root); returns the bundle's path. */
export async function bundleChildScript(entry: string, cacheName: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = path.join(ROOT, 'node_modules/.cache', cacheName, `child-${process.pid}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
    plugins: [
      {
        name: 'stub-heavy-packages',
        setup(b) {
          b.onResolve({ filter: STUBBED }, (a) => ({ path: a.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
        },
      },
    ],
  });
  return outfile;
}
