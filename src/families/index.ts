/**
 * Public surface of the families stage: presets, the family encoder loader, composition of
 * several encoders into one, and the query-expansion hook.
 */
export { loadFamilyEncoder } from './load.js';
export type { LoadFamilyOptions } from './load.js';
export { FamilyEncoder } from './encoder.js';
export type { FamilyEncoderInfo } from './encoder.js';
export { PRESETS, findPreset } from './presets.js';
export type { Preset } from './presets.js';
export type { FamilyConfig, FamilyKind, DensePooling, ColbertConfig } from './config.js';
export { readStFiles, PUNCTUATION } from './config.js';
export { FamilyTokenizer } from './tokenize.js';
export { listFiles, selectFamilyFiles } from './files.js';
export { resolveFamilyHub } from './hub.js';
export { murmur3, bm42TermId, bm42Stem, idfWeightedQuery } from './bm42.js';
export { spladePool, poolRows } from './pool.js';
export { composeEncoders, COMPOSED_FUSION } from './compose.js';
export type { ComposeParts } from './compose.js';
export { searchExpanded } from './expand.js';
export { composeByRole, loadByRole } from './roles.js';
export type { WordSplitter } from './japanese.js';
export type { RoleParts } from './roles.js';
export type { QueryExpander, ExpandOptions } from './expand.js';
