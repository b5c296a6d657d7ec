/**
 * Evaluation harness: BEIR loading, trec_eval-compatible metrics, timing,
 * tables, JSON output and paired significance tests.
 */
export { EvalDataError } from './errors.js';
export { readJsonl, readLines, type LineIssue, type OnError, type ReadJsonlOptions } from '../store/jsonl.js';
export type { CorpusDoc, Dataset, Hit, IdSample, LoadReport, Qrels, Retriever, Run } from './types.js';
export { createDataset, loadBeir, loadQrels, type DatasetInput, type LoadOptions } from './beir.js';
export { loadTrecRun, writeTrecRun, type LoadRunOptions } from './trec-run.js';
export {
  ALL_METRICS,
  averagePrecision,
  compareCodePoints,
  gainOf,
  mrrAt,
  ndcgAt,
  precisionAt,
  queryMetrics,
  rankHits,
  recallAt,
  type GainKind,
  type MetricName,
} from './metrics.js';
export {
  evaluate,
  evaluateRun,
  latencyStats,
  runConfigurations,
  type EvalConfig,
  type EvalResult,
  type EvaluateOptions,
  type Latency,
  type NamedRetriever,
  type ResultTable,
} from './evaluate.js';
export { compare, pairValues, type CompareOptions, type Comparison } from './compare.js';
export { incompleteBeta, logGamma, seededRandom, studentTCdf, studentTQuantile, studentTTwoSided } from './stats.js';
export { formatTable, writeJson, type FormatOptions } from './report.js';
