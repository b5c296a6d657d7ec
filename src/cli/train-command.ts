/**
 * `trident train-static`: trains (or fine-tunes) a static M3 model from JSONL pairs and/or a
 * corpus. Options are parsed and checked by run.ts (TRAIN_SPEC); this maps them onto
 * {@link trainStatic} and reports progress on stderr.
 */
import { InvalidArgumentError } from '../errors.js';
import { trainStatic, type TrainStaticOptions } from '../train/index.js';
import type { OptionValues } from './options.js';
import type { CliIo } from './run.js';

/**
 * Runs `trident train-static` with parsed options; returns the exit code.
 *
 * @example
 * ```ts
 * await runTrainCommand({ corpus: 'docs.jsonl', init: 'builtin:static-en', out: 'my-model' }, processIo);
 * ```
 */
export async function runTrainCommand(v: OptionValues, io: CliIo): Promise<number> {
  if (typeof v.out !== 'string') throw new InvalidArgumentError('INVALID_ARGUMENT', 'train-static: --out <dir> is required (see trident train-static --help)');
  if (v.pairs === undefined && v.corpus === undefined && v['builtin-data'] !== true) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'train-static: give --pairs <jsonl> and/or --corpus <jsonl> (or --builtin-data) (see trident train-static --help)');
  }
  const log = (m: string) => io.err(`${m}\n`);
  const opts: TrainStaticOptions = {
    outDir: v.out,
    log,
    ...(typeof v.pairs === 'string' ? { pairs: v.pairs } : {}),
    ...(typeof v.corpus === 'string' ? { corpus: v.corpus } : {}),
    ...(v['builtin-data'] === true ? { builtinSources: true } : {}),
    ...(typeof v.init === 'string' ? { init: v.init } : {}),
    ...(typeof v.steps === 'number' ? { steps: v.steps } : {}),
    ...(typeof v['batch-size'] === 'number' ? { batchSize: v['batch-size'] } : {}),
    ...(typeof v.seed === 'number' ? { seed: v.seed } : {}),
    ...(typeof v.lr === 'number' ? { lrEmb: v.lr, lrHead: v.lr } : {}),
  };
  const res = await trainStatic(opts);
  io.out(`trained ${res.metrics.steps} steps on ${res.metrics.pairs} pairs in ${res.metrics.seconds.toFixed(0)} s → ${res.outDir}\n`);
  return 0;
}
