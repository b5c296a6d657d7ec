// Short kernel fuzz run (the long one is tools/fuzz/kernels-fuzz.ts): random shapes and
// contents (0/1 tokens, odd dimensions, unaligned offsets, extreme values, subnormals, NaN/Inf)
// on every native ISA against the pure-TS twins; no crash, no mismatch on finite outputs, same
// typed error on invalid calls. See tools/fuzz/kernels-core.ts for tolerances and the NaN policy.
import { describe, expect, it } from 'vitest';
import { backend } from '../../src/kernels/index.js';
import { fuzzKernels } from '../../tools/fuzz/kernels-core.js';

describe('kernel fuzz (short)', () => {
  it('every ISA matches the TS twin on 400 random cases', () => {
    const isas = backend().available;
    // without the addon there is only the twin: the run still checks the error paths and no-crash
    const s = fuzzKernels(20240601, 400, { isas });
    console.log(`[fuzz] ${s.cases} cases, ${s.calls} kernel calls on ${isas.join(', ') || 'js only'}, ${s.invalidCases} invalid, ${s.nanCases} with NaN/Inf`);
    expect(s.failures).toEqual([]);
    expect(s.cases).toBe(400);
  });
});
