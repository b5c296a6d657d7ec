/**
 * Minimal protobuf wire encoding / decoding for the ONNX messages trident writes
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
 * Field numbers are those of onnx.proto; only the fields used here are supported.
 */
import { ModelError } from '../errors.js';

/** ONNX TensorProto.DataType values used here. */
export const DT = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const;

const te = new TextEncoder();

/** A protobuf message under construction. */
export class PbWriter {
  readonly #parts: Uint8Array[] = [];
  #len = 0;

  get length(): number {
    return this.#len;
  }

  #push(b: Uint8Array): void {
    this.#parts.push(b);
    this.#len += b.length;
  }

  #varintBytes(v: bigint): Uint8Array {
    let x = BigInt.asUintN(64, v);
    const out: number[] = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    return Uint8Array.from(out);
  }

  #key(field: number, wire: number): void {
    this.#push(this.#varintBytes(BigInt((field << 3) | wire)));
  }

  /** Varint field (int32/int64/enum). */
  int(field: number, v: number | bigint): this {
    this.#key(field, 0);
    this.#push(this.#varintBytes(BigInt(v)));
    return this;
  }
  /** float (fixed32) field. */
  float(field: number, v: number): this {
    this.#key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.#push(b);
    return this;
  }
  /** Length-delimited bytes. */
  bytes(field: number, b: Uint8Array): this {
    this.#key(field, 2);
    this.#push(this.#varintBytes(BigInt(b.length)));
    this.#push(b);
    return this;
  }
  /** String field. */
  str(field: number, s: string): this {
    return this.bytes(field, te.encode(s));
  }
  /** Embedded message. */
  msg(field: number, m: PbWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Concatenated bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#len);
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** One decoded field: number, wire type and value (number/bigint for varints, bytes for length-delimited). */
export interface PbField {
  field: number;
  wire: number;
  int?: bigint;
  bytes?: Uint8Array;
}

/**
 * Decodes the top-level fields of a protobuf message.
 *
 * @example
 * ```ts
 * for (const f of pbFields(bytes)) if (f.field === 7) graphBytes = f.bytes;
 * ```
 */
export function* pbFields(buf: Uint8Array): Generator<PbField> {
  let o = 0;
  const varint = (): bigint => {
    let r = 0n,
      s = 0n;
    for (;;) {
      if (o >= buf.length) throw new ModelError('MODEL_INVALID', 'truncated protobuf varint in model.onnx');
      const b = buf[o++]!;
      r |= BigInt(b & 0x7f) << s;
      if (!(b & 0x80)) return r;
      s += 7n;
    }
  };
  while (o < buf.length) {
    const key = Number(varint());
    const field = key >>> 3,
      wire = key & 7;
    if (wire === 0) yield { field, wire, int: varint() };
    else if (wire === 2) {
      const n = Number(varint());
      if (o + n > buf.length) throw new ModelError('MODEL_INVALID', 'truncated protobuf field in model.onnx');
      yield { field, wire, bytes: buf.subarray(o, o + n) };
      o += n;
    } else if (wire === 5) {
      yield { field, wire, bytes: buf.subarray(o, o + 4) };
      o += 4;
    } else if (wire === 1) {
      yield { field, wire, bytes: buf.subarray(o, o + 8) };
      o += 8;
    } else throw new ModelError('MODEL_INVALID', `unsupported protobuf wire type ${wire} in model.onnx`);
  }
}

// ---- ONNX message helpers ----

/** Attribute value kinds. */
export type AttrValue = { i: number } | { f: number } | { ints: number[] } | { s: string };

/** A node description. */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

/** TensorProto with raw little-endian data. */
export function tensorProto(name: string, dataType: number, dims: number[], raw: Uint8Array): PbWriter {
  const t = new PbWriter();
  for (const d of dims) t.int(1, d);
  t.int(2, dataType);
  t.str(8, name);
  t.bytes(9, raw);
  return t;
}

/** NodeProto. */
export function nodeProto(n: NodeSpec, name: string): PbWriter {
  const w = new PbWriter();
  for (const i of n.inputs) w.str(1, i);
  for (const o of n.outputs) w.str(2, o);
  w.str(3, name);
  w.str(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) {
    const a = new PbWriter().str(1, k);
    if ('i' in v) a.int(3, v.i).int(20, 2);
    else if ('f' in v) a.float(2, v.f).int(20, 1);
    else if ('s' in v) a.str(4, v.s).int(20, 3);
    else {
      for (const x of v.ints) a.int(8, x);
      a.int(20, 7);
    }
    w.msg(5, a);
  }
  return w;
}

/** ValueInfoProto of a tensor with symbolic (string) or fixed (number) dims. */
export function valueInfo(name: string, elemType: number, dims: (string | number)[]): PbWriter {
  const shape = new PbWriter();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new PbWriter().int(1, d) : new PbWriter().str(2, d));
  const tensorType = new PbWriter().int(1, elemType).msg(2, shape);
  return new PbWriter().str(1, name).msg(2, new PbWriter().msg(1, tensorType));
}

/** Model metadata entry. */
export function stringEntry(key: string, value: string): PbWriter {
  return new PbWriter().str(1, key).str(2, value);
}
