/**
 * Character spans for tokens, computed by aligning the tokenizer's pieces with the
 * original text (tokenizers.js gives no offsets).
 *
 * Method:
 * 1. Normalise the text one code point at a time with the tokenizer's own normalizer
 *    (cached per code point), recording for every normalised character the UTF-16
 *    range of the original code point it came from. Spaces become `▁` (Metaspace).
 * 2. Walk the pieces in order with a cursor into that stream. Runs of stream `▁`
 *    before a piece are skipped (the tokenizer collapses whitespace, and the `▁`
 *    prepended to the first word has no source); a `▁` inside a piece consumes a run
 *    of stream `▁`. The span of a piece is
 *    the original range of its first to last non-`▁` character; a piece that is only
 *    `▁` gets an empty span at the cursor.
 * 3. If a piece does not match at the cursor (whole-string normalisation differs from
 *    per-character normalisation, e.g. combining marks), the next pieces are searched
 *    forward (within 256 characters); the unmatched pieces share the gap between the cursor and the next match
 *    (or the end of the text).
 * Spans are half-open UTF-16 ranges, so `text.slice(start, end)` gives the source of
 * the piece; specials added by the post-processor get `[0, 0]`.
 */
import type { CharSpan } from './types.js';

const META = '\u2581';

interface Stream {
  chars: string[];
  start: number[];
  end: number[];
}

function buildStream(text: string, normalize: (s: string) => string, cache: Map<string, string>): Stream {
  const chars: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const cp of text) {
    let n = cache.get(cp);
    if (n === undefined) {
      try {
        n = normalize(cp);
      } catch {
        n = cp;
      }
      if (cache.size < 65536) cache.set(cp, n);
    }
    for (const c of n) {
      chars.push(c === ' ' ? META : c);
      start.push(i);
      end.push(i + cp.length);
    }
    i += cp.length;
  }
  return { chars, start, end };
}

/**
 * Tries to match `piece` at stream position `pos`; returns [end cursor, first, last]
 * (first = -1 when the piece is only `▁`) or undefined. Runs of stream `▁` are consumed
 * before the piece (collapsed whitespace) and wherever the piece has a `▁`.
 */
function matchAt(s: Stream, piece: string[], pos: number): [number, number, number] | undefined {
  let c = pos;
  let first = -1;
  let last = -1;
  while (s.chars[c] === META) c++;
  for (let k = 0; k < piece.length; k++) {
    const ch = piece[k]!;
    if (ch === META) {
      if (k > 0) while (s.chars[c] === META) c++;
      continue;
    }
    if (s.chars[c] !== ch) return undefined;
    if (first < 0) first = c;
    last = c;
    c++;
  }
  return [c, first, last];
}

/**
 * Spans for `pieces` (the tokenizer's token strings, specials included) over `text`.
 * `special[i]` marks positions added by the post-processor.
 *
 * @example
 * ```ts
 * alignSpans('Hi there', ['<s>', '▁Hi', '▁there', '</s>'], [true, false, false, true], (s) => s);
 * // [[0,0], [0,2], [3,8], [0,0]]
 * ```
 */
export function alignSpans(text: string, pieces: readonly string[], special: readonly boolean[], normalize: (s: string) => string, cache: Map<string, string> = new Map()): CharSpan[] {
  const s = buildStream(text, normalize, cache);
  const n = s.chars.length;
  const spans: CharSpan[] = pieces.map(() => [0, 0]);
  const origAt = (pos: number): number => (pos < n ? s.start[pos]! : text.length);
  let cursor = 0;
  let pending: number[] = [];
  const flush = (gapEnd: number): void => {
    if (pending.length === 0) return;
    let a = cursor;
    while (a < gapEnd && s.chars[a] === META) a++;
    const span: CharSpan = a < gapEnd ? [s.start[a]!, s.end[gapEnd - 1]!] : [origAt(a), origAt(a)];
    for (const j of pending) spans[j] = [span[0], span[1]];
    pending = [];
    cursor = gapEnd;
  };
  for (let j = 0; j < pieces.length; j++) {
    if (special[j]) continue;
    const piece = [...pieces[j]!];
    if (pending.length === 0) {
      const m = matchAt(s, piece, cursor);
      if (m) {
        spans[j] = m[1] < 0 ? [origAt(cursor), origAt(cursor)] : [s.start[m[1]]!, s.end[m[2]]!];
        cursor = m[0];
        continue;
      }
      pending.push(j);
      continue;
    }
    // Resynchronise: find this piece further on; pending pieces take the gap.
    let found = -1;
    if (piece.some((c) => c !== META)) {
      for (let p = cursor + 1, stop = Math.min(n, cursor + 256); p < stop; p++)
        if (matchAt(s, piece, p)) {
          found = p;
          break;
        }
    }
    if (found < 0) {
      pending.push(j);
      continue;
    }
    flush(found);
    const m = matchAt(s, piece, cursor)!;
    spans[j] = m[1] < 0 ? [origAt(cursor), origAt(cursor)] : [s.start[m[1]]!, s.end[m[2]]!];
    cursor = m[0];
  }
  flush(n);
  return spans;
}
