// Documents of the segments crash test (shared by the test and its child).
import { rng } from '../../helpers/rng.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');

export function segDocs(from: number, n: number, seed: number): Array<{ id: string; text: string }> {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 3 + Math.floor(r() * 12);
    return { id: `d${from + i}`, text: Array.from({ length: len }, () => WORDS[Math.floor(r() * r() * WORDS.length)]).join(' ') };
  });
}
