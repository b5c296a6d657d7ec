/**
 * Head-weight readers without Python. Oracle: the same weights saved by torch.save
 * (tiny-m3/*.pt, zip + pickle) and by safetensors (tiny-m3-xenova/*.safetensors) must
 * read back identically; a deflate-compressed re-pack of the zip must read the same.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { TridentError } from '../../../src/errors.js';
import { parseSafetensors, parseTorchStateDict, readSafetensors, readTorchStateDict } from '../../../src/encode/tensor-file.js';
import { ZipArchive } from '../../../src/encode/zip.js';
import { goldens, MODELS } from './helpers.js';

const H = goldens.shape.hiddenSize;

/** Re-packs every entry of a zip with deflate (method 8): a minimal zip writer for the test. */
function repackDeflate(src: Buffer): Buffer {
  const zip = ZipArchive.fromBuffer(src, 'src');
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of zip.names()) {
    const data = zip.read(name);
    const comp = deflateRawSync(data);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(nameBuf.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(nameBuf.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameBuf, comp);
    centrals.push(ch, nameBuf);
    offset += 30 + nameBuf.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip.names().length, 8);
  end.writeUInt16LE(zip.names().length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('torch.save and safetensors readers', () => {
  for (const head of ['sparse_linear', 'colbert_linear']) {
    it(`${head}: .pt and .safetensors hold the same tensors`, async () => {
      const pt = await readTorchStateDict(join(MODELS, 'tiny-m3', `${head}.pt`));
      const st = await readSafetensors(join(MODELS, 'tiny-m3-xenova', `${head}.safetensors`));
      const out = head === 'sparse_linear' ? 1 : H;
      expect(pt.get('weight')!.shape).toEqual([out, H]);
      expect(pt.get('bias')!.shape).toEqual([out]);
      for (const k of ['weight', 'bias']) {
        expect(st.get(k)!.shape).toEqual(pt.get(k)!.shape);
        expect(Array.from(st.get(k)!.data)).toEqual(Array.from(pt.get(k)!.data));
      }
      // not all zeros: a real comparison
      expect(pt.get('weight')!.data.some((x) => x !== 0)).toBe(true);
    });
  }
  it('reads a deflate-compressed archive the same as the stored one', () => {
    const file = join(MODELS, 'tiny-m3', 'colbert_linear.pt');
    const raw = readFileSync(file);
    const a = parseTorchStateDict(raw, file);
    const b = parseTorchStateDict(repackDeflate(raw), file);
    expect(Array.from(b.get('weight')!.data)).toEqual(Array.from(a.get('weight')!.data));
  });
  it('rejects damaged files with MODEL_INVALID', () => {
    const raw = readFileSync(join(MODELS, 'tiny-m3', 'colbert_linear.pt'));
    for (const bad of [raw.subarray(0, 100), raw.subarray(0, raw.length - 30), Buffer.from('garbage')]) {
      expect(() => parseTorchStateDict(bad, 'x.pt')).toThrow(TridentError);
    }
    const legacy = Buffer.from([0x80, 0x02, 0x8a, 0x0a]);
    expect(() => parseTorchStateDict(legacy, 'old.pt')).toThrow(/legacy/);
    const st = readFileSync(join(MODELS, 'tiny-m3-xenova', 'colbert_linear.safetensors'));
    expect(() => parseSafetensors(st.subarray(0, st.length - 8), 'x.safetensors')).toThrow(TridentError);
    expect(() => parseSafetensors(Buffer.alloc(4), 'x.safetensors')).toThrow(TridentError);
  });
  it('converts f16 / bf16 safetensors to float32', () => {
    const header = JSON.stringify({
      a: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
    });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const data = Buffer.alloc(10);
    data.writeUInt16LE(0x3c00, 0); // 1.0
    data.writeUInt16LE(0xc000, 2); // -2.0
    data.writeUInt16LE(0x3555, 4); // 0.333251953125
    data.writeUInt16LE(0x3f80, 6); // bf16 1.0
    data.writeUInt16LE(0xc040, 8); // bf16 -3.0
    const t = parseSafetensors(Buffer.concat([len, Buffer.from(header), data]), 'h.safetensors');
    expect(Array.from(t.get('a')!.data)).toEqual([1, -2, 0.333251953125]);
    expect(Array.from(t.get('b')!.data)).toEqual([1, -3]);
  });
});

describe('pickle views', () => {
  it('rebuilds strided, offset, half, double tensors and parameters (strided.pt from make_strided.py)', async () => {
    const sd = await readTorchStateDict(new URL('./data/strided.pt', import.meta.url).pathname);
    expect(sd.get('transposed')!.shape).toEqual([3, 2]);
    expect(Array.from(sd.get('transposed')!.data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(sd.get('offset')!.data)).toEqual([3, 4, 5, 6]);
    expect(Array.from(sd.get('half')!.data)).toEqual([1.5, -2.25, 0]);
    expect(Array.from(sd.get('double')!.data)).toEqual([1, 2]);
    expect(Array.from(sd.get('layer.weight')!.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});
