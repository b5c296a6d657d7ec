// Waiting for segment promotions (segmentMemory 'auto'): the first searches start copying the
// segment files they read into anonymous memory off the event loop; timed passes should start
// after those copies ended, so that they time one state.
import type { HybridIndex } from '../../src/index.js';
import { promotionsPending } from '../../src/store/mmap.js';

/** Bytes of segment files promoted, over every channel of `ix`. */
export function promotedBytes(ix: HybridIndex): number {
  return Object.values(ix.stats().channels).reduce((a, c) => a + ((c.segmentBytesPromoted as number | undefined) ?? 0), 0);
}

/** Waits until no promotion is running in this process (at most 30 s); returns `ix`'s promoted bytes. */
export async function promotionsSettled(ix: HybridIndex): Promise<number> {
  for (let i = 0; i < 600 && promotionsPending() > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return promotedBytes(ix);
}
