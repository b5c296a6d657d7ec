// Hits with their stored text, get(ids), typed stats(), `await using`, and AbortSignal on
// add / update / search / save: an aborted call rejects with ABORTED and changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HybridIndex } from '../../../src/hybrid/index.js';
import { AbortedError, TridentError } from '../../../src/errors.js';
import type { EncodedLike } from '../../../src/hybrid/types.js';
import { FakeEncoder } from '../../helpers/fake-encoder.js';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
function makeDocs(n: number, seed = 3, prefix = 'd') {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    text: Array.from({ length: 4 + Math.floor(r() * 12) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' '),
    metadata: { n: i, tag: i % 2 ? 'odd' : 'even' },
  }));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof TridentError ? e.code : `untyped ${String(e)}`;
  }
}

/** An encoder that calls `hook` before each encode call (to abort mid-way). */
class HookedEncoder extends FakeEncoder {
  hook: (call: number) => void = () => {};
  override async encode(texts: string[]): Promise<EncodedLike[]> {
    this.hook(this.calls + 1);
    return super.encode(texts);
  }
}

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'trident-api-docs-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('stored documents', () => {
  it('includeText puts each document’s text on its hit (and only when asked)', async () => {
    const docs = makeDocs(25);
    const byId = new Map(docs.map((d) => [d.id, d]));
    const index = await HybridIndex.create({ encoder: new FakeEncoder() });
    await index.add(docs);
    const withText = await index.search('beta kappa', { k: 8, includeText: true });
    expect(withText).toHaveLength(8);
    for (const h of withText) expect(h.text).toBe(byId.get(h.id as string)!.text);
    const without = await index.search('beta kappa', { k: 8 });
    expect(without.map((h) => h.id)).toEqual(withText.map((h) => h.id));
    for (const h of without) expect('text' in h).toBe(false);
    // bm25 and chunked indexes too: the whole document's text, the chunk's text stays on hit.chunk
    const chunked = await HybridIndex.create({ encoder: new FakeEncoder(), bm25: { analyzer: 'plain' } });
    const long = { id: 'long', text: 'Alpha beta. Gamma delta. Epsilon zeta. Eta theta kappa.' };
    await chunked.add([long], { chunking: { kind: 'ordinary', by: 'sentence', size: 1 } });
    const [hit] = await chunked.search('kappa', { k: 1, mode: 'bm25', includeText: true });
    expect(hit!.text).toBe(long.text);
    expect(hit!.chunk!.text).toBe('Eta theta kappa.');
    await index.close();
    await chunked.close();
  });

  it('includeText on an index without stored texts is INVALID_ARGUMENT', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), storeText: false });
    await index.add(makeDocs(3));
    expect(await codeOf(index.search('alpha', { includeText: true }))).toBe('INVALID_ARGUMENT');
    expect(await index.get(['d0'])).toEqual([{ id: 'd0', metadata: { n: 0, tag: 'even' } }]);
    await index.close();
  });

  it('get(ids) returns { id, text, metadata } in the order asked, null for unknown or deleted ids, across save/open', async () => {
    const docs = makeDocs(12);
    const encoder = new FakeEncoder();
    const index = await HybridIndex.create({ encoder, path: dir });
    await index.add(docs);
    await index.add([{ id: 7, text: 'numeric id' }]);
    await index.delete(['d3']);
    const asked = ['d5', 'nope', 7, 'd3', 'd0'] as const;
    const expected = [{ id: 'd5', text: docs[5]!.text, metadata: docs[5]!.metadata }, null, { id: 7, text: 'numeric id' }, null, { id: 'd0', text: docs[0]!.text, metadata: docs[0]!.metadata }];
    expect(await index.get([...asked])).toEqual(expected);
    // the returned metadata is a copy
    const [d5] = await index.get(['d5']);
    (d5!.metadata as { n: number }).n = 99;
    expect((await index.get(['d5']))[0]!.metadata).toEqual(docs[5]!.metadata);
    await index.save();
    await index.close();
    const again = await HybridIndex.open(dir, { encoder });
    expect(await again.get([...asked])).toEqual(expected);
    expect(await codeOf(again.get('d0' as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(again.get([{} as never]))).toBe('INVALID_ARGUMENT');
    await again.close();
    expect(await codeOf(again.get(['d0']))).toBe('INDEX_CLOSED');
  });

  it('get() reports the chunk spans of a chunked document', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder() });
    const text = 'Alpha beta. Gamma delta. Epsilon zeta.';
    await index.add([{ id: 'c', text }], { chunking: { kind: 'ordinary', by: 'sentence', size: 1 } });
    const [doc] = await index.get(['c']);
    expect(doc!.chunks!.map((c) => text.slice(c.start, c.end).trim())).toEqual(['Alpha beta.', 'Gamma delta.', 'Epsilon zeta.']);
    await index.close();
  });

  it('stats() is typed and counts documents, entries and store sizes', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), bm25: { analyzer: 'plain' } });
    await index.add(makeDocs(9));
    await index.delete(['d1']);
    const s = index.stats();
    expect(s.documents).toBe(8);
    expect(s.entries).toBe(8);
    expect(s.dense).toEqual({ size: 8 });
    expect(s.sparse!.docs).toBe(8);
    expect(s.multivector!.docs).toBe(8);
    expect(s.bm25!.docs).toBe(8);
    await index.close();
    expect(() => index.stats()).toThrow(/INDEX_CLOSED/);
  });
});

describe('await using', () => {
  it('Symbol.asyncDispose closes the index at the end of the block', async () => {
    let kept: HybridIndex;
    {
      await using index = await HybridIndex.create({ encoder: new FakeEncoder() });
      await index.add(makeDocs(2));
      kept = index;
      expect(kept.size).toBe(2);
    }
    expect(await codeOf(kept.search('alpha'))).toBe('INDEX_CLOSED');
    await kept[Symbol.asyncDispose](); // idempotent, like close()
  });
});

describe('AbortSignal', () => {
  it('an add aborted before, between encoder batches or after encoding changes nothing (no log record either)', async () => {
    const encoder = new HookedEncoder();
    const index = await HybridIndex.create({ encoder, path: dir, wal: true });
    await index.add(makeDocs(3, 1, 'base'));
    const docs = makeDocs(40);
    const before = await index.search('alpha beta', { k: 5 });

    const pre = new AbortController();
    pre.abort();
    const calls = encoder.calls;
    expect(await codeOf(index.add(docs, { signal: pre.signal }))).toBe('ABORTED');
    expect(encoder.calls).toBe(calls); // nothing was encoded

    const mid = new AbortController();
    encoder.hook = (call) => {
      if (call === calls + 2) mid.abort(new Error('user cancelled'));
    };
    const err = await index.add(docs, { batchSize: 10, signal: mid.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).name).toBe('AbortError');
    expect((err as AbortedError).message).toMatch(/nothing was added.*user cancelled/);
    expect(encoder.calls).toBe(calls + 2); // stopped before the third batch

    // aborted after the last batch was encoded: still nothing is applied
    const late = new AbortController();
    encoder.hook = () => {};
    const progress = (p: { done: number; total: number }) => {
      if (p.done === p.total) late.abort();
    };
    expect(await codeOf(index.add(docs, { batchSize: 10, signal: late.signal, onProgress: progress }))).toBe('ABORTED');

    expect(index.size).toBe(3);
    expect(await index.get(['d0'])).toEqual([null]);
    expect(await index.search('alpha beta', { k: 5 })).toEqual(before);
    await index.close();
    const reopened = await HybridIndex.open(dir, { encoder: new FakeEncoder() }); // replays the log
    expect(reopened.size).toBe(3);
    await reopened.add(docs); // the ids are still free
    expect(reopened.size).toBe(43);
    await reopened.close();
  });

  it('an aborted update keeps the old versions', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder() });
    const docs = makeDocs(5);
    await index.add(docs);
    const ac = new AbortController();
    ac.abort();
    expect(
      await codeOf(
        index.update(
          docs.map((d) => ({ ...d, text: 'changed' })),
          { signal: ac.signal },
        ),
      ),
    ).toBe('ABORTED');
    expect((await index.get(['d2']))[0]!.text).toBe(docs[2]!.text);
    await index.close();
  });

  it('search and save honour the signal; a non-signal is INVALID_ARGUMENT', async () => {
    const index = await HybridIndex.create({ encoder: new FakeEncoder(), path: dir });
    await index.add(makeDocs(5));
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(index.search('alpha', { signal: ac.signal }))).toBe('ABORTED');
    expect(await codeOf(index.search('alpha', { signal: {} as never }))).toBe('INVALID_ARGUMENT');
    const before = (await fsp.readdir(dir)).sort();
    const manifestBefore = await fsp.readFile(path.join(dir, 'manifest.json'));
    expect(await codeOf(index.save({ signal: ac.signal }))).toBe('ABORTED');
    expect((await fsp.readdir(dir)).sort()).toEqual(before); // nothing written
    expect(await fsp.readFile(path.join(dir, 'manifest.json'))).toEqual(manifestBefore);
    await index.save({ signal: new AbortController().signal });
    const other = path.join(dir, 'copy');
    await index.save(other, { signal: AbortSignal.timeout(60_000) });
    await index.save({ dir: path.join(dir, 'copy2') });
    const after = await fsp.readdir(dir);
    for (const name of ['copy', 'copy2', 'manifest.json']) expect(after).toContain(name);
    expect(after.filter((n) => n.startsWith('gen-')).length).toBeGreaterThan(0);
    await index.close();
  });
});
