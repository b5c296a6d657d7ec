"""Tiny SentencePiece unigram model and its XLM-R style Hugging Face files.

Id convention (fairseq / XLM-R): ``<s>``=0, ``<pad>``=1, ``</s>``=2, ``<unk>``=3,
then SentencePiece piece ``i`` (i >= 3) gets id ``i + 1``; ``<mask>`` is the last id.
The SentencePiece model itself is trained with unk=0, bos=1, eos=2 and no pad,
exactly like XLM-R's ``sentencepiece.bpe.model``.
"""

from __future__ import annotations

import base64
import io
import json
import unicodedata

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as spm_pb2

CLS, PAD, EOS, UNK = 0, 1, 2, 3
FAIRSEQ_OFFSET = 1
FILLER_SCORE = -1000.0


def train_spm(corpus: list[str], vocab_size: int) -> bytes:
    """Train a unigram SentencePiece model in memory; returns the serialized ModelProto."""
    spm.set_random_generator_seed(1234)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=buf,
        model_type='unigram',
        vocab_size=vocab_size,
        character_coverage=1.0,
        normalization_rule_name='nmt_nfkc',
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        hard_vocab_limit=False,
        byte_fallback=False,
        split_digits=False,
        max_sentence_length=8192,
        minloglevel=2,
    )
    return buf.getvalue()


def processor(model_proto: bytes) -> spm.SentencePieceProcessor:
    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(model_proto)
    return sp


def spm_to_hf(ids: list[int]) -> list[int]:
    """Map SentencePiece ids to fairseq/XLM-R ids."""
    return [UNK if i == 0 else i + FAIRSEQ_OFFSET for i in ids]


def encode(sp: spm.SentencePieceProcessor, text: str, max_length: int) -> list[int]:
    """Golden input ids: ``<s> pieces </s>``, truncated so the total is at most ``max_length``."""
    pieces = spm_to_hf(sp.encode(text))
    return [CLS] + pieces[: max(0, max_length - 2)] + [EOS]


def _hf_normalize(text: str) -> str:
    """What a tokenizer.json pipeline (Precompiled + Replace(' {2,}', ' ')) sees.

    Whitespace-like characters become a space, C0 controls vanish, NFKC is applied,
    and runs of spaces collapse to one; no stripping (unlike SentencePiece itself).
    """
    out = []
    for ch in text:
        o = ord(ch)
        if (1 <= o <= 8) or o in (0x0B, 0x7F, 0x8F, 0x9F) or (0x0E <= o <= 0x1F):
            continue
        if ch in '\t\n\x0c\r\u00a0\u1680\u2028\u2029\u202f\u205f\u2581\u3000\ufeff\ufffd' or 0x2000 <= o <= 0x200F:
            out.append(' ')
        else:
            out.append(ch)
    s = unicodedata.normalize('NFKC', ''.join(out))
    while '  ' in s:
        s = s.replace('  ', ' ')
    return s


def hf_encode(model_proto: bytes, text: str, max_length: int) -> list[int]:
    """Ids a Hugging Face tokenizer.json pipeline is expected to produce (no whitespace trimming).

    Uses the same unigram pieces through SentencePiece with normalisation turned off,
    on text normalised the way the tokenizer.json normalizer + Metaspace(prepend) do.
    """
    m = spm_pb2.ModelProto()
    m.ParseFromString(model_proto)
    m.normalizer_spec.name = 'identity'
    m.normalizer_spec.precompiled_charsmap = b''
    m.normalizer_spec.add_dummy_prefix = False
    m.normalizer_spec.remove_extra_whitespaces = False
    m.normalizer_spec.escape_whitespaces = True
    sp = processor(m.SerializeToString())
    s = _hf_normalize(text)
    if s == '':
        pieces: list[int] = []
    else:
        if not s.startswith(' '):
            s = ' ' + s
        pieces = spm_to_hf(sp.encode(s))
    return [CLS] + pieces[: max(0, max_length - 2)] + [EOS]


def _added(id_: int, content: str, lstrip: bool = False) -> dict:
    return {
        'id': id_,
        'content': content,
        'single_word': False,
        'lstrip': lstrip,
        'rstrip': False,
        'normalized': False,
        'special': True,
    }


def tokenizer_json(model_proto: bytes, vocab_size: int | None = None) -> str:
    """tokenizer.json in XLM-R form; ``vocab_size`` > natural size pads with unused filler pieces."""
    m = spm_pb2.ModelProto()
    m.ParseFromString(model_proto)
    vocab: list[list] = [['<s>', 0.0], ['<pad>', 0.0], ['</s>', 0.0], ['<unk>', 0.0]]
    for p in m.pieces[3:]:
        vocab.append([p.piece, float(p.score)])
    natural = len(vocab) + 1
    target = natural if vocab_size is None else vocab_size
    if target < natural:
        raise ValueError(f'vocab_size {target} is smaller than the tokenizer vocabulary {natural}')
    for i in range(target - natural):
        # Private-use characters never appear in real text, so these pieces are never chosen.
        vocab.append([f'\ue000{i:06d}\ue001', FILLER_SCORE])
    vocab.append(['<mask>', 0.0])
    mask_id = len(vocab) - 1
    charsmap = base64.b64encode(m.normalizer_spec.precompiled_charsmap).decode('ascii')
    doc = {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [
            _added(0, '<s>'), _added(1, '<pad>'), _added(2, '</s>'), _added(3, '<unk>'),
            _added(mask_id, '<mask>', lstrip=True),
        ],
        'normalizer': {
            'type': 'Sequence',
            'normalizers': [
                {'type': 'Precompiled', 'precompiled_charsmap': charsmap},
                {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '},
            ],
        },
        'pre_tokenizer': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [
                {'SpecialToken': {'id': '<s>', 'type_id': 0}},
                {'Sequence': {'id': 'A', 'type_id': 0}},
                {'SpecialToken': {'id': '</s>', 'type_id': 0}},
            ],
            'pair': [
                {'SpecialToken': {'id': '<s>', 'type_id': 0}},
                {'Sequence': {'id': 'A', 'type_id': 0}},
                {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                {'Sequence': {'id': 'B', 'type_id': 0}},
                {'SpecialToken': {'id': '</s>', 'type_id': 0}},
            ],
            'special_tokens': {
                '<s>': {'id': '<s>', 'ids': [0], 'tokens': ['<s>']},
                '</s>': {'id': '</s>', 'ids': [2], 'tokens': ['</s>']},
            },
        },
        'decoder': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
        'model': {'type': 'Unigram', 'unk_id': UNK, 'vocab': vocab, 'byte_fallback': False},
    }
    return json.dumps(doc, ensure_ascii=False, indent=None, separators=(',', ':'))


def natural_vocab_size(model_proto: bytes) -> int:
    m = spm_pb2.ModelProto()
    m.ParseFromString(model_proto)
    return len(m.pieces) + 2


def tokenizer_config(model_max_length: int) -> str:
    doc = {
        'bos_token': '<s>',
        'clean_up_tokenization_spaces': True,
        'cls_token': '<s>',
        'eos_token': '</s>',
        'mask_token': {'__type': 'AddedToken', 'content': '<mask>', 'lstrip': True, 'normalized': True,
                       'rstrip': False, 'single_word': False},
        'model_max_length': model_max_length,
        'pad_token': '<pad>',
        'sep_token': '</s>',
        'sp_model_kwargs': {},
        'tokenizer_class': 'XLMRobertaTokenizer',
        'unk_token': '<unk>',
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + '\n'


def special_tokens_map() -> str:
    doc = {
        'bos_token': '<s>', 'cls_token': '<s>', 'eos_token': '</s>',
        'mask_token': {'content': '<mask>', 'lstrip': True, 'normalized': False, 'rstrip': False, 'single_word': False},
        'pad_token': '<pad>', 'sep_token': '</s>', 'unk_token': '<unk>',
    }
    return json.dumps(doc, indent=2) + '\n'
