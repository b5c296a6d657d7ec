"""Tiny BERT WordPiece tokenizer: vocabulary, a pure-Python reference tokenizer
(BasicTokenizer + greedy longest-match-first WordPiece, as in Google's BERT
`tokenization.py`), and the Hugging Face `tokenizer.json` describing the same thing.

Id layout mimics bert-base-uncased: [PAD]=0, [unused0]=1, [unused1]=2 (ColBERT's
[Q]/[D] markers), [UNK]=3, [CLS]=4, [SEP]=5, [MASK]=6, then pieces.
"""

from __future__ import annotations

import json
import string
import unicodedata

SPECIALS = ['[PAD]', '[unused0]', '[unused1]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
PAD, Q_MARK, D_MARK, UNK, CLS, SEP, MASK = range(7)

CORPUS = [
    'BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.',
    'BM25 is a bag-of-words retrieval function that ranks a set of documents based on the query terms appearing in each document.',
    'What is BM25? Definition of sparse retrieval.',
    'The cat and the dog sat on the mat while the bird was singing.',
    'Running runners ran quickly; the runner runs every morning.',
    'Hybrid search fuses dense vectors with sparse lexical weights and late interaction.',
    'Café déjà vu: naïve façade, señor mañana.',
    'Paris is the capital of France. Berlin is the capital of Germany.',
    'The quick brown fox jumps over the lazy dog.',
    'query passage instruct given a web search query retrieve relevant passages that answer the query',
    'クエリ: 東京は日本の首都です。文章: 今日はいい天気ですね。',
]
# Whole words kept out of the vocabulary so they split into word pieces.
SPLIT_WORDS = {'retrieval', 'documents', 'appearing', 'interaction', 'matching', 'singing', 'quickly', 'runners'}
EXTRA_PIECES = ['retriev', '##al', 'document', '##s', 'appear', '##ing', 'interact', '##ion', 'match', 'sing',
                'quick', '##ly', 'runner', '##er', '##ed']


def is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith('P')


def is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def normalize(text: str) -> str:
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        cat = unicodedata.category(ch)
        if ch in ' \t\n\r' or cat == 'Zs':
            out.append(' ')
            continue
        if cat in ('Cc', 'Cf'):
            continue
        if is_cjk(cp):
            out.append(f' {ch} ')
            continue
        out.append(ch)
    s = ''.join(out).lower()
    s = unicodedata.normalize('NFD', s)
    return ''.join(c for c in s if unicodedata.category(c) != 'Mn')


def pre_tokenize(text: str) -> list[str]:
    words: list[str] = []
    for chunk in text.split():
        cur = ''
        for ch in chunk:
            if is_punct(ch):
                if cur:
                    words.append(cur)
                    cur = ''
                words.append(ch)
            else:
                cur += ch
        if cur:
            words.append(cur)
    return words


def build_vocab() -> list[str]:
    words: list[str] = []
    chars: set[str] = set(string.ascii_lowercase + string.digits + string.punctuation)
    for line in CORPUS:
        for w in pre_tokenize(normalize(line)):
            chars.update(w)
            if w not in SPLIT_WORDS and len(w) > 1:
                words.append(w)
    vocab = list(SPECIALS)
    seen = set(vocab)

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            vocab.append(p)

    for c in sorted(chars):
        add(c)
    for c in sorted(chars):
        if not is_punct(c):
            add('##' + c)
    for p in EXTRA_PIECES:
        add(p)
    for w in sorted(set(words)):
        add(w)
    return vocab


class WordPiece:
    def __init__(self, vocab: list[str]) -> None:
        self.vocab = vocab
        self.ids = {p: i for i, p in enumerate(vocab)}

    def word(self, w: str) -> list[int]:
        if len(w) > 100:
            return [UNK]
        out: list[int] = []
        start = 0
        while start < len(w):
            end = len(w)
            cur = None
            while start < end:
                piece = w[start:end] if start == 0 else '##' + w[start:end]
                if piece in self.ids:
                    cur = self.ids[piece]
                    break
                end -= 1
            if cur is None:
                return [UNK]
            out.append(cur)
            start = end
        return out

    def pieces(self, text: str) -> list[int]:
        """Ids of `text` without specials."""
        out: list[int] = []
        for w in pre_tokenize(normalize(text)):
            out.extend(self.word(w))
        return out

    def encode(self, text: str, max_length: int) -> list[int]:
        """[CLS] pieces [SEP], truncated so the total is at most max_length."""
        return [CLS] + self.pieces(text)[: max(0, max_length - 2)] + [SEP]

    def token(self, i: int) -> str:
        return self.vocab[i]


def _added(i: int, content: str) -> dict:
    return {'id': i, 'content': content, 'single_word': False, 'lstrip': False, 'rstrip': False,
            'normalized': False, 'special': True}


def tokenizer_json(vocab: list[str]) -> str:
    specials = {'[CLS]': CLS, '[SEP]': SEP}
    doc = {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [_added(i, t) for i, t in enumerate(SPECIALS) if not t.startswith('[unused')],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                       'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                       {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 1}},
                     {'SpecialToken': {'id': '[SEP]', 'type_id': 1}}],
            'special_tokens': {k: {'id': k, 'ids': [v], 'tokens': [k]} for k, v in specials.items()},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': {p: i for i, p in enumerate(vocab)}},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + '\n'


def tokenizer_config(max_len: int) -> str:
    doc = {'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'mask_token': '[MASK]',
           'unk_token': '[UNK]', 'do_lower_case': True, 'model_max_length': max_len,
           'tokenizer_class': 'BertTokenizer', 'clean_up_tokenization_spaces': True}
    return json.dumps(doc, indent=2) + '\n'
