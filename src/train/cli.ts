/**
 * `trident train-static --pairs <jsonl> [--corpus <jsonl>] [--init glove|<model dir>] --out <dir>`
 * [--steps N] [--batch-size N] [--seed N] [--lr X] [--builtin-data].
 */
import { InvalidArgumentError } from '../errors.js';
import { trainStatic, type TrainStaticOptions } from './trainer.js';

const USAGE = 'usage: trident train-static --pairs <jsonl> [--corpus <jsonl>] [--init glove|<model dir>] --out <dir> [--steps N] [--batch-size N] [--seed N] [--lr X] [--builtin-data]';

/**
 * Runs `trident train-static` with the arguments after the command name; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await trainStaticCli(['--corpus', 'docs.jsonl', '--init', 'builtin-model-dir', '--out', 'my-model']);
 * ```
 */
export async function trainStaticCli(argv: string[], log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<number> {
  const opts: Partial<TrainStaticOptions> & { log: (m: string) => void } = { log };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new InvalidArgumentError('INVALID_ARGUMENT', `${flag} needs a number. ${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!, v = argv[i + 1];
    const val = (): string => {
      if (v === undefined || v.startsWith('--')) throw new InvalidArgumentError('INVALID_ARGUMENT', `${a} needs a value. ${USAGE}`);
      i++;
      return v;
    };
    switch (a) {
      case '--pairs': opts.pairs = val(); break;
      case '--corpus': opts.corpus = val(); break;
      case '--init': opts.init = val(); break;
      case '--out': opts.outDir = val(); break;
      case '--steps': opts.steps = num(a, val()); break;
      case '--batch-size': opts.batchSize = num(a, val()); break;
      case '--seed': opts.seed = num(a, val()); break;
      case '--lr': { const x = num(a, val()); opts.lrEmb = x; opts.lrHead = x; break; }
      case '--builtin-data': opts.builtinSources = true; break;
      case '-h': case '--help': log(USAGE); return 0;
      default: throw new InvalidArgumentError('INVALID_ARGUMENT', `unknown option ${a}. ${USAGE}`);
    }
  }
  if (opts.outDir === undefined) throw new InvalidArgumentError('INVALID_ARGUMENT', `--out is required. ${USAGE}`);
  if (opts.pairs === undefined && opts.corpus === undefined && !opts.builtinSources) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `give --pairs and/or --corpus (or --builtin-data). ${USAGE}`);
  }
  const res = await trainStatic(opts as TrainStaticOptions);
  log(`trained ${res.metrics.steps} steps on ${res.metrics.pairs} pairs in ${res.metrics.seconds.toFixed(0)} s → ${res.outDir}`);
  return 0;
}
