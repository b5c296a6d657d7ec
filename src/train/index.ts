/**
 * Training of static (non-contextual) M3-style models: `trainStatic` (the API behind the
 * `trident train-static` command, src/cli/train-command.ts).
 */
export { trainStatic, builtinPairs, type TrainStaticOptions, type TrainStaticResult } from './trainer.js';
export { loadStaticModel, exportStaticModel, type LoadedStatic, type ExportMeta } from './export.js';
export { WordPieceTokenizer } from './tokenizer.js';
export { forwardText, type StaticParams, type TextForward } from './model.js';
export type { TrainPair } from './data/pairs.js';
