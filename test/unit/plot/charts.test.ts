import { describe, expect, it } from 'vitest';
import { plotLatencyQuality, plotPerQueryDelta, plotScaling } from '../../../src/plot/index.js';

/**
 * Minimal XML well-formedness check (independent of vega): one root element,
 * balanced and properly nested tags, quoted unique attributes, valid entity references.
 */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) throw new Error(`bad entity ${m[0]} at ${i}`);
    }
    if (text.trim() !== '' && stack.length === 0) throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, close, name, attrs, selfClose] = m;
    const names = [...attrs!.matchAll(/([\w:.-]+)\s*=/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${name}>`);
    if (close) {
      if (stack.pop() !== name) throw new Error(`mismatched </${name}> at ${lt}`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name!);
    }
    i = lt + m[0].length;
  }
  if (stack.length !== 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`expected one root element, got ${roots}`);
}

const count = (s: string, needle: string) => s.split(needle).length - 1;
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
const translateX = (el: string) => Number(/translate\(([-\d.e]+),/.exec(el)![1]);

describe('xml checker', () => {
  it('rejects broken documents', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg a="1" a="2"/>')).toThrow();
    expect(() => assertWellFormedXml('<svg>a & b</svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg/><svg/>')).toThrow();
    assertWellFormedXml('<svg x="1"><g><text>a &amp; b</text></g><path d="M0"/></svg>');
  });
});

describe('plotLatencyQuality', () => {
  const rows = [
    { name: 'bm25', latencyMs: 0.4, quality: 0.66, group: 'sparse' },
    { name: 'dense', latencyMs: 2, quality: 0.7, group: 'dense' },
    { name: 'hybrid <rrf> & co', latencyMs: 12, quality: 0.73, group: 'hybrid' },
  ];
  it('renders one labelled point per configuration, x ordered by latency', async () => {
    const svg = await plotLatencyQuality(rows, { title: 'scifact', subtitle: 'test data' });
    assertWellFormedXml(svg);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(count(svg, 'aria-roledescription="point"')).toBe(3);
    const labels = [...svg.matchAll(/<text[^>]*aria-roledescription="text mark"[^>]*>([^<]*)<\/text>/g)];
    expect(labels.map((m) => m[1])).toEqual(['bm25', 'dense', 'hybrid &lt;rrf&gt; &amp; co']);
    const xs = labels.map((m) => translateX(m[0]));
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
    expect(texts(svg)).toEqual(expect.arrayContaining(['scifact', 'test data', 'nDCG@10', 'p50 latency per query (ms)']));
  });
  it('gives a single point a readable axis (no degenerate domain)', async () => {
    const svg = await plotLatencyQuality([{ name: 'only', latencyMs: 1, quality: 0.9 }]);
    assertWellFormedXml(svg);
    const ticks = [...svg.matchAll(/<text text-anchor="end"[^>]*>([\d.]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThan(2);
    expect(Math.min(...ticks)).toBeLessThan(0.9);
    expect(Math.max(...ticks)).toBeGreaterThan(0.9);
  });
  it('rejects empty or non-numeric rows', async () => {
    await expect(plotLatencyQuality([])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(plotLatencyQuality([{ name: 'x', latencyMs: Number.NaN, quality: 1 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('plotScaling', () => {
  it('draws one line per mode on a log x axis', async () => {
    const sizes = [1_000, 10_000, 100_000];
    const svg = await plotScaling([...sizes.map((size, i) => ({ mode: 'dense', size, latencyMs: 1 + i })), ...sizes.map((size, i) => ({ mode: 'sparse', size, latencyMs: 0.5 + i }))]);
    assertWellFormedXml(svg);
    expect(count(svg, 'aria-roledescription="line mark"')).toBe(2);
    expect(count(svg, 'aria-roledescription="point"')).toBe(6);
    // Decades are equally spaced on a log axis: x(1k), x(10k), x(100k) in arithmetic progression.
    const d = /aria-roledescription="line mark" d="M([\d.]+),[\d.]+L([\d.]+),[\d.]+L([\d.]+),/.exec(svg)!;
    const [x0, x1, x2] = [Number(d[1]), Number(d[2]), Number(d[3])];
    expect(x1 - x0).toBeCloseTo(x2 - x1, 3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['dense', 'sparse', 'collection size (documents, log scale)']));
  });
  it('rejects non-positive sizes (log scale)', async () => {
    await expect(plotScaling([{ mode: 'a', size: 0, latencyMs: 1 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('plotPerQueryDelta', () => {
  it('draws one bar per query, sorted by difference, with win/tie/loss counts', async () => {
    const a = { q1: { 'ndcg@10': 0.5 }, q2: { 'ndcg@10': 0.9 }, q3: { 'ndcg@10': 0.2 }, q4: { 'ndcg@10': 0.4 } };
    const b = { q1: { 'ndcg@10': 0.5 }, q2: { 'ndcg@10': 0.3 }, q3: { 'ndcg@10': 0.6 }, q4: { 'ndcg@10': 0.3 } };
    const svg = await plotPerQueryDelta(a, b, { labelA: 'hybrid', labelB: 'bm25' });
    assertWellFormedXml(svg);
    const bars = [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="bar"/g)].map((m) => /query: (\w+)/.exec(m[1]!)![1]);
    expect(bars).toEqual(['q2', 'q4', 'q1', 'q3']); // Δ = 0.6, 0.1, 0, −0.4
    expect(texts(svg)).toEqual(expect.arrayContaining(['hybrid better on 2, bm25 better on 1, tied on 1 of 4 queries', 'hybrid better', 'bm25 better']));
  });
  it('refuses runs over different queries', async () => {
    await expect(plotPerQueryDelta({ q1: { m: 1 }, q2: { m: 1 } }, { q1: { m: 1 }, q3: { m: 1 } }, { metric: 'm' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
