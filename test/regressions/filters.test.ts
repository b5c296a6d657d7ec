// Regression (issue 13 item 12) and issue 14 (OR / NOT filters): `{year: {}}` matched every
// number, `{constructor: Object}` matched everything (prototype lookup), and a throwing filter
// function passed an untyped error. Now an empty operator object and non-value conditions are
// INVALID_ARGUMENT, fields are own properties only, a throwing function is INVALID_ARGUMENT with
// the thrown value as `cause`, and $and / $or / $not combine filters; random filters are
// checked against a brute-force evaluation written here. Also: on a read-only file system the
// save error names EROFS (recursive mkdir reported ENOENT).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileFilter, type MetadataFilter } from '../../src/hybrid/index.js';
import { InvalidArgumentError, StorageError } from '../../src/errors.js';
import { rng } from '../helpers/rng.js';
import { createIndex } from '../reliability/corpus.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-filter-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return e instanceof InvalidArgumentError ? e.code : `untyped ${String(e)}`;
  }
};

describe('filters', () => {
  it('an empty operator object, non-value conditions and unknown operators are INVALID_ARGUMENT', () => {
    const bad: unknown[] = [{ year: {} }, { constructor: Object }, { x: [1, 2] }, { x: () => true }, { x: { between: [1, 2] } }, { x: { gt: '3' } }, { x: { in: 'abc' } }, { $or: [] }, { $xor: [] }, { $not: 3 }, { x: NaN }, { x: { in: [{}] } }];
    for (const f of bad)
      expect(
        code(() => compileFilter(f as MetadataFilter)),
        JSON.stringify(f) ?? String(f),
      ).toBe('INVALID_ARGUMENT');
  });

  it('fields are own properties: prototype keys never match', () => {
    const m = { year: 2020 };
    expect(compileFilter({ year: { gte: 0 } })({ title: 'no year' }, 'a')).toBe(false);
    expect(compileFilter({ toString: { nin: [1] }, year: 2020 })(m, 'a')).toBe(true);
    expect(compileFilter({ $not: { hasOwnProperty: { in: [null, 'x'] } } })(m, 'a')).toBe(true);
    expect(compileFilter({ constructor: 'Object' })(m, 'a')).toBe(false);
    expect(compileFilter({ constructor: 'Object' })({ constructor: 'Object' }, 'a')).toBe(true);
    expect(compileFilter({ x: null })({}, 'a')).toBe(false);
    expect(compileFilter({ x: null })({ x: null }, 'a')).toBe(true);
  });

  it('a throwing filter function → INVALID_ARGUMENT keeping the cause, through search()', async () => {
    const index = await createIndex();
    await index.add([{ id: 'a', text: 'alpha', metadata: { rev: 0 } }]);
    const boom = new Error('boom');
    const err = await index
      .search('alpha', {
        filter: () => {
          throw boom;
        },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    expect((err as InvalidArgumentError).cause).toBe(boom);
    await index.close();
  });

  it('$and / $or / $not and field operators agree with a brute-force evaluation on random filters', () => {
    const r = rng(77);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
    const langs = ['en', 'de', 'fr', null];
    const docs = Array.from({ length: 60 }, (_, i) => {
      const m: Record<string, unknown> = {};
      if (r() < 0.8) m.year = 2000 + Math.floor(r() * 25);
      if (r() < 0.8) m.lang = pick(langs);
      if (r() < 0.5) m.draft = r() < 0.5;
      if (r() < 0.3) m.year = String(m.year); // a non-number never matches a range
      return { id: `d${i}`, m };
    });
    type F = Record<string, unknown>;
    const has = (m: F, k: string) => Object.hasOwn(m, k);
    // brute force: a direct reading of the documented semantics
    const evalF = (f: F, m: F): boolean =>
      Object.entries(f).every(([k, c]) => {
        if (k === '$and') return (c as F[]).every((g) => evalF(g, m));
        if (k === '$or') return (c as F[]).some((g) => evalF(g, m));
        if (k === '$not') return !evalF(c as F, m);
        if (c === null || typeof c !== 'object') return has(m, k) && m[k] === c;
        const o = c as { in?: unknown[]; nin?: unknown[]; gt?: number; gte?: number; lt?: number; lte?: number };
        const v = has(m, k) ? m[k] : undefined;
        if (o.in && !(has(m, k) && o.in.includes(v))) return false;
        if (o.nin && has(m, k) && o.nin.includes(v)) return false;
        const ranged = o.gt !== undefined || o.gte !== undefined || o.lt !== undefined || o.lte !== undefined;
        if (ranged) {
          if (typeof v !== 'number') return false;
          if (o.gt !== undefined && !(v > o.gt)) return false;
          if (o.gte !== undefined && !(v >= o.gte)) return false;
          if (o.lt !== undefined && !(v < o.lt)) return false;
          if (o.lte !== undefined && !(v <= o.lte)) return false;
        }
        return true;
      });
    const leaf = (): F => {
      switch (Math.floor(r() * 6)) {
        case 0:
          return { lang: pick(langs) };
        case 1:
          return { year: { gte: 2000 + Math.floor(r() * 25) } };
        case 2:
          return { year: { gt: 2005, lt: 2000 + Math.floor(r() * 25) } };
        case 3:
          return { lang: { in: [pick(langs), pick(langs)] } };
        case 4:
          return { lang: { nin: [pick(langs)] } };
        default:
          return { draft: r() < 0.5 };
      }
    };
    const gen = (depth: number): F => {
      if (depth === 0 || r() < 0.3) return leaf();
      const n = 1 + Math.floor(r() * 3);
      switch (Math.floor(r() * 4)) {
        case 0:
          return { $or: Array.from({ length: n }, () => gen(depth - 1)) };
        case 1:
          return { $and: Array.from({ length: n }, () => gen(depth - 1)) };
        case 2:
          return { $not: gen(depth - 1) };
        default:
          return { ...leaf(), $not: gen(depth - 1) };
      }
    };
    let matched = 0;
    for (let t = 0; t < 400; t++) {
      const f = gen(3);
      const pred = compileFilter(f as MetadataFilter);
      for (const d of docs) {
        const want = evalF(f, d.m);
        expect(pred(d.m, d.id), `${JSON.stringify(f)} on ${JSON.stringify(d.m)}`).toBe(want);
        if (want) matched++;
      }
    }
    expect(matched).toBeGreaterThan(1000); // the random filters are not trivially empty
  });

  it('search() applies $or / $not filters exactly', async () => {
    const index = await createIndex();
    await index.add([
      { id: 'a', text: 'alpha river', metadata: { lang: 'en', year: 2020 } },
      { id: 'b', text: 'alpha stone', metadata: { lang: 'de', year: 2021 } },
      { id: 'c', text: 'alpha cloud', metadata: { lang: 'fr', year: 2019, draft: true } },
      { id: 'd', text: 'alpha index', metadata: { lang: 'en', year: 2018, draft: true } },
    ]);
    const ids = async (filter: MetadataFilter) => (await index.search('alpha', { k: 10, filter })).map((h) => h.id).sort();
    expect(await ids({ $or: [{ lang: 'de' }, { year: { lt: 2019 } }] })).toEqual(['b', 'd']);
    expect(await ids({ $not: { draft: true } })).toEqual(['a', 'b']);
    expect(await ids({ lang: 'en', $not: { draft: true } })).toEqual(['a']);
    await index.close();
  });

  it('on a read-only file system the save error says EROFS (root only; skipped where mount is not allowed)', async (ctx) => {
    const mnt = path.join(dir, 'mnt');
    await fsp.mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip();
      return;
    }
    try {
      const index = await createIndex(path.join(mnt, 'i'), { wal: false });
      await index.add([{ id: 'a', text: 'alpha', metadata: { rev: 0 } }]);
      await index.save();
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      await index.add([{ id: 'b', text: 'beta', metadata: { rev: 0 } }]);
      const err = await index.save().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('IO_ERROR');
      expect((err as Error).message).toContain('EROFS');
      expect((err as Error).message).not.toContain('ENOENT');
      await index.close();
    } finally {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    }
  });
});
