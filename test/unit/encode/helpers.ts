/** Shared test helpers for the encode stage: goldens of test/fixtures/models (made by tools/make_tiny_models.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const MODELS = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));

export interface GoldenOutputs {
  dense: number[];
  tokenWeights: number[];
  sparse: { ids: number[]; weights: number[] };
  colbert: number[][];
}
export interface GoldenCase extends GoldenOutputs {
  name: string;
  text: string;
  maxLength: number;
  idsFrom: 'sentencepiece' | 'tokenizer.json';
  inputIds: number[];
  tokenizerJsonIds: number[];
  int8: GoldenOutputs;
}
export interface Goldens {
  shape: { hiddenSize: number; vocabSize: number; maxPositionEmbeddings: number };
  specialIds: { cls: number; pad: number; eos: number; unk: number; mask: number };
  tolerances: { fp32: number; int8: number; int8VsFp32: number };
  cases: GoldenCase[];
  lastHiddenState: { name: string; maxLength: number; inputIds: number[]; values: number[][] }[];
}

export const goldens: Goldens = JSON.parse(readFileSync(join(MODELS, 'goldens.json'), 'utf8'));

/** Cases whose golden ids are what tokenizer.json gives (the reference pipeline's tokenizer). */
export const tokenizerCases = goldens.cases.filter((c) => c.idsFrom === 'tokenizer.json' || !goldens.cases.some((o) => o !== c && o.name === c.name && o.maxLength === c.maxLength && o.idsFrom === 'tokenizer.json'));

export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(Number(actual[i]) - Number(expected[i])));
  return m;
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Number(v[i]) ** 2;
  return Math.sqrt(s);
}
