// Waiting for segment promotions (segmentMemory 'auto'): the first searches start copying the
// segment files they read into anonymous memory off the event loop; timed passes should start
// after those copies ended, so that they time one state.
import type { HybridIndex } from '../../src/index.js';

/** Bytes of segment files promoted, over every channel of `ix`. */
export function promotedBytes(ix: HybridIndex): number {
  return Object.values(ix.stats().channels).reduce((a, c) => a + ((c.segmentBytesPromoted as number | undefined) ?? 0), 0);
}

/** Waits until the promoted bytes stop changing for 250 ms (at most 10 s). */
export async function promotionsSettled(ix: HybridIndex): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40 && promotedBytes(ix) !== last; i++) {
    last = promotedBytes(ix);
    await new Promise((r) => setTimeout(r, 250));
  }
  return promotedBytes(ix);
}
