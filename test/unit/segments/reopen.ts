// Shared by the segment store tests: a closed store's directory opens again, every checksum and
// structural check passes (verify), and it holds the expected live documents.
import { expect } from 'vitest';
import { SegmentedStore } from '../../../src/segments/index.js';

/** Opens the store at `dir`, verifies every byte, expects `size` live documents, closes it. */
export async function expectReopens(dir: string, size: number): Promise<void> {
  const back = await SegmentedStore.open(dir);
  back.verify();
  expect(back.size).toBe(size);
  back.close();
}
