// Hostile model files (issue 13 item 7): loaders must refuse before they allocate. A zip entry
// that inflates past its declared size (a zip bomb), a declared size beyond any head file, a
// stride-0 tensor repeating a small storage, a negative storage offset, a view past its storage,
// shapes whose product overflows, and safetensors offsets outside the data section: each is
// MODEL_INVALID, quickly, and (for the bombs, measured in a child process) without a peak of
// memory. Before the fix the 256 MiB bomb inflated fully, stride 0 allocated the view and
// returned it, and a negative offset read bytes outside the tensor's storage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { TridentError } from '../../../src/errors.js';
import { parseSafetensors, parseTorchStateDict } from '../../../src/encode/tensor-file.js';
import { MAX_ENTRY_BYTES, ZipArchive } from '../../../src/encode/zip.js';

const root = mkdtempSync(join(tmpdir(), 'trident-model-bombs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL('../../helpers/model-file-child.ts', import.meta.url));

interface Entry {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  declared?: number;
  crc?: number;
}

/** A minimal zip writer: stored or deflated entries, with an optional lying declared size. */
function zip(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 0;
    const nameBuf = Buffer.from(e.name);
    const size = e.declared ?? e.data.length;
    const crc = e.crc ?? crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(e.data.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(nameBuf.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(e.data.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(nameBuf.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameBuf, e.data);
    centrals.push(ch, nameBuf);
    offset += 30 + nameBuf.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Raw deflate of `mib` MiB of zeros, streamed (the test never holds the inflated bytes). */
async function zeroBomb(mib: number): Promise<Buffer> {
  const d = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((res) => d.on('end', res));
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) if (!d.write(chunk)) await new Promise((res) => d.once('drain', res));
  d.end();
  await done;
  return Buffer.concat(parts);
}

/** A pickle program (protocol 2) for `{weight: _rebuild_tensor_v2(storage, offset, size, stride)}`. */
function tensorPickle(numel: number, offset: number, size: number[], stride: number[]): Buffer {
  const out: number[] = [];
  const op = (...b: number[]) => out.push(...b);
  const int = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    op(0x4a, ...b);
  };
  const str = (s: string) => {
    const b = Buffer.from(s);
    op(0x8c, b.length, ...b);
  };
  const global = (m: string, n: string) => op(0x63, ...Buffer.from(`${m}\n${n}\n`));
  const tuple = (xs: number[]) => {
    op(0x28);
    xs.forEach(int);
    op(0x74);
  };
  op(0x80, 2);
  global('collections', 'OrderedDict');
  op(0x29, 0x52); // OrderedDict()
  op(0x28); // MARK for SETITEMS
  str('weight');
  global('torch._utils', '_rebuild_tensor_v2');
  op(0x28); // args
  op(0x28);
  str('storage');
  global('torch', 'FloatStorage');
  str('0');
  str('cpu');
  int(numel);
  op(0x74, 0x51); // BINPERSID
  int(offset);
  tuple(size);
  tuple(stride);
  op(0x89);
  global('collections', 'OrderedDict');
  op(0x29, 0x52);
  op(0x74, 0x52); // TUPLE, REDUCE
  op(0x75, 0x2e); // SETITEMS, STOP
  return Buffer.from(out);
}

/** A torch.save-like archive: `archive/data.pkl` + one f32 storage of `storageFloats` values. */
function torchZip(pkl: Buffer, storageFloats: number): Buffer {
  const storage = Buffer.alloc(storageFloats * 4);
  for (let i = 0; i < storageFloats; i++) storage.writeFloatLE(i, i * 4);
  return zip([
    { name: 'archive/data.pkl', data: pkl },
    { name: 'archive/data/0', data: storage },
  ]);
}

function expectInvalid(f: () => unknown, pattern?: RegExp): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'the hostile file was accepted').toBeInstanceOf(TridentError);
  expect((err as TridentError).code).toBe('MODEL_INVALID');
  if (pattern) expect((err as Error).message).toMatch(pattern);
}

function measure(kind: 'torch' | 'safetensors' | 'onnx', bytes: Buffer): { code: string; ms: number; grew: number } {
  const file = join(root, `m-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, bytes);
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, kind, file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const o = JSON.parse(r.stdout) as { code: string; ms: number; rssBefore: number; maxRss: number };
  return { code: o.code, ms: o.ms, grew: o.maxRss - o.rssBefore };
}

const MiB = 1024 * 1024;

describe('zip bombs are refused before they are inflated', () => {
  it('an entry that inflates past its declared size stops at the declared size (peak memory measured)', async () => {
    const bomb = await zeroBomb(256); // 256 MiB of zeros in ~260 KB
    expect(bomb.length).toBeLessThan(MiB);
    const file = zip([{ name: 'archive/data.pkl', data: bomb, method: 8, declared: 1000 }]);
    const zipErr = (() => {
      try {
        ZipArchive.fromBuffer(file, 'bomb.pt').read('archive/data.pkl');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(zipErr).toBeInstanceOf(TridentError);
    expect((zipErr as TridentError).code).toBe('MODEL_INVALID');
    expect((zipErr as Error).message).toMatch(/declared 1000 bytes/);
    const m = measure('torch', file);
    expect(m.code).toBe('MODEL_INVALID');
    expect(m.grew, `peak RSS grew by ${(m.grew / MiB).toFixed(0)} MiB`).toBeLessThan(48 * MiB);
  });

  it('a declared size beyond any weights file, or beyond what deflate can produce, is refused without inflating', async () => {
    const small = await zeroBomb(1);
    for (const declared of [MAX_ENTRY_BYTES + 1, 0xfffffff0, (small.length + 64) * 1100 + 1]) {
      const file = zip([{ name: 'archive/data.pkl', data: small, method: 8, declared }]);
      const t0 = performance.now();
      expectInvalid(() => ZipArchive.fromBuffer(file, 'big.pt').read('archive/data.pkl'), /declares/);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('an honest deflated entry still reads', async () => {
    const data = Buffer.from('hello '.repeat(1000));
    const d = createDeflateRaw();
    const parts: Buffer[] = [];
    d.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise((res) => d.on('end', res));
    d.end(data);
    await done;
    const file = zip([{ name: 'a.txt', data: Buffer.concat(parts), method: 8, declared: data.length, crc: crc32(data) }]);
    expect(ZipArchive.fromBuffer(file, 'ok.zip').read('a.txt').equals(data)).toBe(true);
  });
});

describe('tensor records are checked against their storage before allocating', () => {
  it('the crafted pickle writer builds a tensor that loads (control)', () => {
    const sd = parseTorchStateDict(torchZip(tensorPickle(12, 2, [2, 5], [5, 1]), 12), 'ok.pt');
    expect(sd.get('weight')!.shape).toEqual([2, 5]);
    expect(Array.from(sd.get('weight')!.data)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const t = parseTorchStateDict(torchZip(tensorPickle(12, 0, [3, 2], [1, 3]), 12), 'transposed.pt').get('weight')!;
    expect(Array.from(t.data)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('stride 0 over a large size (a 4 KB storage viewed as 1 GiB) is refused at once', () => {
    const file = torchZip(tensorPickle(1024, 0, [1 << 28], [0]), 1024);
    const m = measure('torch', file);
    expect(m.code).toBe('MODEL_INVALID');
    expect(m.grew, `peak RSS grew by ${(m.grew / MiB).toFixed(0)} MiB`).toBeLessThan(48 * MiB);
    expect(m.ms).toBeLessThan(2000);
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(1024, 0, [64, 64], [0, 1]), 1024), 'repeat.pt'), /4096 elements over a storage of 1024/);
  });

  it('a negative storage offset is refused (it read outside the storage)', () => {
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(16, -4, [4], [1]), 16), 'neg.pt'), /negative/);
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(16, 0, [4], [-1]), 16), 'negstride.pt'), /negative/);
  });

  it('offset + size past the storage is refused', () => {
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(16, 13, [4], [1]), 16), 'past.pt'), /past its storage/);
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(16, 0, [4, 4], [5, 1]), 16), 'past2.pt'), /past its storage/);
  });

  it('shapes whose product overflows are refused', () => {
    const big = 0x7fffffff;
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(16, 0, [big, big, big], [0, 0, 0]), 16), 'overflow.pt'), /elements over a storage/);
    expectInvalid(() => parseTorchStateDict(torchZip(tensorPickle(16, 0, [65536, 65536, 65536, 65536], [1, 1, 1, 1]), 16), 'huge.pt'), /elements over a storage/);
  });
});

/** A safetensors file with the given header object and `dataBytes` bytes of data. */
function safetensors(header: unknown, dataBytes: number): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(dataBytes, 1)]);
}

describe('safetensors headers are checked before allocating', () => {
  it('a well-formed file loads (control)', () => {
    const t = parseSafetensors(safetensors({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, 16), 'ok.safetensors');
    expect(t.get('w')!.shape).toEqual([2, 2]);
  });

  it('offsets outside the data section are refused', () => {
    const cases: Array<[number, number]> = [
      [-8, 8],
      [0, 32],
      [8, 4],
      [4, 20],
      [0.5, 16.5],
    ];
    for (const [s, e] of cases) {
      expectInvalid(() => parseSafetensors(safetensors({ w: { dtype: 'F32', shape: [4], data_offsets: [s, e] } }, 16), 'bad.safetensors'));
    }
  });

  it('overflowing shapes, negative dimensions and malformed records are refused', () => {
    const bad: unknown[] = [{ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }, { w: { dtype: 'F32', shape: [-4, -1], data_offsets: [0, 16] } }, { w: null }, { w: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, { w: { dtype: 'F32', shape: [4], data_offsets: 'x' } }, [1, 2, 3]];
    for (const h of bad) expectInvalid(() => parseSafetensors(safetensors(h, 16), 'bad.safetensors'));
  });
});

/** Protobuf varint. */
function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

describe('ONNX initializer scan (tokenizer check) reads no crafted lengths', () => {
  /** ModelProto { graph (7) { initializer (5) { dims (1): 3, 4; name (8): <declared n bytes> } } } */
  function onnx(nameLen: number, name: Buffer): Buffer {
    const tensor = Buffer.from([0x08, ...varint(3), 0x08, ...varint(4), 0x42, ...varint(nameLen), ...name]);
    const graph = Buffer.from([0x2a, ...varint(tensor.length), ...tensor]);
    return Buffer.from([0x3a, ...varint(graph.length), ...graph]);
  }

  it('reads the dims of an honest file (control)', () => {
    const m = measure('onnx', onnx(4, Buffer.from('word')));
    expect(m.code).toBe('3,4');
  });

  it('a 2 GiB name length in a tiny file is refused without allocating it', () => {
    const m = measure('onnx', onnx(2 ** 31, Buffer.from('word')));
    expect(m.code).toBe('undefined');
    expect(m.grew, `peak RSS grew by ${(m.grew / MiB).toFixed(0)} MiB`).toBeLessThan(48 * MiB);
  });
});
