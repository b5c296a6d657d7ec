/**
 * The shared pieces of every local encoder (src/encode/base.ts): one input validation, one
 * id check, one batcher, one lifecycle. The M3 and the preset backends both use them, so these
 * rules hold for every preset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEncodeInput, checkTokenIds, lengthBatches, Lifecycle } from '../../../src/encode/base.js';
import { EncoderClosedError, InvalidArgumentError } from '../../../src/errors.js';

const LIM = { minLength: 3, maxPositions: 100, defaultLength: 50 };

function err(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected a throw');
}

describe('encode/base', () => {
  it('checkEncodeInput: defaults, and every bad argument with its code', () => {
    expect(checkEncodeInput(['a'], {}, LIM)).toEqual({ role: 'document', maxLength: 50, batchSize: 8 });
    expect(checkEncodeInput([], { role: 'query', maxLength: 3, batchSize: 1 }, LIM)).toEqual({ role: 'query', maxLength: 3, batchSize: 1 });
    expect(err(() => checkEncodeInput('a' as never, {}, LIM)).code).toBe('INVALID_ARGUMENT');
    const t = err(() => checkEncodeInput(['a', null as never], {}, LIM));
    expect(t.code).toBe('INVALID_TEXT');
    expect(t.message).toContain('texts[1] is null');
    expect(err(() => checkEncodeInput(['a'], { role: 'x' as never }, LIM)).message).toContain("role must be 'query' or 'document'");
    for (const m of [2, 101, 3.5, Number.NaN]) expect(err(() => checkEncodeInput(['a'], { maxLength: m }, LIM)).message).toContain('[3, 100]');
    for (const b of [0, -1, 1.5]) expect(err(() => checkEncodeInput(['a'], { batchSize: b }, LIM)).code).toBe('INVALID_ARGUMENT');
    expect(err(() => checkEncodeInput(['a'], null as never, LIM)).code).toBe('INVALID_ARGUMENT');
  });

  it('checkTokenIds: [0, limit) integers in an array or Uint32Array', () => {
    checkTokenIds([0, 9], 10);
    checkTokenIds(Uint32Array.of(9), 10);
    for (const bad of [[10], [-1], [1.5], [Number.NaN]]) expect(err(() => checkTokenIds(bad, 10)).message).toContain('outside [0, 10)');
    expect(err(() => checkTokenIds('1' as never, 10)).message).toContain('Uint32Array');
    expect(err(() => checkTokenIds([2 ** 31], 2 ** 31, 'BM42 term')).message).toMatch(/^INVALID_ARGUMENT: BM42 term id/);
  });

  it('lengthBatches: a partition of the jobs, sorted by (length, index), batches of batchSize (property, naive oracle)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (lens, bs) => {
        const jobs = lens.map((n, index) => ({ index, ids: new Array<number>(n).fill(0) }));
        const batches = lengthBatches(jobs, bs);
        const flat = batches.flat();
        const naive = [...jobs].sort((a, b) => a.ids.length - b.ids.length || a.index - b.index);
        expect(flat).toEqual(naive);
        expect(batches.every((b, i) => b.length === (i < batches.length - 1 ? bs : b.length) && b.length >= 1)).toBe(true);
      }),
    );
  });

  it('Lifecycle: close is idempotent, waits for tracked runs, releases once; check() then throws ENCODER_CLOSED', async () => {
    const life = new Lifecycle('loadEncoder()');
    let released = 0;
    let finish!: (v: number) => void;
    const run = life.track(
      new Promise<number>((r) => {
        finish = r;
      }),
    );
    const closing = Promise.all([
      life.close(async () => {
        released++;
      }),
      life.close(async () => {
        released++;
      }),
    ]);
    await Promise.resolve();
    expect(released).toBe(0); // the tracked run has not finished
    finish(7);
    expect(await run).toBe(7);
    await closing;
    expect(released).toBe(1);
    expect(life.closed).toBe(true);
    expect(() => life.check()).toThrow(EncoderClosedError);
    expect(() => life.check()).toThrow(/ENCODER_CLOSED: the encoder is closed; load a new one with loadEncoder\(\)/);
  });
});
