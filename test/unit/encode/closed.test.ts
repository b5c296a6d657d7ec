/**
 * A closed encoder says so with its own code: ENCODER_CLOSED, an EncoderClosedError (not an
 * INVALID_ARGUMENT: the arguments were fine). Same for every backend of the one loader (M3
 * layout, family preset) and for composed encoders; close() is idempotent and lets a running
 * encode finish.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeEncoders, EncoderClosedError, InvalidArgumentError, loadEncoder, type Encoder } from '../../../src/index.js';

const ST = join(import.meta.dirname, '..', '..', 'fixtures', 'families', 'tiny-bert-st');

async function expectClosed(enc: Encoder): Promise<void> {
  for (const call of [() => enc.encode(['x']), () => enc.encodeTokens(['x']), async () => enc.decodeTokens([1])]) {
    const e = await call().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(EncoderClosedError);
    expect(e).not.toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ code: 'ENCODER_CLOSED', name: 'EncoderClosedError' });
    expect((e as Error).message).toMatch(/closed/);
  }
}

describe('ENCODER_CLOSED', () => {
  it('M3 layout (builtin:static-en): every method after close(); close is idempotent and waits for a running encode', async () => {
    const enc = await loadEncoder('builtin:static-en');
    const texts = Array.from({ length: 8 }, (_, i) => `document number ${i} about retrieval`);
    const oneBatch = enc.encode(texts, { batchSize: 8 });
    const manyBatches = enc.encode(texts, { batchSize: 2 });
    await Promise.all([enc.close(), enc.close()]);
    const out = await oneBatch; // its forward pass was running: close() waited for it
    expect(out).toHaveLength(8);
    expect(out[0]!.dense.length).toBe(enc.info.dim);
    // a later batch of a call that spans several is refused, never run on a freed session
    await expect(manyBatches).rejects.toBeInstanceOf(EncoderClosedError);
    await expectClosed(enc);
    await enc.close();
  });

  it('family preset: close() during a running encode lets it finish (it used to free the session under it)', async () => {
    const enc = await loadEncoder(ST);
    const texts = Array.from({ length: 8 }, (_, i) => `sentence ${i} for the tiny model`);
    const ref = await enc.encode(texts, { batchSize: 8 });
    const running = enc.encode(texts, { batchSize: 8 });
    await enc.close();
    const out = await running;
    out.forEach((o, i) => {
      expect([...o.dense]).toEqual([...ref[i]!.dense]);
    });
    await expectClosed(enc);
  });

  it('family preset (sentence-transformers dense) and a composed encoder', async () => {
    const dense = await loadEncoder(ST);
    expect(dense.info.heads.dense).toBe(true);
    const composed = composeEncoders({ dense });
    await composed.close();
    await expectClosed(composed);
    await expectClosed(dense); // the composite closed its component
  });
});
