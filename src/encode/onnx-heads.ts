/**
 * Builds, in memory, a small ONNX model that applies the M3 heads to a backbone's
 * last hidden state, so backbone-only layouts (BAAI `onnx/`, Xenova) get the heads
 * through onnxruntime's threaded GEMM instead of a JS loop:
 *
 *   sparse  = Relu(MatMul(hidden, Wsᵀ) + bs)        [B, T, 1]
 *   colbert = MatMul(hidden, Wcᵀ) + bc               [B, T, D]
 *
 * Only a protobuf *writer* for the few ONNX messages needed is implemented here
 * (field numbers from onnx.proto: ModelProto, GraphProto, NodeProto, TensorProto,
 * ValueInfoProto, TypeProto, TensorShapeProto).
 */
import type { Tensor } from './tensor-file.js';

class Pb {
  readonly parts: Uint8Array[] = [];
  #varint(v: number): void {
    const bytes: number[] = [];
    let x = BigInt(v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      bytes.push(b);
    } while (x > 0n);
    this.parts.push(Uint8Array.from(bytes));
  }
  int(field: number, v: number): this {
    this.#varint((field << 3) | 0);
    this.#varint(v);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.#varint((field << 3) | 2);
    this.#varint(b.length);
    this.parts.push(b);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const FLOAT = 1;

function tensorProto(name: string, dims: number[], data: Float32Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT);
  t.str(8, name);
  t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

function valueInfo(name: string, dims: Array<number | string>): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().str(2, d));
  const tensorType = new Pb().int(1, FLOAT).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tensorType));
}

function node(op: string, inputs: string[], outputs: string[]): Pb {
  const n = new Pb();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  n.str(3, `${op}_${outputs[0]}`);
  n.str(4, op);
  return n;
}

function transpose(t: Tensor): Float32Array {
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c]!;
  return out;
}

/** Linear layer weights in PyTorch convention: weight [out, in], bias [out]. */
export interface LinearWeights {
  weight: Tensor;
  bias: Tensor;
}

/**
 * Serialises the heads model. Input `hidden` [B, T, H]; outputs `sparse` [B, T, 1]
 * and `colbert` [B, T, D].
 *
 * @example
 * ```ts
 * const bytes = buildHeadsModel(1024, sparseLinear, colbertLinear);
 * const session = await createSessionFromBytes(bytes, { threads: 2 });
 * ```
 */
export function buildHeadsModel(hidden: number, sparse: LinearWeights, colbert: LinearWeights): Uint8Array {
  const d = colbert.weight.shape[0]!;
  const graph = new Pb();
  graph.msg(1, node('MatMul', ['hidden', 'ws'], ['s0']));
  graph.msg(1, node('Add', ['s0', 'bs'], ['s1']));
  graph.msg(1, node('Relu', ['s1'], ['sparse']));
  graph.msg(1, node('MatMul', ['hidden', 'wc'], ['c0']));
  graph.msg(1, node('Add', ['c0', 'bc'], ['colbert']));
  graph.str(2, 'm3_heads');
  graph.msg(5, tensorProto('ws', [hidden, 1], transpose(sparse.weight)));
  graph.msg(5, tensorProto('bs', [1], sparse.bias.data));
  graph.msg(5, tensorProto('wc', [hidden, d], transpose(colbert.weight)));
  graph.msg(5, tensorProto('bc', [d], colbert.bias.data));
  graph.msg(11, valueInfo('hidden', ['batch', 'seq', hidden]));
  graph.msg(12, valueInfo('sparse', ['batch', 'seq', 1]));
  graph.msg(12, valueInfo('colbert', ['batch', 'seq', d]));
  const model = new Pb();
  model.int(1, 7); // ir_version
  model.str(2, 'trident');
  model.msg(7, graph);
  model.msg(8, new Pb().str(1, '').int(2, 13)); // opset_import: default domain, opset 13
  return model.finish();
}
