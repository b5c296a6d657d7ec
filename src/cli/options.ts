/**
 * Declarative command-line options: one table per command gives the parser, the validation and
 * the `--help` text, so the help always lists every option the parser accepts, with its
 * default. Everything is checked before a command does any work: unknown options (with the
 * closest valid one), numbers, choices, and missing values. Problems are `INVALID_ARGUMENT`
 * {@link TridentError}s whose message is one line.
 */
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import { editDistance } from '../options.js';

/** One option of a command. */
export interface OptionSpec {
  /** Long name without the dashes. */
  name: string;
  /** `flag` takes no value; `int` and `number` are checked with {@link OptionSpec.min}; `choice` against `choices`; `list` is comma-separated (each item checked against `choices` when given). */
  kind: 'string' | 'int' | 'number' | 'choice' | 'list' | 'flag';
  /** Placeholder shown in the help (`<dir>`, `N`, …). */
  value?: string;
  /** Allowed values of `choice` and `list`. */
  choices?: readonly string[];
  /** Smallest accepted number (`int`, `number`). */
  min?: number;
  /** Default, as shown in the help and used when the option is absent. */
  default?: string;
  /** What happens when the option is absent, for the help, when there is no `default` value ("all", "no BM25"). */
  absent?: string;
  /** One-line description. */
  help: string;
}

/** One command: its usage line, options, and the input formats it reads. */
export interface CommandSpec {
  name: string;
  /** Positional part of the usage line, e.g. `<dir> "<query>"`. */
  args: string;
  summary: string;
  options: readonly OptionSpec[];
  /** Lines of the "Input formats" help section. */
  formats?: readonly string[];
  /** Extra help lines (notes, examples). */
  notes?: readonly string[];
}

/** Parsed values: strings, numbers, booleans or string lists, keyed by option name. */
export type OptionValues = Record<string, string | number | boolean | string[] | undefined>;

export { editDistance };

/**
 * The candidate closest to `word` by edit distance (ties: the first in `candidates`), or
 * undefined when even the closest needs more edits than half its length (no useful guess).
 *
 * @example
 * ```ts
 * closest('modle', ['model', 'mode', 'k']); // 'model'
 * ```
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.ceil(best.length / 2)) ? best : undefined;
}

function fail(cmd: string, message: string): never {
  throw new InvalidArgumentError('INVALID_ARGUMENT', `${cmd}: ${message} (see trident ${cmd} --help)`);
}

/** Why `raw` is not a valid value of `o`, or the parsed value. */
function convert(cmd: string, o: OptionSpec, raw: string): string | number | string[] {
  const flag = `--${o.name}`;
  switch (o.kind) {
    case 'int':
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n) || (o.kind === 'int' && !Number.isInteger(n))) fail(cmd, `${flag} needs ${o.kind === 'int' ? 'an integer' : 'a number'}, got '${raw}'`);
      if (o.min !== undefined && n < o.min) fail(cmd, `${flag} must be at least ${o.min}, got ${raw}`);
      return n;
    }
    case 'choice':
      if (!o.choices!.includes(raw)) {
        const near = closest(raw, o.choices!);
        fail(cmd, `${flag} '${raw}' is not one of ${o.choices!.join(', ')}${near ? `; did you mean '${near}'?` : ''}`);
      }
      return raw;
    case 'list': {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0) fail(cmd, `${flag} needs a comma-separated list`);
      if (o.choices) {
        for (const it of items) {
          if (!o.choices.includes(it)) {
            const near = closest(it, o.choices);
            fail(cmd, `${flag}: unknown value '${it}'${near ? `; did you mean '${near}'?` : ''} (valid: ${o.choices.join(', ')})`);
          }
        }
      }
      return items;
    }
    default:
      return raw;
  }
}

/**
 * Parses and validates `argv` (the words after the command name) against `spec`. Options
 * absent from argv take their default. `--help`/`-h` is reported as `help: true`.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommand(INDEX_SPEC, ['corpus.jsonl', '--out', 'idx', '--limit', '100']);
 * values.limit; // 100
 * ```
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): { values: OptionValues; positionals: string[]; help: boolean } {
  const names = spec.options.map((o) => o.name);
  // Unknown options first, so a typo is named with the closest valid option.
  for (const a of argv) {
    if (a === '--') break;
    if (a === '-h' || a === '--help') return { values: {}, positionals: [], help: true };
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) continue;
    const name = a.replace(/^--?/, '').split('=')[0]!;
    if (!names.includes(name)) {
      const near = closest(name, names);
      fail(spec.name, `unknown option '${a.split('=')[0]}'${near ? `; did you mean '--${near}'?` : ''}`);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(spec.options.map((o) => [o.name, { type: o.kind === 'flag' ? 'boolean' : 'string' } as const])),
    });
  } catch (e) {
    // node's messages are already one line ("Option '--out <value>' argument missing")
    fail(spec.name, (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
  const values: OptionValues = {};
  for (const o of spec.options) {
    const raw = parsed.values[o.name];
    if (o.kind === 'flag') {
      values[o.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw : o.default;
    if (text === undefined) continue;
    if (typeof raw === 'string' && raw.startsWith('--')) fail(spec.name, `--${o.name} needs a value, got the option '${raw}'`);
    values[o.name] = convert(spec.name, o, text);
  }
  return { values, positionals: parsed.positionals, help: false };
}

/**
 * The `--help` text of a command: usage, every option with its value, choices and default,
 * then the input formats and notes.
 *
 * @example
 * ```ts
 * process.stdout.write(formatHelp(INDEX_SPEC));
 * ```
 */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`Usage: trident ${spec.name} ${spec.args} [options]`, '', spec.summary, '', 'Options:'];
  const left = spec.options.map((o) => `  --${o.name}${o.kind === 'flag' ? '' : ` ${o.value ?? (o.kind === 'int' || o.kind === 'number' ? 'N' : '<value>')}`}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  spec.options.forEach((o, i) => {
    const extra = [o.choices && o.kind === 'choice' ? `one of ${o.choices.join(', ')}` : '', o.choices && o.kind === 'list' ? `comma-separated, from ${o.choices.join(', ')}` : '', o.default !== undefined ? `default: ${o.default}` : o.absent !== undefined ? `default: ${o.absent}` : ''].filter(Boolean);
    lines.push(`${left[i]!.padEnd(width)}${o.help}${extra.length ? ` (${extra.join('; ')})` : ''}`);
  });
  lines.push(`${'  -h, --help'.padEnd(width)}this help`);
  if (spec.formats?.length) lines.push('', 'Input formats:', ...spec.formats.map((f) => `  ${f}`));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** `flag` value of an option (false when absent). */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
