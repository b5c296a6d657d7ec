"""BM42 reference pieces: MurmurHash3 x86 32-bit (seed 0, as `mmh3.hash`), and a hand-checked
table of Snowball English (Porter2) stems for the fixture's words (no stemmer library is
available to the generator; every entry follows the published Porter2 rules)."""

from __future__ import annotations

STOPWORDS = ['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'in', 'is', 'it', 'of', 'on', 'or', 'that',
             'the', 'this', 'to', 'was', 'were', 'with']

STEMS = {
    'bm25': 'bm25', 'bag': 'bag', 'words': 'word', 'retrieval': 'retriev', 'function': 'function', 'ranks': 'rank',
    'documents': 'document', 'runners': 'runner', 'running': 'run', 'quickly': 'quick', 'runner': 'runner',
    'runs': 'run', 'cat': 'cat', 'dog': 'dog', 'hybrid': 'hybrid', 'search': 'search', 'dense': 'dens',
    'vectors': 'vector', 'what': 'what', 'ranking': 'rank', 'document': 'document',
}


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """Signed 32-bit MurmurHash3_x86_32, like mmh3.hash(str)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & 0xFFFFFFFF
    n = len(data) // 4
    for i in range(n):
        k = int.from_bytes(data[4 * i:4 * i + 4], 'little')
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[4 * n:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


# Published reference values of mmh3.hash (seed 0).
assert murmur3_32(b'hello') == 613153351
assert murmur3_32(b'') == 0


def term_id(term: str) -> int:
    return abs(murmur3_32(term.encode('utf-8')))
