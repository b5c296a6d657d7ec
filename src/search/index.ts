/**
 * Search stage helpers that sit on top of an index's `search()`: query expansion (several
 * queries searched, their ranked lists fused with RRF). Owns no store and no encoder.
 */
export { searchExpanded } from './expand.js';
export type { QueryExpander, ExpandOptions } from './expand.js';
