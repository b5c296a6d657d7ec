// Hostile regular expressions in tokenizer.json (issue 13 item 8): tokenizers.js compiles them
// into backtracking RegExps, and `(a|aa)+$` took 341 ms on 28 characters (exponential). Such
// patterns are now refused at load with MODEL_INVALID; every real pattern (the fixtures' and
// the known pre-tokenizers of GPT-2, Llama-3, Qwen2, GPT-4o, DeepSeek) still loads.
// Oracle for "dangerous": the pattern really blows up in V8 (measured on a small input below),
// and for "safe": real tokenizers use it.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TridentError } from '../../../src/errors.js';
import { checkTokenizerPatterns, KNOWN_TOKENIZER_PATTERNS, regexDanger } from '../../../src/encode/regex-guard.js';
import { TextTokenizer } from '../../../src/encode/tokenizer.js';
import { FamilyTokenizer } from '../../../src/encode/family-tokenizer.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'trident-regex-guard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tokenizerFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tokenizerFiles(p));
    else if (name === 'tokenizer.json') out.push(p);
  }
  return out;
}

const HOSTILE = ['(a|aa)+$', '(a+)+$', '(a*)*b', '([a-z]+)*$', '(\\w+\\s?)+$', '(?:a|a)*$', '(a?a)+$', '(.*a){12}', '(x+x+)+y', '\\s*\\s*\\s*\\s*x', '(a|b|ab)*c', '(\\p{L}|\\p{Ll})+$', '(a)\\1+', '(?<x>a)\\k<x>'];

const SAFE = [' {2,}', '\\s+', '\\p{N}{1,3}', '(?:\\r\\n)+', '(?:ab|cd)+', "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", '[[:alpha:]]+', '\\x{3000}+'];

/** A fixture tokenizer.json with a Split pre-tokenizer on `pattern` in front of its own. */
function withPattern(pattern: string): string {
  const src = tokenizerFiles(join(FIXTURES, 'models', 'tiny-m3'))[0]!;
  const json = JSON.parse(readFileSync(src, 'utf8')) as Record<string, unknown>;
  const split = { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false };
  json.pre_tokenizer = { type: 'Sequence', pretokenizers: [split, json.pre_tokenizer] };
  const file = join(root, `t-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('tokenizer.json regular expressions', () => {
  it('the hostile patterns really backtrack super-linearly in V8 (the oracle for "dangerous")', () => {
    // the fastest of 5 runs: a pause of the shared machine (GC, another process) inflates one
    // run, never all five
    const time = (re: RegExp, s: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        re.test(s);
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    // (a|aa)+$ on 'a'×n + 'b' tries Fibonacci(n) paths: +10 characters ≈ ×120 the work
    const re = /(a|aa)+$/u;
    time(re, `${'a'.repeat(12)}b`); // compile and warm up
    const short = time(re, `${'a'.repeat(14)}b`);
    const long = time(re, `${'a'.repeat(24)}b`);
    expect(long).toBeGreaterThan(Math.max(short, 0.01) * 10);
  });

  it('refuses every hostile pattern, with and without the allow-list', () => {
    for (const p of HOSTILE) {
      expect(regexDanger(p), p).not.toBeNull();
      expect(regexDanger(p, { allowList: false }), p).not.toBeNull();
    }
  });

  it('accepts the known real patterns on the static check alone, and other safe ones', () => {
    for (const p of [...KNOWN_TOKENIZER_PATTERNS, ...SAFE]) {
      expect(regexDanger(p, { allowList: false }), p).toBeNull();
      expect(() => new RegExp(p.replaceAll('(?i:', '(?:').replace('[[:alpha:]]', '[a-z]').replace('\\x{3000}', '\\u3000'), 'u'), p).not.toThrow();
    }
  });

  it('a tokenizer.json with (a|aa)+$ is refused at load by both loaders, naming file and pattern', async () => {
    const file = withPattern('(a|aa)+$');
    for (const load of [() => TextTokenizer.load(file), () => FamilyTokenizer.load(file)]) {
      const t0 = performance.now();
      const err = await load().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, 'the hostile tokenizer loaded').toBeInstanceOf(TridentError);
      expect((err as TridentError).code).toBe('MODEL_INVALID');
      expect((err as Error).message).toContain('(a|aa)+$');
      expect((err as Error).message).toContain('pre_tokenizer.pretokenizers[0].pattern.Regex');
      expect(performance.now() - t0).toBeLessThan(5000);
    }
  });

  it('a safe extra Split pattern still loads and tokenizes', async () => {
    const tok = await TextTokenizer.load(withPattern(' {2,}'));
    expect(tok.encode('hello world', 16).ids.length).toBeGreaterThan(2);
  });

  it('every fixture tokenizer.json passes the check and loads', async () => {
    const files = tokenizerFiles(FIXTURES);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      expect(() => checkTokenizerPatterns(JSON.parse(readFileSync(f, 'utf8')), f), f).not.toThrow();
      const tok = await FamilyTokenizer.load(f);
      expect(tok, f).toBeDefined();
    }
  });

  it('a non-string Regex is MODEL_INVALID', () => {
    expect(() => checkTokenizerPatterns({ normalizer: { pattern: { Regex: 5 } } }, 'x.json')).toThrow(/MODEL_INVALID/);
  });
});
