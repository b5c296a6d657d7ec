/**
 * Writes a static M3 model as a self-contained ONNX graph with the aapot/bge-m3-onnx
 * output contract, and reads its weights back (for fine-tuning with `--init <dir>`).
 *
 * Inputs: `input_ids` int64 [B,T], `attention_mask` int64 [B,T].
 * Outputs: `dense_vecs` [B,D] (L2-normalised), `sparse_vecs` [B,T,1] (relu weights
 * per position, zero on padding, not pooled), `colbert_vecs` [B,T-1,D'] (positions
 * 1.., normalised, zero on padding).
 * The embedding table is stored fp16 and gathered before the cast to float, so a
 * call costs O(B·T·D) and no full-table conversion happens at run time; the head
 * weights are float32. Opset 17, IR version 8.
 */
import { ModelError } from '../errors.js';
import { DT, PbWriter, type NodeSpec, nodeProto, pbFields, stringEntry, tensorProto, valueInfo } from './onnx-proto.js';
import { f16ToF32 } from '../kernels/f16.js';
import type { StaticParams } from './model.js';

const OPSET = 17;
const IR_VERSION = 8;

function f32Bytes(a: Float32Array): Uint8Array {
  const b = new Uint8Array(a.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat32(i * 4, a[i]!, true);
  return b;
}
function i64Bytes(a: number[]): Uint8Array {
  const b = new Uint8Array(a.length * 8);
  const dv = new DataView(b.buffer);
  a.forEach((v, i) => {
    dv.setBigInt64(i * 8, BigInt(v), true);
  });
  return b;
}
function u16Bytes(a: Uint16Array): Uint8Array {
  const b = new Uint8Array(a.length * 2);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < a.length; i++) dv.setUint16(i * 2, a[i]!, true);
  return b;
}

/** Options of {@link buildStaticOnnx}. */
export interface OnnxWriteOptions {
  /** Embedding table as binary16 bits [V·D] (use `roundToF16(params.emb)`). */
  embF16: Uint16Array;
  /** Key/value metadata stored in the model. */
  metadata?: Record<string, string>;
  /** Producer version string. */
  version?: string;
}

/**
 * Serialises the graph of a static M3 model.
 *
 * @example
 * ```ts
 * const bits = roundToF16(params.emb);
 * writeFileSync('model.onnx', buildStaticOnnx(params, { embF16: bits }));
 * ```
 */
export function buildStaticOnnx(p: StaticParams, opts: OnnxWriteOptions): Uint8Array {
  const { vocab: V, dim: D, colbertDim: C } = p;
  if (opts.embF16.length !== V * D) throw new ModelError('MODEL_INVALID', `embF16 has ${opts.embF16.length} values, expected ${V * D}`);
  const colWt = new Float32Array(D * C);
  for (let j = 0; j < C; j++) for (let k = 0; k < D; k++) colWt[k * C + j] = p.colW[j * D + k]!;
  const inits: PbWriter[] = [
    tensorProto('emb', DT.FLOAT16, [V, D], u16Bytes(opts.embF16)),
    tensorProto('pool_u', DT.FLOAT, [D, 1], f32Bytes(p.poolU)),
    tensorProto('pool_c', DT.FLOAT, [1], f32Bytes(p.poolC)),
    tensorProto('sparse_w', DT.FLOAT, [D, 1], f32Bytes(p.sparseW)),
    tensorProto('sparse_b', DT.FLOAT, [1], f32Bytes(p.sparseB)),
    tensorProto('colbert_wt', DT.FLOAT, [D, C], f32Bytes(colWt)),
    tensorProto('colbert_b', DT.FLOAT, [C], f32Bytes(p.colB)),
    tensorProto('axis1', DT.INT64, [1], i64Bytes([1])),
    tensorProto('axis2', DT.INT64, [1], i64Bytes([2])),
    tensorProto('one', DT.INT64, [1], i64Bytes([1])),
    tensorProto('big', DT.INT64, [1], i64Bytes([2147483647])),
    tensorProto('norm_eps2', DT.FLOAT, [], f32Bytes(Float32Array.of(1e-24))),
  ];
  const n = (op: string, inputs: string[], outputs: string[], attrs?: NodeSpec['attrs']): NodeSpec => (attrs ? { op, inputs, outputs, attrs } : { op, inputs, outputs });
  const nodes: NodeSpec[] = [
    n('Gather', ['emb', 'input_ids'], ['x16'], { axis: { i: 0 } }),
    n('Cast', ['x16'], ['x'], { to: { i: DT.FLOAT } }),
    n('Cast', ['attention_mask'], ['mask_f'], { to: { i: DT.FLOAT } }),
    n('Unsqueeze', ['mask_f', 'axis2'], ['mask3']),
    // sparse head
    n('MatMul', ['x', 'sparse_w'], ['sp_z0']),
    n('Add', ['sp_z0', 'sparse_b'], ['sp_z']),
    n('Relu', ['sp_z'], ['sp_r']),
    n('Mul', ['sp_r', 'mask3'], ['sparse_vecs']),
    // dense: learned weighted mean
    n('MatMul', ['x', 'pool_u'], ['pl_z0']),
    n('Add', ['pl_z0', 'pool_c'], ['pl_z']),
    n('Softplus', ['pl_z'], ['pl_a0']),
    n('Mul', ['pl_a0', 'mask3'], ['pl_a']),
    n('Mul', ['x', 'pl_a'], ['pl_xa']),
    n('ReduceSum', ['pl_xa', 'axis1'], ['pl_num'], { keepdims: { i: 0 } }),
    n('ReduceSum', ['pl_a', 'axis1'], ['pl_den'], { keepdims: { i: 0 } }),
    n('Div', ['pl_num', 'pl_den'], ['pooled']),
    n('Mul', ['pooled', 'pooled'], ['pl_sq']),
    n('ReduceSum', ['pl_sq', 'one'], ['pl_ss'], { keepdims: { i: 1 } }),
    n('Max', ['pl_ss', 'norm_eps2'], ['pl_ss2']),
    n('Sqrt', ['pl_ss2'], ['pl_norm']),
    n('Div', ['pooled', 'pl_norm'], ['dense_vecs']),
    // colbert head on positions 1..
    n('Slice', ['x', 'one', 'big', 'axis1'], ['cb_x']),
    n('Slice', ['mask3', 'one', 'big', 'axis1'], ['cb_m']),
    n('MatMul', ['cb_x', 'colbert_wt'], ['cb_h0']),
    n('Add', ['cb_h0', 'colbert_b'], ['cb_h']),
    n('Mul', ['cb_h', 'cb_h'], ['cb_sq']),
    n('ReduceSum', ['cb_sq', 'axis2'], ['cb_ss'], { keepdims: { i: 1 } }),
    n('Max', ['cb_ss', 'norm_eps2'], ['cb_ss2']),
    n('Sqrt', ['cb_ss2'], ['cb_norm']),
    n('Div', ['cb_h', 'cb_norm'], ['cb_v']),
    n('Mul', ['cb_v', 'cb_m'], ['colbert_vecs']),
  ];
  const g = new PbWriter();
  nodes.forEach((nd, i) => {
    g.msg(1, nodeProto(nd, `${nd.op.toLowerCase()}_${i}`));
  });
  g.str(2, 'trident_static_m3');
  for (const t of inits) g.msg(5, t);
  g.msg(11, valueInfo('input_ids', DT.INT64, ['batch', 'sequence']));
  g.msg(11, valueInfo('attention_mask', DT.INT64, ['batch', 'sequence']));
  g.msg(12, valueInfo('dense_vecs', DT.FLOAT, ['batch', D]));
  g.msg(12, valueInfo('sparse_vecs', DT.FLOAT, ['batch', 'sequence', 1]));
  g.msg(12, valueInfo('colbert_vecs', DT.FLOAT, ['batch', 'sequence_minus_1', C]));
  const m = new PbWriter();
  m.int(1, IR_VERSION);
  m.str(2, 'trident');
  m.str(3, opts.version ?? '0.1.0');
  m.str(4, 'trident.static');
  m.int(5, 1);
  m.str(6, 'Static (non-contextual) M3-style encoder: token embeddings + dense pooling, sparse and ColBERT heads.');
  m.msg(7, g);
  m.msg(8, new PbWriter().str(1, '').int(2, OPSET));
  for (const [k, v] of Object.entries(opts.metadata ?? {})) m.msg(14, stringEntry(k, v));
  return m.finish();
}

const td = new TextDecoder();

/**
 * Reads the weights of a static M3 ONNX model written by {@link buildStaticOnnx}.
 *
 * @example
 * ```ts
 * const params = readStaticOnnx(readFileSync('model.onnx'));
 * ```
 */
export function readStaticOnnx(bytes: Uint8Array): StaticParams {
  let graph: Uint8Array | undefined;
  for (const f of pbFields(bytes)) if (f.field === 7 && f.bytes) graph = f.bytes;
  if (!graph) throw new ModelError('MODEL_INVALID', 'model.onnx has no graph');
  const tensors = new Map<string, { dims: number[]; type: number; raw: Uint8Array }>();
  for (const f of pbFields(graph)) {
    if (f.field !== 5 || !f.bytes) continue;
    const dims: number[] = [];
    let type = 0,
      name = '',
      raw: Uint8Array = new Uint8Array(0);
    for (const t of pbFields(f.bytes)) {
      if (t.field === 1 && t.int !== undefined) dims.push(Number(t.int));
      else if (t.field === 1 && t.bytes) {
        let o = 0;
        while (o < t.bytes.length) {
          let v = 0,
            s = 0,
            b = 0;
          do {
            b = t.bytes[o++]!;
            v += (b & 0x7f) * 2 ** s;
            s += 7;
          } while (b & 0x80);
          dims.push(v);
        }
      } else if (t.field === 2) type = Number(t.int);
      else if (t.field === 8 && t.bytes) name = td.decode(t.bytes);
      else if (t.field === 9 && t.bytes) raw = t.bytes;
    }
    tensors.set(name, { dims, type, raw });
  }
  const need = (name: string, type: number) => {
    const t = tensors.get(name);
    if (!t || t.type !== type) throw new ModelError('MODEL_INVALID', `model.onnx is not a trident static model (missing tensor ${name}); --init needs a directory written by trident train-static`);
    return t;
  };
  const f32 = (name: string): Float32Array => {
    const t = need(name, DT.FLOAT);
    const dv = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    return Float32Array.from({ length: t.raw.byteLength / 4 }, (_, i) => dv.getFloat32(i * 4, true));
  };
  const e = need('emb', DT.FLOAT16);
  const [V, D] = e.dims as [number, number];
  const dv = new DataView(e.raw.buffer, e.raw.byteOffset, e.raw.byteLength);
  const emb = new Float32Array(V * D);
  for (let i = 0; i < emb.length; i++) emb[i] = f16ToF32(dv.getUint16(i * 2, true));
  const colWt = f32('colbert_wt');
  const C = colWt.length / D;
  const colW = new Float32Array(C * D);
  for (let j = 0; j < C; j++) for (let k = 0; k < D; k++) colW[j * D + k] = colWt[k * C + j]!;
  return { vocab: V, dim: D, colbertDim: C, emb, poolU: f32('pool_u'), poolC: f32('pool_c'), sparseW: f32('sparse_w'), sparseB: f32('sparse_b'), colW, colB: f32('colbert_b') };
}
