/**
 * The `trident` command line as a function: `runCli(argv, io)` parses, validates and runs one
 * command and returns its exit code (0 done, 1 usage, 2 error). Every option is checked before
 * any work starts; errors are one line on `io.err`. The bin entry (main.ts) only calls this.
 */
import { InvalidArgumentError, TridentError } from '../errors.js';
import { closest, formatHelp, parseCommand, type CommandSpec } from './options.js';
import { BENCH_SPEC, COMMANDS, EVAL_SPEC, EXPORT_SPEC, INDEX_SPEC, SEARCH_SPEC, TRAIN_SPEC } from './specs.js';

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether stderr is a terminal (progress bars redraw in place). */
  errIsTTY: boolean;
}

/** The process's stdout/stderr. */
export const processIo: CliIo = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  errIsTTY: Boolean(process.stderr.isTTY),
};

/**
 * The overview printed by `trident --help`.
 *
 * @example
 * ```ts
 * process.stdout.write(usage());
 * ```
 */
export function usage(): string {
  const lines = ['trident — in-process hybrid retrieval (dense + sparse + multi-vector)', '', 'Usage:'];
  for (const c of COMMANDS) lines.push(`  trident ${c.name} ${c.args} [options]`);
  lines.push('', 'Run `trident <command> --help` for every option, its default and the input formats.');
  lines.push('<source> is a hub id (BAAI/bge-m3, aapot/bge-m3-onnx, …), a local model directory, or builtin:static-en (default).');
  return `${lines.join('\n')}\n`;
}

function parse(spec: CommandSpec, argv: readonly string[], io: CliIo) {
  const r = parseCommand(spec, argv);
  if (r.help) io.out(formatHelp(spec));
  return r;
}

/** Refuses positionals beyond `max` (an unquoted query is the usual cause). */
function atMost(positionals: string[], max: number, spec: CommandSpec, hint: string): void {
  if (positionals.length > max) throw new InvalidArgumentError('INVALID_ARGUMENT', `${spec.name}: unexpected argument '${positionals[max]}' (${hint}; see trident ${spec.name} --help)`);
}

function need(cond: unknown, spec: CommandSpec, what: string): void {
  if (!cond) throw new InvalidArgumentError('INVALID_ARGUMENT', `${spec.name} needs ${what} (see trident ${spec.name} --help)`);
}

/**
 * Runs one `trident` command.
 *
 * @example
 * ```ts
 * const code = await runCli(['search', 'my-index', 'what is bm25', '--k', '5'], processIo);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      (cmd ? io.out : io.err)(usage());
      return cmd ? 0 : 1;
    }
    switch (cmd) {
      case 'index': {
        const { values, positionals, help } = parse(INDEX_SPEC, rest, io);
        if (help) return 0;
        need(positionals[0], INDEX_SPEC, '<corpus>');
        atMost(positionals, 1, INDEX_SPEC, 'index takes one corpus file or folder');
        need(values.out, INDEX_SPEC, '--out <dir>');
        const { runIndex } = await import('./commands.js');
        await runIndex(
          {
            corpus: positionals[0]!,
            out: values.out as string,
            model: values.model as string,
            ...(values.chunking ? { chunking: values.chunking as 'late' | 'ordinary' } : {}),
            ...(values.bm25 ? { bm25: values.bm25 as 'english' } : {}),
            ...(values.limit !== undefined ? { limit: values.limit as number } : {}),
            ...(values.threads !== undefined ? { threads: values.threads as number } : {}),
            ...(values.force === true ? { overwrite: true } : {}),
            ...(values.storage === 'segments' ? { storage: 'segments' as const } : {}),
          },
          io,
        );
        return 0;
      }
      case 'search': {
        const { values, positionals, help } = parse(SEARCH_SPEC, rest, io);
        if (help) return 0;
        need(positionals[0] && positionals[1] !== undefined, SEARCH_SPEC, '<dir> and "<query>"');
        atMost(positionals, 2, SEARCH_SPEC, 'put a query of several words in quotes');
        const { runSearchCommand } = await import('./commands.js');
        await runSearchCommand(
          {
            dir: positionals[0]!,
            query: positionals[1]!,
            model: values.model as string,
            k: values.k as number,
            ...(values.mode !== undefined ? { mode: values.mode as 'all' } : {}),
            ...(typeof values.channels === 'string'
              ? {
                  channels: (values.channels as string)
                    .split(',')
                    .map((c) => c.trim())
                    .filter(Boolean),
                }
              : {}),
            explain: values.explain === true,
            json: values.json === true,
            verbose: values.verbose === true,
          },
          io,
        );
        return 0;
      }
      case 'eval': {
        const { values, positionals, help } = parse(EVAL_SPEC, rest, io);
        if (help) return 0;
        atMost(positionals, values.compare ? 2 : 1, EVAL_SPEC, values.compare ? '--compare takes two result files' : 'eval takes one index directory');
        const { runEvalCommand } = await import('./eval-command.js');
        return await runEvalCommand(values, positionals, io);
      }
      case 'export': {
        const { values, positionals, help } = parse(EXPORT_SPEC, rest, io);
        if (help) return 0;
        need(positionals[0], EXPORT_SPEC, '<index dir>');
        atMost(positionals, 1, EXPORT_SPEC, 'export takes one index directory');
        need(values.qdrant, EXPORT_SPEC, '--qdrant <url>');
        need(values.collection, EXPORT_SPEC, '--collection <name>');
        const { runExportCommand } = await import('./export-command.js');
        return await runExportCommand(positionals[0]!, values, io);
      }
      case 'bench': {
        const { help } = parse(BENCH_SPEC, rest, io);
        if (help) return 0;
        // Benchmarks live in the repository's bench/ folder (not in the published package).
        const { spawnSync } = await import('node:child_process');
        const { existsSync } = await import('node:fs');
        const { fileURLToPath } = await import('node:url');
        const runner = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
        if (!existsSync(runner)) throw new TridentError('UNSUPPORTED', 'trident bench needs a checkout of the repository (bench/ is not published); run `npm run bench` there');
        const r = spawnSync(process.execPath, ['--import', 'tsx', runner, ...rest], { stdio: 'inherit' });
        return r.status ?? 1;
      }
      case 'train-static': {
        const { values, positionals, help } = parse(TRAIN_SPEC, rest, io);
        if (help) return 0;
        atMost(positionals, 0, TRAIN_SPEC, 'every input is given by an option');
        const { runTrainCommand } = await import('./train-command.js');
        return await runTrainCommand(values, io);
      }
      default: {
        const near = closest(
          cmd,
          COMMANDS.map((c) => c.name),
        );
        io.err(`trident: unknown command '${cmd}'${near ? `; did you mean '${near}'?` : ''}\n\n${usage()}`);
        return 1;
      }
    }
  } catch (e) {
    if (e instanceof TridentError) io.err(`trident: ${e.message}\n`);
    else io.err(`trident: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}
