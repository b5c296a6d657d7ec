import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, editDistance, formatHelp, parseCommand } from '../../../src/cli/options.js';
import { COMMANDS, EVAL_SPEC, INDEX_SPEC, SEARCH_SPEC, TRAIN_SPEC } from '../../../src/cli/specs.js';
import { TridentError } from '../../../src/errors.js';

/** Oracle: the textbook recursive definition of the optimal-string-alignment distance. */
function osa(a: string, b: string): number {
  const memo = new Map<string, number>();
  const go = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let v = Math.min(go(i - 1, j) + 1, go(i, j - 1) + 1, go(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, go(i - 2, j - 2) + 1);
    memo.set(key, v);
    return v;
  };
  return go(a.length, b.length);
}

function rejects(spec: typeof INDEX_SPEC, argv: string[]): string {
  try {
    parseCommand(spec, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(TridentError);
    expect((e as TridentError).code).toBe('INVALID_ARGUMENT');
    expect((e as Error).message).not.toContain('\n'); // one line
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('editDistance / closest', () => {
  it('equals the recursive OSA definition on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 7 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 7 }), (a, b) => {
        expect(editDistance(a, b)).toBe(osa(a, b));
      }),
      { numRuns: 300 },
    );
  });
  it('counts a transposition as one edit and suggests nothing for far words', () => {
    expect(editDistance('modle', 'model')).toBe(1);
    expect(editDistance('limt', 'limit')).toBe(1);
    expect(closest('modle', ['model', 'mode', 'k'])).toBe('model');
    expect(
      closest(
        'confgs',
        EVAL_SPEC.options.map((o) => o.name),
      ),
    ).toBe('configs');
    expect(closest('xyzzyplugh', ['k', 'mode'])).toBeUndefined();
  });
});

describe('parseCommand', () => {
  it('names an unknown option and the closest valid one, in one line', () => {
    expect(rejects(INDEX_SPEC, ['c.jsonl', '--out', 'x', '--limt', '5'])).toMatch(/unknown option '--limt'; did you mean '--limit'\?/);
    expect(rejects(SEARCH_SPEC, ['d', 'q', '--modle', 'x'])).toMatch(/did you mean '--model'/);
    expect(rejects(SEARCH_SPEC, ['d', 'q', '--k=3', '--explian'])).toMatch(/unknown option '--explian'; did you mean '--explain'/);
    expect(rejects(SEARCH_SPEC, ['d', 'q', '--zzzzzzzz'])).not.toMatch(/did you mean/);
  });
  it('checks numbers before any work: not a number, not an integer, below the minimum', () => {
    expect(rejects(INDEX_SPEC, ['c.jsonl', '--out', 'x', '--limit', 'abc'])).toMatch(/--limit needs an integer, got 'abc'/);
    expect(rejects(INDEX_SPEC, ['c.jsonl', '--out', 'x', '--limit', '1.5'])).toMatch(/--limit needs an integer/);
    expect(rejects(INDEX_SPEC, ['c.jsonl', '--out', 'x', '--limit', '0'])).toMatch(/--limit must be at least 1/);
    expect(rejects(INDEX_SPEC, ['c.jsonl', '--out', 'x', '--limit', ''])).toMatch(/--limit needs an integer/);
    expect(rejects(SEARCH_SPEC, ['d', 'q', '--k', '10x'])).toMatch(/--k needs an integer, got '10x'/);
    expect(rejects(TRAIN_SPEC, ['--out', 'o', '--lr', 'fast'])).toMatch(/--lr needs a number/);
    expect(rejects(TRAIN_SPEC, ['--out', 'o', '--batch-size', '1'])).toMatch(/--batch-size must be at least 2/);
    expect(parseCommand(TRAIN_SPEC, ['--out', 'o', '--lr', '2e-3']).values.lr).toBe(0.002);
  });
  it('checks choices and list items, suggesting the closest', () => {
    expect(rejects(SEARCH_SPEC, ['d', 'q', '--mode', 'dens'])).toMatch(/--mode 'dens' is not one of all, dense, .*; did you mean 'dense'\?/);
    expect(rejects(INDEX_SPEC, ['c', '--out', 'x', '--bm25', 'englsh'])).toMatch(/did you mean 'english'/);
    expect(rejects(EVAL_SPEC, ['d', '--beir', 'b', '--configs', 'dense,al-rrf'])).toMatch(/unknown value 'al-rrf'; did you mean 'all-rrf'/);
    expect(parseCommand(EVAL_SPEC, ['d', '--configs', 'dense, bm25']).values.configs).toEqual(['dense', 'bm25']);
  });
  it('reports a missing value instead of taking the next option as the value', () => {
    expect(rejects(INDEX_SPEC, ['c.jsonl', '--out'])).toMatch(/--out/);
    expect(rejects(SEARCH_SPEC, ['d', 'q', '--model', '--json'])).toMatch(/--model/);
  });
  it('applies defaults, parses flags and keeps positionals', () => {
    const r = parseCommand(SEARCH_SPEC, ['idx', 'what is bm25', '--explain']);
    expect(r.positionals).toEqual(['idx', 'what is bm25']);
    expect(r.values).toMatchObject({ k: 10, model: 'builtin:static-en', explain: true, json: false, verbose: false });
    expect(r.values.mode).toBeUndefined(); // the index's default search
    expect(parseCommand(SEARCH_SPEC, ['idx', 'q', '--channels', 'dense,bm25']).values.channels).toBe('dense,bm25');
    expect(parseCommand(SEARCH_SPEC, ['idx', 'q', '--k=3']).values.k).toBe(3);
    expect(parseCommand(SEARCH_SPEC, ['idx', 'q', '-h']).help).toBe(true);
  });
});

describe('formatHelp', () => {
  it('lists every option of every command with its default, and the input formats', () => {
    for (const spec of COMMANDS) {
      const help = formatHelp(spec);
      expect(help).toContain(`Usage: trident ${spec.name}`);
      for (const o of spec.options) {
        expect(help).toContain(`--${o.name}`);
        const shown = o.default ?? o.absent;
        if (shown !== undefined) expect(help).toContain(`default: ${shown}`);
        for (const c of o.choices ?? []) expect(help).toContain(c);
      }
    }
    const train = formatHelp(TRAIN_SPEC);
    expect(train).toContain('Input formats:');
    expect(train).toContain('{"query": "…", "positive": "…"}');
    expect(formatHelp(INDEX_SPEC)).toContain('"_id" (or "id")');
  });
});
