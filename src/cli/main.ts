#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { TridentError } from '../errors.js';
import { runIndex, runSearchCommand } from './commands.js';

const USAGE = `trident — in-process hybrid retrieval (dense + sparse + multi-vector)

Usage:
  trident index <corpus.jsonl | folder> --out <dir> [--model <source>] [--chunking late|ordinary] [--bm25 <analyzer>] [--limit N] [--force]
  trident search <dir> "<query>" [--model <source>] [--k 10] [--mode all|dense|sparse|multivector|dense+sparse|bm25] [--explain] [--json]
  trident eval <dir> --beir <folder> [--model <source>] [--configs ...] [--json out.json] [--plot out.svg] [--compare a.json b.json]
  trident bench [--plot] [suites...]      (in a repository checkout: runs bench/run.ts)
  trident train-static --pairs <jsonl> [--corpus <jsonl>] [--init glove|<model>] --out <dir>

<source> is a hub id (BAAI/bge-m3, aapot/bge-m3-onnx, …), a local model directory, or builtin:static-en (default).`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const line = USAGE.split('\n').find((l) => l.trimStart().startsWith(`trident ${cmd} `) || l.trim() === `trident ${cmd}`);
    if (line) {
      process.stdout.write(`Usage:\n${line}\n\n${USAGE.split('\n').at(-1)}\n`);
      return 0;
    }
  }
  switch (cmd) {
    case 'index': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { out: { type: 'string' }, model: { type: 'string' }, chunking: { type: 'string' }, bm25: { type: 'string' }, limit: { type: 'string' }, threads: { type: 'string' }, force: { type: 'boolean' } },
      });
      if (!positionals[0] || !values.out) throw new TridentError('INVALID_ARGUMENT', 'index needs <corpus> and --out <dir>');
      await runIndex({
        corpus: positionals[0],
        out: values.out,
        model: values.model ?? 'builtin:static-en',
        ...(values.chunking ? { chunking: values.chunking as 'late' | 'ordinary' } : {}),
        ...(values.bm25 ? { bm25: values.bm25 as 'english' } : {}),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
        ...(values.threads ? { threads: Number(values.threads) } : {}),
        ...(values.force ? { overwrite: true } : {}),
      });
      return 0;
    }
    case 'search': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { model: { type: 'string' }, k: { type: 'string' }, mode: { type: 'string' }, explain: { type: 'boolean' }, json: { type: 'boolean' } },
      });
      if (!positionals[0] || positionals[1] === undefined) throw new TridentError('INVALID_ARGUMENT', 'search needs <dir> and "<query>"');
      await runSearchCommand({
        dir: positionals[0],
        query: positionals[1],
        model: values.model ?? 'builtin:static-en',
        k: values.k ? Number(values.k) : 10,
        mode: (values.mode ?? 'all') as 'all',
        explain: Boolean(values.explain),
        json: Boolean(values.json),
      });
      return 0;
    }
    case 'eval': {
      const { runEvalCommand } = await import('./eval-command.js');
      return runEvalCommand(rest);
    }
    case 'bench': {
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
      const { trainStaticCli } = await import('../train/index.js');
      await trainStaticCli(rest);
      return 0;
    }
    default:
      process.stderr.write(`unknown command '${cmd}'\n\n${USAGE}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof TridentError) process.stderr.write(`trident: ${e.message}\n`);
    else if (typeof (e as { code?: unknown })?.code === 'string' && String((e as { code: string }).code).startsWith('ERR_PARSE_ARGS_')) {
      // a mistyped option: say which, and how the command is used
      process.stderr.write(`trident: ${(e as Error).message}\n\n${USAGE}\n`);
    }
    else process.stderr.write(`trident: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(2);
  },
);
