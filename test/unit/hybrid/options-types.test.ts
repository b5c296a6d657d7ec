// Compile-time checks of the public option types: the TypeScript compiler itself (its API, on
// a snippet importing src/index.ts) must refuse `{ kind: 'rrf', weights }`, `limit`, and accept
// the valid forms, `await using` and the typed stats()/get() results.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(new URL('../../..', import.meta.url).pathname);

/** Type-checks `code` (one line per case) and returns the 1-based lines that have errors. */
function errorLines(code: string): Map<number, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-types-'));
  const file = path.join(dir, 'snippet.ts');
  fs.writeFileSync(file, code);
  try {
    const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const program = ts.createProgram([file], { ...parsed.options, noEmit: true, rootDir: undefined, outDir: undefined, skipLibCheck: true });
    const out = new Map<number, string>();
    for (const d of ts.getPreEmitDiagnostics(program, program.getSourceFile(file))) {
      if (!d.file || d.start === undefined) continue;
      const line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
      out.set(line, ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('option types (checked by the compiler)', () => {
  it('refuse rrf + weights, unknown keys and rrfK on weighted fusion; accept the valid forms', () => {
    const src = path.join(ROOT, 'src', 'index.js');
    const lines = [
      `import { HybridIndex, type IndexStats, type StoredDocument, type SearchOptions, type FusionOptions } from ${JSON.stringify(src)};`,
      'declare const index: HybridIndex;',
      "const bad1: SearchOptions = { fusion: { kind: 'rrf', weights: [1, 1, 1] } };", // 3
      'const bad2: SearchOptions = { limit: 5 };', // 4
      "const bad3: FusionOptions = { kind: 'weighted', rrfK: 60 };", // 5
      'const bad4: FusionOptions = { weights: [1, 1, 1] };', // 6: fuse() needs a kind
      "const ok1: SearchOptions = { k: 5, fusion: { kind: 'rrf', rrfK: 30 }, includeText: true, signal: AbortSignal.timeout(10) };", // 7
      'const ok2: SearchOptions = { fusion: { weights: [1, 0.3, 1] } };', // 8
      "const ok3: FusionOptions = { kind: 'dbsf', weights: [1, 1, 1] };", // 9
      'const s: IndexStats = index.stats(); const n: number = s.documents + (s.multivector?.bytesPerDoc ?? 0);', // 10
      "async function f(): Promise<string | undefined> { const [d] = await index.get(['a']); const doc: StoredDocument | null | undefined = d; return doc?.text; }", // 11
      'async function g(): Promise<void> { await using i = index; await i.save({ signal: AbortSignal.timeout(1000) }); }', // 12
      'export { bad1, bad2, bad3, bad4, ok1, ok2, ok3, n, f, g };',
    ];
    const errs = errorLines(lines.join('\n'));
    expect([...errs.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5, 6]);
    expect(errs.get(3)).toMatch(/weights/);
    expect(errs.get(4)).toMatch(/limit/);
    expect(errs.get(5)).toMatch(/rrfK/);
  }, 120_000);
});
