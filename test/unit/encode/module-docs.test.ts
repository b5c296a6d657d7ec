/** Every module of the encode stage (and of src/search) opens with a doc comment saying what it is. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');

it('src/encode/*.ts and src/search/*.ts start with a /** module doc */ of at least one sentence', () => {
  const missing: string[] = [];
  for (const dir of ['encode', 'search']) {
    for (const f of readdirSync(join(SRC, dir)).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(SRC, dir, f), 'utf8');
      const m = /^\/\*\*([\s\S]*?)\*\//.exec(text);
      if (!m || m[1]!.replace(/[\s*]/g, '').length < 20) missing.push(`${dir}/${f}`);
    }
  }
  expect(missing).toEqual([]);
});
