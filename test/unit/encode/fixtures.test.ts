/**
 * Sanity checks of the committed tiny-model fixtures (test/fixtures/models), made by
 * tools/make_tiny_models.py. The oracle is goldens.json: token ids from the sentencepiece
 * library and outputs from an independent float64 numpy forward pass. Here the ONNX files
 * run directly in onnxruntime-node and the tokenizer.json runs in transformers.js and
 * @huggingface/tokenizers, offline; nothing from src/ is involved.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { Tokenizer } from '@huggingface/tokenizers';
import { INT8_TOL } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
const LAYOUT_DIRS = ['tiny-m3', 'tiny-m3-aapot', 'tiny-m3-xenova', 'tiny-m3-int8'] as const;
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'config.json'];

interface Outputs {
  dense: number[];
  tokenWeights: number[];
  sparse: { ids: number[]; weights: number[] };
  colbert: number[][];
}
interface Case extends Outputs {
  name: string;
  text: string;
  maxLength: number;
  idsFrom: 'sentencepiece' | 'tokenizer.json';
  inputIds: number[];
  tokenizerJsonIds: number[];
  int8: Outputs;
}
interface Goldens {
  schemaVersion: number;
  shape: { hiddenSize: number; numLayers: number; numHeads: number; intermediateSize: number; vocabSize: number; maxPositionEmbeddings: number; padTokenId: number };
  specialIds: { cls: number; pad: number; eos: number; unk: number; mask: number };
  unusedSparseIds: number[];
  tolerances: { fp32: number; int8: number; int8VsFp32: number };
  cases: Case[];
  layouts: Record<string, { style: string; heads: Record<string, string> | null; onnx: { path: string; externalData: string | null; quantized: boolean; inputs: string[]; outputs: string[] }[] }>;
  lastHiddenState: { name: string; maxLength: number; inputIds: number[]; values: number[][] }[];
}

const goldens: Goldens = JSON.parse(readFileSync(join(ROOT, 'goldens.json'), 'utf8'));
const H = goldens.shape.hiddenSize;
const TOL = goldens.tolerances;

function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(Number(actual[i]) - Number(expected[i])));
  return m;
}

function feeds(rows: number[][], padId = goldens.specialIds.pad): Record<string, ort.Tensor> {
  const t = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * t).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * t);
  rows.forEach((r, b) => {
    r.forEach((id, j) => {
      ids[b * t + j] = BigInt(id);
      mask[b * t + j] = 1n;
    });
  });
  return {
    input_ids: new ort.Tensor('int64', ids, [rows.length, t]),
    attention_mask: new ort.Tensor('int64', mask, [rows.length, t]),
  };
}

/** Row b of a [B, T, D] tensor, first `len` positions, flattened. */
function rowSlice(t: ort.Tensor, b: number, len: number): Float32Array {
  const [, T, D] = t.dims as number[];
  return (t.data as Float32Array).subarray(b * T * D, b * T * D + len * D);
}

function l2normalize(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.max(Math.sqrt(s), 1e-12);
  return v.map((x) => x / n);
}

/** Reads a safetensors file (header length u64 LE, JSON header, raw F32 data). */
function readSafetensors(path: string): Record<string, { shape: number[]; data: Float32Array; raw: Buffer }> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const out: Record<string, { shape: number[]; data: Float32Array; raw: Buffer }> = {};
  for (const [name, meta] of Object.entries(header as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>)) {
    if (name === '__metadata__') continue;
    expect(meta.dtype).toBe('F32');
    const [a, b] = meta.data_offsets as [number, number];
    const raw = Buffer.from(buf.subarray(8 + n + a, 8 + n + b));
    out[name] = { shape: meta.shape, raw, data: new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4) };
  }
  return out;
}

const spCases = goldens.cases.filter((c) => c.idsFrom === 'sentencepiece');
const sessions = new Map<string, ort.InferenceSession>();
async function session(rel: string): Promise<ort.InferenceSession> {
  let s = sessions.get(rel);
  if (!s) {
    s = await ort.InferenceSession.create(join(ROOT, rel));
    sessions.set(rel, s);
  }
  return s;
}

describe('fixture files', () => {
  it('goldens cover the required kinds of text and both max lengths', () => {
    expect(goldens.schemaVersion).toBe(1);
    const names = new Set(goldens.cases.map((c) => c.name));
    for (const n of ['english', 'repeated', 'japanese', 'chinese', 'emoji', 'punctuation', 'long', 'whitespace', 'empty']) {
      expect(names.has(n)).toBe(true);
    }
    expect(new Set(goldens.cases.map((c) => c.maxLength))).toEqual(new Set([16, 64]));
    for (const c of goldens.cases) {
      expect(c.inputIds[0]).toBe(goldens.specialIds.cls);
      expect(c.inputIds.at(-1)).toBe(goldens.specialIds.eos);
      expect(c.inputIds.length).toBeLessThanOrEqual(c.maxLength);
      expect(c.colbert.length).toBe(c.inputIds.length - 1);
      expect(c.tokenWeights.length).toBe(c.inputIds.length);
    }
    expect(spCases.some((c) => c.name === 'long' && c.inputIds.length === c.maxLength)).toBe(true);
  });

  it('every layout carries the same tokenizer and config, consistent with goldens', () => {
    const ref = TOKENIZER_FILES.map((f) => readFileSync(join(ROOT, LAYOUT_DIRS[0], f)));
    for (const dir of LAYOUT_DIRS.slice(1)) {
      TOKENIZER_FILES.forEach((f, i) => {
        expect(readFileSync(join(ROOT, dir, f)).equals(ref[i]!)).toBe(true);
      });
    }
    const config = JSON.parse(ref[3]!.toString('utf8'));
    expect(config).toMatchObject({
      model_type: 'xlm-roberta',
      hidden_size: H,
      num_hidden_layers: goldens.shape.numLayers,
      num_attention_heads: goldens.shape.numHeads,
      intermediate_size: goldens.shape.intermediateSize,
      vocab_size: goldens.shape.vocabSize,
      max_position_embeddings: goldens.shape.maxPositionEmbeddings,
      pad_token_id: 1,
    });
    const tj = JSON.parse(ref[0]!.toString('utf8'));
    expect(tj.model.type).toBe('Unigram');
    expect(tj.model.vocab.length).toBe(goldens.shape.vocabSize);
    expect(tj.model.vocab.slice(0, 4).map((p: [string, number]) => p[0])).toEqual(['<s>', '<pad>', '</s>', '<unk>']);
    expect(tj.model.vocab[goldens.specialIds.mask][0]).toBe('<mask>');
  });

  it('torch heads (.pt) hold the same float32 bytes as the safetensors heads', () => {
    for (const head of ['sparse_linear', 'colbert_linear']) {
      const st = readSafetensors(join(ROOT, 'tiny-m3-xenova', `${head}.safetensors`));
      expect(st.weight!.shape).toEqual(head === 'sparse_linear' ? [1, H] : [H, H]);
      expect(st.bias!.shape).toEqual(head === 'sparse_linear' ? [1] : [H]);
      const pt = readFileSync(join(ROOT, 'tiny-m3', `${head}.pt`));
      expect(pt.subarray(0, 2).toString('latin1')).toBe('PK');
      expect(pt.indexOf(st.weight!.raw)).toBeGreaterThan(0);
      expect(pt.indexOf(st.bias!.raw)).toBeGreaterThan(0);
    }
  });
});

describe('ONNX layouts vs float64 goldens', () => {
  it('input and output names per layout', async () => {
    const expected: Record<string, string[]> = {
      'tiny-m3/onnx/model.onnx': ['last_hidden_state'],
      'tiny-m3-aapot/model.onnx': ['dense_vecs', 'sparse_vecs', 'colbert_vecs'],
      'tiny-m3-xenova/onnx/model.onnx': ['token_embeddings', 'sentence_embedding'],
      'tiny-m3-xenova/onnx/model_quantized.onnx': ['token_embeddings', 'sentence_embedding'],
      'tiny-m3-int8/model_quantized.onnx': ['dense_vecs', 'sparse_vecs', 'colbert_vecs'],
    };
    for (const [rel, outs] of Object.entries(expected)) {
      const s = await session(rel);
      expect(s.inputNames).toEqual(['input_ids', 'attention_mask']);
      expect(s.outputNames).toEqual(outs);
    }
    // the machine-readable layout table in goldens.json says the same
    const listed = Object.entries(goldens.layouts).flatMap(([dir, l]) => l.onnx.map((o) => [`${dir}/${o.path}`, o.outputs] as const));
    expect(Object.fromEntries(listed)).toEqual(expected);
    for (const [dir, l] of Object.entries(goldens.layouts)) {
      for (const o of l.onnx) if (o.externalData) expect(existsSync(join(ROOT, dir, o.externalData))).toBe(true);
    }
  });

  it('tiny-m3 backbone: last_hidden_state matches the raw goldens', async () => {
    const s = await session('tiny-m3/onnx/model.onnx');
    expect(goldens.lastHiddenState.length).toBeGreaterThan(0);
    for (const g of goldens.lastHiddenState) {
      const out = await s.run(feeds([g.inputIds]));
      expect(out.last_hidden_state!.dims).toEqual([1, g.inputIds.length, H]);
      expect(maxAbsDiff(out.last_hidden_state!.data as Float32Array, g.values.flat())).toBeLessThan(TOL.fp32);
    }
  });

  it('tiny-m3-xenova: hidden states + safetensors heads reproduce dense, sparse and colbert', async () => {
    const s = await session('tiny-m3-xenova/onnx/model.onnx');
    const sp = readSafetensors(join(ROOT, 'tiny-m3-xenova', 'sparse_linear.safetensors'));
    const cb = readSafetensors(join(ROOT, 'tiny-m3-xenova', 'colbert_linear.safetensors'));
    for (const c of goldens.cases) {
      const out = await s.run(feeds([c.inputIds]));
      const hid = out.token_embeddings!.data as Float32Array;
      const T = c.inputIds.length;
      expect(maxAbsDiff(out.sentence_embedding!.data as Float32Array, c.dense)).toBeLessThan(TOL.fp32);
      const tw: number[] = [];
      const col: number[] = [];
      for (let t = 0; t < T; t++) {
        let acc = sp.bias!.data[0]!;
        for (let k = 0; k < H; k++) acc += hid[t * H + k]! * sp.weight!.data[k]!;
        tw.push(Math.max(acc, 0));
        if (t === 0) continue;
        const v = new Float64Array(H);
        for (let o = 0; o < H; o++) {
          let a = cb.bias!.data[o]!;
          for (let k = 0; k < H; k++) a += hid[t * H + k]! * cb.weight!.data[o * H + k]!;
          v[o] = a;
        }
        col.push(...l2normalize(v));
      }
      expect(maxAbsDiff(tw, c.tokenWeights)).toBeLessThan(TOL.fp32);
      expect(maxAbsDiff(col, c.colbert.flat())).toBeLessThan(TOL.fp32);
      // pooled sparse: drop unused ids and weights <= 0, keep the max per id
      const best = new Map<number, number>();
      c.inputIds.forEach((id, i) => {
        if (goldens.unusedSparseIds.includes(id) || tw[i]! <= 0) return;
        best.set(id, Math.max(best.get(id) ?? 0, tw[i]!));
      });
      const ids = [...best.keys()].sort((a, b) => a - b);
      expect(ids).toEqual(c.sparse.ids);
      expect(
        maxAbsDiff(
          ids.map((i) => best.get(i)!),
          c.sparse.weights,
        ),
      ).toBeLessThan(TOL.fp32);
    }
  });

  it('tiny-m3-aapot: one padded batch matches every case row by row', async () => {
    const s = await session('tiny-m3-aapot/model.onnx');
    const cases = goldens.cases.filter((c) => c.maxLength === 64);
    const out = await s.run(feeds(cases.map((c) => c.inputIds)));
    const T = Math.max(...cases.map((c) => c.inputIds.length));
    expect(out.dense_vecs!.dims).toEqual([cases.length, H]);
    expect(out.sparse_vecs!.dims).toEqual([cases.length, T, 1]);
    expect(out.colbert_vecs!.dims).toEqual([cases.length, T - 1, H]);
    cases.forEach((c, b) => {
      const n = c.inputIds.length;
      expect(maxAbsDiff((out.dense_vecs!.data as Float32Array).subarray(b * H, (b + 1) * H), c.dense)).toBeLessThan(TOL.fp32);
      expect(maxAbsDiff(rowSlice(out.sparse_vecs!, b, n), c.tokenWeights)).toBeLessThan(TOL.fp32);
      expect(maxAbsDiff(rowSlice(out.colbert_vecs!, b, n - 1), c.colbert.flat())).toBeLessThan(TOL.fp32);
      // padded colbert rows are zero vectors (mask applied before normalisation)
      const pad = (out.colbert_vecs!.data as Float32Array).subarray((b * (T - 1) + n - 1) * H, (b + 1) * (T - 1) * H);
      expect(pad.every((x) => x === 0)).toBe(true);
    });
  });

  it('int8 layouts: batch of one matches the int8 goldens and stays near fp32', async () => {
    const int8 = await session('tiny-m3-int8/model_quantized.onnx');
    const xq = await session('tiny-m3-xenova/onnx/model_quantized.onnx');
    let worstVsFp32 = 0;
    for (const c of spCases) {
      const o = await int8.run(feeds([c.inputIds]));
      expect(maxAbsDiff(o.dense_vecs!.data as Float32Array, c.int8.dense)).toBeLessThan(INT8_TOL);
      expect(maxAbsDiff(o.sparse_vecs!.data as Float32Array, c.int8.tokenWeights)).toBeLessThan(INT8_TOL);
      expect(maxAbsDiff(o.colbert_vecs!.data as Float32Array, c.int8.colbert.flat())).toBeLessThan(INT8_TOL);
      worstVsFp32 = Math.max(worstVsFp32, maxAbsDiff(o.dense_vecs!.data as Float32Array, c.dense), maxAbsDiff(o.sparse_vecs!.data as Float32Array, c.tokenWeights), maxAbsDiff(o.colbert_vecs!.data as Float32Array, c.colbert.flat()));
      const x = await xq.run(feeds([c.inputIds]));
      expect(maxAbsDiff(x.sentence_embedding!.data as Float32Array, c.int8.dense)).toBeLessThan(INT8_TOL);
    }
    expect(worstVsFp32).toBeLessThan(TOL.int8VsFp32);
    // quantisation really happened: int8 differs from fp32 by more than fp32 rounding
    expect(worstVsFp32).toBeGreaterThan(TOL.fp32);
  });
});

describe('tokenizer.json vs sentencepiece goldens (offline)', () => {
  let hfTok: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let tokJs: Tokenizer;
  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = ROOT;
    hfTok = await AutoTokenizer.from_pretrained('tiny-m3');
    tokJs = new Tokenizer(JSON.parse(readFileSync(join(ROOT, 'tiny-m3', 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(ROOT, 'tiny-m3', 'tokenizer_config.json'), 'utf8')));
  });

  /** `<s> pieces </s>` cut to maxLength counting both specials (what the encoder must do). */
  const truncate = (ids: number[], maxLength: number): number[] => (ids.length <= maxLength ? ids : [...ids.slice(0, maxLength - 1), goldens.specialIds.eos]);

  it('transformers.js AutoTokenizer reproduces the expected ids for every case', () => {
    for (const c of goldens.cases) {
      const ids = hfTok.encode(c.text);
      expect(truncate(ids, c.maxLength), `${c.name}/${c.maxLength}`).toEqual(c.tokenizerJsonIds);
    }
  });

  it('@huggingface/tokenizers Tokenizer reproduces the expected ids for every case', () => {
    for (const c of goldens.cases) {
      const ids = tokJs.encode(c.text).ids;
      expect(truncate(ids, c.maxLength), `${c.name}/${c.maxLength}`).toEqual(c.tokenizerJsonIds);
    }
  });

  it('tokenizer.json ids equal the sentencepiece ids except for whitespace-only text', () => {
    for (const c of spCases) {
      if (c.text.trim() === '' && c.text !== '') {
        // sentencepiece strips all whitespace; a tokenizer.json pipeline keeps one "▁" piece
        expect(c.tokenizerJsonIds).not.toEqual(c.inputIds);
        expect(goldens.cases.some((v) => v.name === c.name && v.maxLength === c.maxLength && v.idsFrom === 'tokenizer.json')).toBe(true);
      } else {
        expect(c.tokenizerJsonIds, c.name).toEqual(c.inputIds);
      }
    }
  });
});
