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

/**
 * Whether this CPU has VNNI (AVX512-VNNI, AVX-VNNI or AMX-INT8): onnxruntime's int8 MatMulInteger
 * then accumulates u8 × s8 products exactly in int32, as the goldens' numpy replay does. On
 * AVX2 without VNNI it multiplies u8 × s8 pairs with vpmaddubsw, whose int16 sums saturate, so
 * int8 outputs drift from the exact replay (observed 0.012 on an AMD EPYC with AVX2 only).
 */
function exactInt8Kernels(): boolean {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    return /\b(avx512_vnni|avx_vnni|amx_int8)\b/.test(flags) || !/\bavx2\b/.test(flags);
  } catch {
    return true;
  }
}

/**
 * Max abs difference allowed between an int8 graph's outputs and the int8 goldens:
 * `tolerances.int8` where the CPU's int8 kernels are exact, half the int8-vs-fp32 bound where
 * they saturate (see exactInt8Kernels).
 */
export const INT8_TOL = exactInt8Kernels() ? goldens.tolerances.int8 : goldens.tolerances.int8VsFp32 / 2;

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
