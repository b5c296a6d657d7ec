// stemPorter2 (regex-free) against the stemmer the english analysers are defined with (wink's
// porter-stemmer.js): identical output on every word of the dev corpora (where present), on the
// stemmer's special cases, and on generated words built from the suffixes each step handles.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { porterWord } from '../../helpers/porter-words.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referencePorter2, stemPorter2 } from '../../../src/analyze/porter2.js';
import { devDir, hasDev } from '../sparse/beir.js';

const TOKEN = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu;

function mismatches(words: Iterable<string>): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const w of words) {
    const a = stemPorter2(w);
    const b = referencePorter2(w);
    if (a !== b) out.push([w, a, b]);
  }
  return out;
}

describe('stemPorter2', () => {
  it('equals the reference on the special cases of every step', () => {
    const words = [
      ...['skis', 'skies', 'dying', 'lying', 'tying', 'idly', 'gently', 'ugly', 'early', 'only', 'singly', 'sky', 'news', 'atlas', 'cosmos', 'bias', 'andes'],
      ...['inning', 'innings', 'outing', 'canning', 'herring', 'proceed', 'proceeds', 'exceed', 'succeed', 'earring', 'earrings'],
      ...['generate', 'generously', 'communism', 'communal', 'arsenal', 'arsenic', 'yellow', 'sayyid', 'ayay', 'yay', 'boy', 'cry', 'by', 'say'],
      ...['caresses', 'ponies', 'ties', 'cries', 'ies', 'gas', 'gaps', 'kiwis', 'us', 'ss', 'bus', 'class'],
      ...['agreed', 'feed', 'guaranteedly', 'bleed', 'luxuriated', 'hopping', 'hoping', 'filing', 'tanned', 'bed', 'sing', 'singly', 'jokingly', 'hopefully'],
      ...[
        'relational',
        'conditional',
        'rational',
        'valenci',
        'hesitanci',
        'digitizer',
        'conformabli',
        'radicalli',
        'differentli',
        'vileli',
        'analogousli',
        'vietnamization',
        'predication',
        'operator',
        'feudalism',
        'decisiveness',
        'hopefulness',
        'callousness',
        'formaliti',
        'sensitiviti',
        'sensibiliti',
        'fluentli',
        'archeologi',
        'geologi',
        'ogi',
        'bli',
      ],
      ...['triplicate', 'formative', 'formalize', 'electriciti', 'electrical', 'hopeful', 'goodness', 'demonstrative'],
      ...['revival', 'allowance', 'inference', 'airliner', 'gyroscopic', 'adjustable', 'defensible', 'irritant', 'replacement', 'adjustment', 'dependent', 'adoption', 'decision', 'communism', 'activate', 'angulariti', 'homologous', 'effective', 'bowdlerize', 'lion', 'cation'],
      ...['rate', 'cease', 'controll', 'roll', 'hole', 'create', 'e', 'ee', 'eee', 'ole', 'ale'],
      ...["dog's", 'dogs’', "dogs'", "o'", 'it’s', 'RUNNING', 'Caresses', 'a', 'ab', 'abc', '3ay', 'x3y', 'ab\ncd', 'café', 'naïvely', 'ωmega', '𝒜bc'],
    ];
    expect(mismatches(words)).toEqual([]);
  });

  it('equals the reference on generated words made of the suffixes the steps handle', () => {
    fc.assert(
      fc.property(porterWord, (w) => stemPorter2(w) === referencePorter2(w)),
      { numRuns: 20000, seed: 7 },
    );
  });

  it.skipIf(!hasDev('scifact') || !hasDev('nfcorpus'))('equals the reference on every word of the English dev corpora', () => {
    const words = new Set<string>();
    for (const set of ['scifact', 'nfcorpus']) {
      for (const file of ['corpus.jsonl', 'queries.jsonl']) {
        for (const m of readFileSync(join(devDir(set), file), 'utf8').matchAll(TOKEN)) {
          words.add(m[0]);
          words.add(m[0].toLowerCase());
        }
      }
    }
    expect(words.size).toBeGreaterThan(50_000);
    expect(mismatches(words)).toEqual([]);
  });
});
