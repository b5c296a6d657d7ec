/**
 * Family-agnostic model configuration: everything the encoder needs to know about a
 * model beyond its weights. The M3 family has built-in defaults ({@link M3_CONFIG});
 * a model directory may override fields with a `trident.json` file.
 */
import { ModelError } from '../errors.js';

/**
 * How token states become one dense vector.
 *
 * @example
 * ```ts
 * resolveModelConfig({ pooling: 'cls' satisfies Pooling });
 * ```
 */
export type Pooling = 'cls' | 'mean' | 'last_token';

/**
 * The three representations a model may produce.
 *
 * @example
 * ```ts
 * await loadEncoder('BAAI/bge-m3', { heads: { multivector: false } satisfies Partial<HeadSet> });
 * ```
 */
export interface HeadSet {
  dense: boolean;
  sparse: boolean;
  multivector: boolean;
}

/**
 * Model configuration shared by every family.
 *
 * @example
 * ```ts
 * const cfg = resolveModelConfig({ fusionWeights: [0.4, 0.2, 0.4] });
 * cfg.pooling; // 'cls'
 * ```
 */
export interface ModelConfig {
  /** Family name, e.g. `bge-m3`. Only `bge-m3` is implemented now. */
  family: string;
  /** Dense pooling. M3: `cls`. */
  pooling: Pooling;
  /** L2-normalise dense and multi-vector outputs (eps 1e-12). M3: true. */
  normalize: boolean;
  /** Text prepended per role (instructions / `query: ` prefixes). M3: none. */
  prefixes: { query: string; document: string };
  /** Which heads the model has. M3: all three. */
  heads: HeadSet;
  /** Token ids never given a sparse weight. M3: cls 0, pad 1, eos 2, unk 3. */
  sparseDropIds: number[];
  /** Padding id (right padding). M3: 1. */
  padId: number;
  /** Default max tokens per text, counting the specials. M3: 512 (new API, queries and documents). */
  maxLength: number;
  /** Default fusion weights [dense, sparse, multivector]. M3: [1, 1, 1] (compute_score default). */
  fusionWeights: [number, number, number];
}

/**
 * BGE-M3 semantics (see shared/M3-SPEC.md).
 *
 * @example
 * ```ts
 * M3_CONFIG.sparseDropIds; // [0, 1, 2, 3]
 * ```
 */
export const M3_CONFIG: Readonly<ModelConfig> = Object.freeze({
  family: 'bge-m3',
  pooling: 'cls',
  normalize: true,
  prefixes: { query: '', document: '' },
  heads: { dense: true, sparse: true, multivector: true },
  sparseDropIds: [0, 1, 2, 3],
  padId: 1,
  maxLength: 512,
  fusionWeights: [1, 0.3, 1], // the self-distillation teacher weights (M3-SPEC); compute_score defaults to [1, 1, 1]
} as ModelConfig);

const KNOWN_FAMILIES = new Set(['bge-m3']);

function isNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * Merges a `trident.json` object over the family defaults and validates it.
 * Throws MODEL_INVALID (naming `file`) on bad fields.
 *
 * @example
 * ```ts
 * resolveModelConfig({ family: 'bge-m3', fusionWeights: [1, 0.3, 1] }).fusionWeights; // [1, 0.3, 1]
 * ```
 */
export function resolveModelConfig(raw: unknown = {}, file = 'trident.json'): ModelConfig {
  const bad = (what: string): never => {
    throw new ModelError('MODEL_INVALID', `${file}: ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('must be a JSON object');
  const r = raw as Record<string, unknown>;
  const family = r.family ?? M3_CONFIG.family;
  if (typeof family !== 'string' || !KNOWN_FAMILIES.has(family)) {
    bad(`family ${JSON.stringify(family)} is not supported (supported: ${[...KNOWN_FAMILIES].join(', ')})`);
  }
  const base = M3_CONFIG;
  const cfg: ModelConfig = {
    family: family as string,
    pooling: base.pooling,
    normalize: base.normalize,
    prefixes: { ...base.prefixes },
    heads: { ...base.heads },
    sparseDropIds: [...base.sparseDropIds],
    padId: base.padId,
    maxLength: base.maxLength,
    fusionWeights: [...base.fusionWeights],
  };
  if (r.pooling !== undefined) {
    if (r.pooling !== 'cls' && r.pooling !== 'mean' && r.pooling !== 'last_token') bad('pooling must be cls, mean or last_token');
    cfg.pooling = r.pooling as Pooling;
  }
  if (r.normalize !== undefined) {
    if (typeof r.normalize !== 'boolean') bad('normalize must be a boolean');
    cfg.normalize = r.normalize as boolean;
  }
  if (r.prefixes !== undefined) {
    const p = r.prefixes as Record<string, unknown>;
    if (!p || typeof p !== 'object') bad('prefixes must be {query, document}');
    for (const k of ['query', 'document'] as const) {
      if (p[k] !== undefined) {
        if (typeof p[k] !== 'string') bad(`prefixes.${k} must be a string`);
        cfg.prefixes[k] = p[k] as string;
      }
    }
  }
  if (r.heads !== undefined) {
    const h = r.heads as Record<string, unknown>;
    if (!h || typeof h !== 'object') bad('heads must be {dense, sparse, multivector}');
    for (const k of ['dense', 'sparse', 'multivector'] as const) {
      if (h[k] !== undefined) {
        if (typeof h[k] !== 'boolean') bad(`heads.${k} must be a boolean`);
        cfg.heads[k] = h[k] as boolean;
      }
    }
  }
  if (r.sparseDropIds !== undefined) {
    if (!Array.isArray(r.sparseDropIds) || !r.sparseDropIds.every((x) => Number.isInteger(x) && x >= 0)) bad('sparseDropIds must be non-negative integers');
    cfg.sparseDropIds = [...(r.sparseDropIds as number[])];
  }
  if (r.padId !== undefined) {
    if (!Number.isInteger(r.padId) || (r.padId as number) < 0) bad('padId must be a non-negative integer');
    cfg.padId = r.padId as number;
  }
  if (r.maxLength !== undefined) {
    if (!Number.isInteger(r.maxLength) || (r.maxLength as number) < 2) bad('maxLength must be an integer >= 2');
    cfg.maxLength = r.maxLength as number;
  }
  if (r.fusionWeights !== undefined) {
    const w = r.fusionWeights;
    if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => isNum(x) && x >= 0) || w.every((x) => x === 0)) {
      bad('fusionWeights must be three non-negative numbers [dense, sparse, multivector], not all zero');
    }
    cfg.fusionWeights = [...(w as [number, number, number])];
  }
  return cfg;
}
