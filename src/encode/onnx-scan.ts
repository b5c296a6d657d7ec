/**
 * Reads the shape of one initializer from an ONNX file without loading it: walks the
 * protobuf (ModelProto.graph = field 7, GraphProto.initializer = field 5,
 * TensorProto.dims = field 1, TensorProto.name = field 8) with positional reads and
 * skips every payload by its length, so a 2 GB graph costs a few hundred small reads.
 * Used to find the word-embedding rows for the tokenizer check when config.json is absent.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Longest initializer name read (names are a few dozen bytes) and most dims kept. */
const MAX_NAME_BYTES = 64 * 1024;
const MAX_DIMS = 64;

class Reader {
  readonly #buf = Buffer.alloc(16);
  constructor(readonly fh: FileHandle) {}
  async varint(pos: number): Promise<[value: number, next: number]> {
    const { bytesRead } = await this.fh.read(this.#buf, 0, 10, pos);
    let v = 0;
    let mul = 1;
    for (let i = 0; i < bytesRead; i++) {
      const b = this.#buf[i]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return [v, pos + i + 1];
    }
    throw new Error('bad varint');
  }
  async bytes(pos: number, n: number): Promise<Buffer> {
    const b = Buffer.alloc(n);
    await this.fh.read(b, 0, n, pos);
    return b;
  }
}

/** Skips a field of wire type `wt` starting at `pos` (after the tag); returns the next position. */
async function skip(r: Reader, wt: number, pos: number): Promise<number> {
  switch (wt) {
    case 0:
      return (await r.varint(pos))[1];
    case 1:
      return pos + 8;
    case 2: {
      const [n, p] = await r.varint(pos);
      return p + n;
    }
    case 5:
      return pos + 4;
    default:
      throw new Error(`unsupported wire type ${wt}`);
  }
}

async function tensorInfo(r: Reader, start: number, end: number): Promise<{ name: string; dims: number[] }> {
  const dims: number[] = [];
  let name = '';
  let pos = start;
  while (pos < end) {
    const [tag, p] = await r.varint(pos);
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    if (field === 1 && wt === 0) {
      const [v, q] = await r.varint(p);
      if (dims.length >= MAX_DIMS) throw new Error('too many dims');
      dims.push(v);
      pos = q;
      continue;
    }
    if (field === 1 && wt === 2) {
      // packed dims
      const [n, q] = await r.varint(p);
      let x = q;
      while (x < q + n) {
        const [v, y] = await r.varint(x);
        if (dims.length >= MAX_DIMS) throw new Error('too many dims');
        dims.push(v);
        x = y;
      }
      pos = q + n;
      continue;
    }
    if (field === 8 && wt === 2) {
      const [n, q] = await r.varint(p);
      // a name longer than its message is a crafted length: refuse before allocating it
      if (n > MAX_NAME_BYTES || q + n > end) throw new Error('bad initializer name length');
      name = (await r.bytes(q, n)).toString('utf8');
      pos = q + n;
      continue;
    }
    pos = await skip(r, wt, p);
  }
  return { name, dims };
}

/**
 * Dims of the first initializer whose name satisfies `match`, or undefined (also on any
 * parse problem: this is a best-effort check, onnxruntime validates the file itself).
 *
 * @example
 * ```ts
 * await initializerDims('/m/onnx/model.onnx', (n) => n.includes('word_embeddings')); // [250002, 1024]
 * ```
 */
export async function initializerDims(path: string, match: (name: string) => boolean): Promise<number[] | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    const r = new Reader(fh);
    let pos = 0;
    while (pos < size) {
      const [tag, p] = await r.varint(pos);
      const field = Math.floor(tag / 8);
      const wt = tag & 7;
      if (field === 7 && wt === 2) {
        const [n, g] = await r.varint(p);
        const end = g + n;
        let q = g;
        while (q < end) {
          const [t, q1] = await r.varint(q);
          if (Math.floor(t / 8) === 5 && (t & 7) === 2) {
            const [m, s] = await r.varint(q1);
            const info = await tensorInfo(r, s, s + m);
            if (match(info.name)) return info.dims;
            q = s + m;
          } else {
            q = await skip(r, t & 7, q1);
          }
        }
        return undefined;
      }
      pos = await skip(r, wt, p);
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}
