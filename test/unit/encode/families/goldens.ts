import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIX = join(new URL('../../../fixtures/families', import.meta.url).pathname);
export const G = JSON.parse(readFileSync(join(FIX, 'goldens.json'), 'utf8'));
export const TOL: number = G.tolerance;

export function norm(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / Math.max(n, 1e-12));
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
