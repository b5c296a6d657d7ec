// vega / vega-lite are optional peer dependencies imported on the first chart (that no import of
// the package loads them is checked in test/unit/package/package.test.ts): without them a chart
// call fails with UNSUPPORTED saying how to install them.
import { describe, expect, it } from 'vitest';
import { TridentError } from '../../../src/errors.js';
import { chartDependencyError } from '../../../src/plot/render.js';

describe('lazy vega', () => {
  it('maps a missing package to UNSUPPORTED with the install command', () => {
    const missing = Object.assign(new Error("Cannot find package 'vega'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const e = chartDependencyError(missing);
    expect(e).toBeInstanceOf(TridentError);
    expect((e as TridentError).code).toBe('UNSUPPORTED');
    expect((e as TridentError).message).toMatch(/npm install vega vega-lite/);
    const other = new Error('boom');
    expect(chartDependencyError(other)).toBe(other);
  });
});
