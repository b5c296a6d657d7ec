// The multi-vector channel's default dtype (issue 17): an encoder's token vectors of ≥ 512
// dimensions (BGE-M3's 1024) default to residual 2-bit, under both storages; smaller encoders
// (the FakeEncoder's 16-d, like the built-in 128-d model), the caller's own vectors and float
// settings (`screening`) keep f16; an index saved with f16 at 1024-d (what every index written
// before this default holds) reopens with f16 — the saved config, not the default, decides.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridIndex, type HybridEncoder } from '../../../src/index.js';
import { FakeEncoder, fakeEncode, tokenize } from '../../helpers/fake-encoder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trident-mvdefault-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => path.join(tmp, `i${dirs++}`);

/** The FakeEncoder's outputs widened to `dim` (each 16-d vector repeated): a BGE-M3-shaped encoder. */
class WideEncoder implements HybridEncoder {
  readonly info;
  constructor(readonly dim: number) {
    this.info = { id: `wide-${dim}`, dim, maxLength: 64, heads: { dense: true, sparse: true, multivector: true } };
  }
  #widen(v: Float32Array, rows: number): Float32Array {
    const narrow = v.length / rows;
    const out = new Float32Array(rows * this.dim);
    for (let r = 0; r < rows; r++) for (let k = 0; k < this.dim; k++) out[r * this.dim + k] = v[r * narrow + (k % narrow)]!;
    return out;
  }
  async encode(texts: string[]) {
    return texts.map((t) => {
      const e = fakeEncode(t);
      const mv = e.multivector!;
      return { dense: this.#widen(e.dense!, 1), sparse: e.sparse, multivector: { ...mv, data: this.#widen(mv.data, mv.count), dim: this.dim }, truncated: false, tokenCount: tokenize(t).length + 2 };
    });
  }
}

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
const docs = Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 4 + (i % 7) }, (_, j) => WORDS[(i * 5 + j * 3) % WORDS.length]).join(' ') }));
const mvSpec = (ix: HybridIndex) => ix.config.channels.find((c) => c.kind === 'multivector') as { dtype: string; bits?: number } | undefined;
/** Stored bytes per token vector: f16 keeps 2 B per dimension, residual 2-bit about a quarter byte. */
const bytesPerToken = (ix: HybridIndex) => {
  const s = ix.stats().channels.multivector as { bytes: number; vectors: number };
  return s.bytes / s.vectors;
};

describe('default multi-vector dtype', () => {
  it.each(['generations', 'segments'] as const)("a 1024-d encoder defaults to residual 2-bit (storage '%s'): saved, reopened, searched", async (storage) => {
    const dir = fresh();
    const encoder = new WideEncoder(1024);
    const ix = await HybridIndex.create({ encoder, path: dir, storage, wal: false });
    expect(mvSpec(ix)).toMatchObject({ dtype: 'residual', bits: 2 });
    await ix.add(docs);
    const before = await ix.search('gamma delta epsilon', { k: 5, channels: ['multivector'] });
    expect(before.length).toBe(5);
    if (storage === 'generations') expect(bytesPerToken(ix)).toBeLessThan(300); // 256 B of codes + centroid id, norm, token id, span
    await ix.save();
    await ix.close();
    const again = await HybridIndex.open(dir, { encoder });
    expect(mvSpec(again)).toMatchObject({ dtype: 'residual', bits: 2 });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { config: { channels: { kind: string; dtype: string; bits?: number }[] } };
    expect(manifest.config.channels.find((c) => c.kind === 'multivector')).toMatchObject({ dtype: 'residual', bits: 2 });
    expect((await again.search('gamma delta epsilon', { k: 5, channels: ['multivector'] })).map((h) => h.id)).toEqual(before.map((h) => h.id));
    await again.close();
  });

  it('512-d is the threshold: 511-d and the 16-d FakeEncoder keep f16, 512-d is residual', async () => {
    for (const [enc, want] of [
      [new WideEncoder(512), 'residual'],
      [new WideEncoder(511), 'f16'],
      [new FakeEncoder(), 'f16'],
    ] as const) {
      const ix = await HybridIndex.create({ encoder: enc, wal: false });
      expect(mvSpec(ix)?.dtype, enc.info.id).toBe(want);
      await ix.close();
    }
  });

  it('explicit settings win: dtype, screening (a float store), and channels fed with your own vectors keep f16', async () => {
    const encoder = new WideEncoder(1024);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ multivector: { dtype: 'f16' } }, 'f16'],
      [{ multivector: { dtype: 'i8' } }, 'i8'],
      [{ multivector: { screening: 'none' } }, 'f16'],
      [{ multivector: { bits: 4 } }, 'residual'],
    ];
    for (const [opts, want] of cases) {
      const ix = await HybridIndex.create({ encoder, wal: false, ...opts });
      expect(mvSpec(ix)?.dtype, JSON.stringify(opts)).toBe(want);
      await ix.close();
    }
    const own = await HybridIndex.create({ channels: [{ name: 'mv', kind: 'multivector', source: 'vectors', dimensions: 1024 }], wal: false });
    expect((own.config.channels[0] as { dtype: string }).dtype).toBe('f16');
    await own.close();
  });

  it('an index saved with f16 at 1024-d (the earlier default) reopens as f16 and keeps adding f16', async () => {
    const dir = fresh();
    const encoder = new WideEncoder(1024);
    const old = await HybridIndex.create({ encoder, path: dir, wal: false, multivector: { dtype: 'f16' } });
    await old.add(docs.slice(0, 20));
    await old.save();
    const scores = await old.search('alpha beta', { k: 5, channels: ['multivector'] });
    await old.close();
    const ix = await HybridIndex.open(dir, { encoder });
    expect(mvSpec(ix)).toEqual(expect.objectContaining({ dtype: 'f16' }));
    expect(mvSpec(ix)?.bits).toBeUndefined();
    expect(bytesPerToken(ix)).toBeGreaterThanOrEqual(2048);
    expect(await ix.search('alpha beta', { k: 5, channels: ['multivector'] })).toEqual(scores);
    await ix.add(docs.slice(20));
    await ix.save();
    await ix.close();
    const again = await HybridIndex.open(dir, { encoder });
    expect(mvSpec(again)?.dtype).toBe('f16');
    expect(again.size).toBe(docs.length);
    await again.close();
  });
});
