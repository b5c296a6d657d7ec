// Analyser limits (issue 13 item 3): a 10 MB word and a 1 MB base64 string analyse without
// throwing, wink-nlp never sees a run longer than MAX_RUN_LENGTH (its tokeniser and the Porter2
// stemmer backtrack quadratically in a run's length: that bound is what makes analysis linear),
// terms longer than MAX_TERM_LENGTH are dropped, and long runs are cut without losing text.
// Before the fix the 10 MB word overflowed the stack and the 1 MB base64 string took hours.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { createAnalyzer, MAX_TERM_LENGTH } from '../../../src/analyze/index.js';
import { cutRun, MAX_RUN_LENGTH, winkTokenizer } from '../../../src/analyze/english.js';

/** Deterministic base64 text of `n` characters. */
function base64(n: number): string {
  const bytes = new Uint8Array(Math.ceil((n * 3) / 4) + 3);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return Buffer.from(bytes).toString('base64').slice(0, n);
}

/** Spies on wink's readDoc and records the longest run (between newlines) it was given. */
function spyLongestRun(): { longest: () => number; calls: () => number } {
  const nlp = winkTokenizer();
  let longest = 0;
  let calls = 0;
  const orig = nlp.readDoc.bind(nlp);
  vi.spyOn(nlp, 'readDoc').mockImplementation((text: string) => {
    calls++;
    for (const run of text.split('\n')) longest = Math.max(longest, run.length);
    return orig(text);
  });
  return { longest: () => longest, calls: () => calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('analyser limits', () => {
  it('MAX_TERM_LENGTH is 255 (Lucene maxTokenLength) and equals the run cut length', () => {
    expect(MAX_TERM_LENGTH).toBe(255);
    expect(MAX_RUN_LENGTH).toBe(255);
  });

  it('a 10 MB single word analyses (english, auto) without throwing; wink sees runs of at most 255', () => {
    const word = 'a'.repeat(10_000_000);
    for (const kind of ['english', 'auto'] as const) {
      const spy = spyLongestRun();
      const terms = createAnalyzer(kind, { version: 2 }).terms(word);
      expect(spy.longest()).toBeLessThanOrEqual(MAX_RUN_LENGTH);
      // the word is cut into ⌈10e6 / 255⌉ pieces, each one term of 255 (or fewer) a's
      expect(terms.length).toBe(Math.ceil(10_000_000 / 255));
      expect(terms.every((t) => t.length <= MAX_TERM_LENGTH && /^a+$/.test(t))).toBe(true);
      vi.restoreAllMocks();
    }
  });

  it('a 1 MB base64 string analyses without throwing; wink sees runs of at most 255 and the terms are bounded', () => {
    const text = base64(1 << 20);
    const spy = spyLongestRun();
    const terms = createAnalyzer('auto', { version: 2 }).terms(text);
    expect(spy.longest()).toBeLessThanOrEqual(MAX_RUN_LENGTH);
    expect(spy.calls()).toBe(1); // all the new runs of one text go through wink in one call
    expect(terms.length).toBeGreaterThan(0);
    expect(terms.length).toBeLessThanOrEqual(text.length);
    expect(terms.every((t) => t.length <= MAX_TERM_LENGTH)).toBe(true);
  });

  it('plain and bigram drop terms longer than MAX_TERM_LENGTH and keep those of exactly that length', () => {
    const long = 'x'.repeat(MAX_TERM_LENGTH + 1);
    const edge = 'y'.repeat(MAX_TERM_LENGTH);
    expect(createAnalyzer('plain').terms(`a ${long} ${edge} b`)).toEqual(['a', edge, 'b']);
    expect(createAnalyzer('bigram').terms(`東京 ${long} ${edge}`)).toEqual(['東京', edge]);
    expect(createAnalyzer('plain').terms('z'.repeat(10_000_000))).toEqual([]);
  });

  it('cutRun: pieces of at most 255 that concatenate to the run, cut after punctuation, never inside a surrogate pair', () => {
    const list = Array.from({ length: 200 }, (_, i) => `word${i}`).join(',');
    const pieces: string[] = [];
    cutRun(list, pieces);
    expect(pieces.join('')).toBe(list);
    expect(pieces.every((p) => p.length <= MAX_RUN_LENGTH)).toBe(true);
    // every piece but the last ends with the comma, so no word is split
    for (const p of pieces.slice(0, -1)) expect(p.endsWith(',')).toBe(true);

    const emoji = '😀'.repeat(300); // 600 UTF-16 units, no punctuation-like cut point other than the emoji themselves
    const ep: string[] = [];
    cutRun(`a${emoji}`, ep);
    expect(ep.join('')).toBe(`a${emoji}`);
    for (const p of ep) {
      expect(p.length).toBeLessThanOrEqual(MAX_RUN_LENGTH);
      const last = p.charCodeAt(p.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
    }
    const word: string[] = [];
    cutRun('b'.repeat(600), word);
    expect(word.map((p) => p.length)).toEqual([255, 255, 90]);
  });

  it('runs of at most 255 characters analyse as before: the same terms whether the text is analysed whole or run by run', () => {
    const a = createAnalyzer('english', { version: 2 });
    const text = "Kaposi's sarcoma-associated herpesvirus (KSHV/HHV8) isn't e.g. 5.2% at 10:30am, see https://example.com/x?y=1 or me@example.org #tag";
    const whole = a.terms(text);
    const byRun = text.split(' ').flatMap((r) => a.terms(r));
    expect(whole).toEqual(byRun);
    expect(whole).toContain('herpesvirus');
    expect(whole).toContain('https://example.com/x?y=1');
    expect(whole).toContain('me@example.org');
  });
});
