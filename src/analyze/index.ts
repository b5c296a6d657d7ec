/**
 * Analysis stage: text → terms for BM25, term vocabulary, sentence spans. Named exports only.
 */
export { createAnalyzer, ANALYZER_VERSION, MAX_TERM_LENGTH } from './analyzer.js';
export type { Analyzer, AnalyzerKind } from './analyzer.js';
export { TermVocabulary, termFrequencies, countTerms, countTokenIds, VOCAB_FORMAT_VERSION } from './vocabulary.js';
export type { TermVocabularyJSON } from './vocabulary.js';
export { sentenceSpans } from './sentences.js';
export type { Span } from './sentences.js';
export { cjkRatio } from './cjk.js';
