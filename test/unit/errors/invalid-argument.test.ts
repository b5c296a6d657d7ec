/**
 * Every INVALID_ARGUMENT is an InvalidArgumentError (issue 15):
 * 1. `invalid()` maps every code it is used with to InvalidArgumentError;
 * 2. a source scan: no `new <AnyOtherError>('INVALID_ARGUMENT'` remains in src/ (single- or
 *    multi-line), so no throw site can construct the base class with that code;
 * 3. a walk over cheap public paths that reject bad arguments (CLI, eval, stores, loaders,
 *    composition, remote clients) checks the thrown class, not only the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseConfigs, metricCutoff } from '../../../src/cli/eval-command.js';
import { compareTables } from '../../../src/cli/eval-format.js';
import { parseCommand } from '../../../src/cli/options.js';
import { runCli, type CliIo } from '../../../src/cli/run.js';
import { INDEX_SPEC } from '../../../src/cli/specs.js';
import { readCorpus } from '../../../src/cli/corpus.js';
import { evaluateRun } from '../../../src/eval/evaluate.js';
import { invalid, type ErrorCode } from '../../../src/errors.js';
import { InvalidArgumentError, type TridentError, composeEncoders, compare, createAnalyzer, createCohereReranker, createOpenAIEncoder, HybridIndex, loadEncoder, loadFamilyEncoder, MultiVectorStore, searchExpanded, SparseIndex } from '../../../src/index.js';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('INVALID_ARGUMENT is always an InvalidArgumentError', () => {
  it('invalid() throws InvalidArgumentError for every code it is given', () => {
    for (const code of ['INVALID_ARGUMENT', 'INVALID_TEXT', 'DIMENSION_MISMATCH', 'INVALID_VECTOR', 'DUPLICATE_ID', 'UNKNOWN_ID'] as ErrorCode[]) {
      let e: unknown;
      try {
        invalid(code, 'x');
      } catch (err) {
        e = err;
      }
      expect(e, code).toBeInstanceOf(InvalidArgumentError);
      expect((e as TridentError).code).toBe(code);
      expect((e as Error).name).toBe('InvalidArgumentError');
    }
  });

  it('no source file constructs another error class with INVALID_ARGUMENT', () => {
    const bad: string[] = [];
    const pattern = /new\s+(\w+)\(\s*'INVALID_ARGUMENT'/g;
    for (const f of files(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(pattern)) if (m[1] !== 'InvalidArgumentError') bad.push(`${f.slice(SRC.length + 1)}: new ${m[1]}('INVALID_ARGUMENT'`);
    }
    expect(bad).toEqual([]);
    // the scan itself finds the sites it must accept (it is not vacuous)
    const ok = files(SRC).reduce((n, f) => n + [...readFileSync(f, 'utf8').matchAll(pattern)].length, 0);
    expect(ok).toBeGreaterThan(10);
  });

  it('cheap public paths throw the subclass, not the base class', async () => {
    const cases: Array<[string, () => unknown]> = [
      ['cli parse: unknown option', () => parseCommand(INDEX_SPEC, ['--nope'])],
      ['cli: eval metric', () => metricCutoff('bleu@10')],
      ['cli: eval configs', () => chooseConfigs(['bm25'], { dense: true, sparse: false, multivector: false, bm25: false } as never, '/x')],
      ['cli: compare tables', () => compareTables({ rows: [{ name: 'a', result: {} as never }] } as never, { rows: [{ name: 'b', result: {} as never }] } as never, 'ndcg@10')],
      ['cli: corpus missing', () => readCorpus('/nonexistent/corpus.jsonl')],
      ['evaluateRun: empty qrels', () => evaluateRun(new Map(), new Map())],
      ['compare: permutations', () => compare({ a: { m: 1 }, b: { m: 1 } }, { a: { m: 1 }, b: { m: 2 } }, 'm', { permutations: 0 })],
      ['analyzer kind', () => createAnalyzer('klingon' as never)],
      ['sparse scorer', () => SparseIndex.create({ scorer: 'tfidf' as never })],
      ['multivector dim', () => MultiVectorStore.create({ dim: 0 })],
      ['HybridIndex.create without encoder', () => HybridIndex.create({} as never)],
      ['loadEncoder: unknown option', () => loadEncoder('builtin:static-en', { dtyp: 'int8' } as never)],
      ['loadEncoder: unknown preset', () => loadEncoder('builtin:static-en', { preset: 'no-such-preset' })],
      ['loadEncoder: family option on an M3 layout', () => loadEncoder('builtin:static-en', { padding: 'left' })],
      ['loadFamilyEncoder: an M3 preset', () => loadFamilyEncoder('BAAI/bge-m3')],
      ['composeEncoders: nothing', () => composeEncoders({})],
      ['searchExpanded: no functions', () => searchExpanded('q', null as never, null as never)],
      ['createOpenAIEncoder: no model', () => createOpenAIEncoder({} as never)],
      ['createCohereReranker: no model', () => createCohereReranker({} as never)],
    ];
    for (const [name, f] of cases) {
      const e = await thrown(f);
      expect(e, name).toBeInstanceOf(InvalidArgumentError);
      expect((e as TridentError).code, name).toBe('INVALID_ARGUMENT');
    }
    // the CLI maps it to exit code 2 with the code in its message
    const errs: string[] = [];
    const io: CliIo = {
      out: () => {},
      err: (s: string) => {
        errs.push(s);
      },
      errIsTTY: false,
    };
    const code = await runCli(['search'], io);
    expect(code).not.toBe(0);
    expect(errs.join('')).toContain('INVALID_ARGUMENT');
  });
});
