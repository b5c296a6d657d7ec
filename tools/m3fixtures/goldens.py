"""goldens.json: token ids from the sentencepiece library, outputs from the numpy reference."""

from __future__ import annotations

import json

import numpy as np

from . import tokenizer as T
from .reference import Reference
from .weights import Shape

SCHEMA_VERSION = 1
MAX_LENGTHS = (16, 64)
LAST_HIDDEN_FOR = ('query', 'japanese')

_IN = ['input_ids', 'attention_mask']
_HEADS = ['dense_vecs', 'sparse_vecs', 'colbert_vecs']
LAYOUTS = {
    'tiny-m3': {'style': 'BAAI/bge-m3', 'heads': {'sparse': 'sparse_linear.pt', 'colbert': 'colbert_linear.pt'},
                'onnx': [{'path': 'onnx/model.onnx', 'externalData': 'onnx/model.onnx_data', 'quantized': False,
                          'inputs': _IN, 'outputs': ['last_hidden_state']}]},
    'tiny-m3-aapot': {'style': 'aapot/bge-m3-onnx', 'heads': None,
                      'onnx': [{'path': 'model.onnx', 'externalData': 'model.onnx.data', 'quantized': False,
                                'inputs': _IN, 'outputs': _HEADS}]},
    'tiny-m3-xenova': {'style': 'Xenova/bge-m3',
                       'heads': {'sparse': 'sparse_linear.safetensors', 'colbert': 'colbert_linear.safetensors'},
                       'onnx': [{'path': 'onnx/model.onnx', 'externalData': None, 'quantized': False,
                                 'inputs': _IN, 'outputs': ['token_embeddings', 'sentence_embedding']},
                                {'path': 'onnx/model_quantized.onnx', 'externalData': None, 'quantized': True,
                                 'inputs': _IN, 'outputs': ['token_embeddings', 'sentence_embedding']}]},
    'tiny-m3-int8': {'style': 'gpahal/bge-m3-onnx-int8', 'heads': None,
                     'onnx': [{'path': 'model_quantized.onnx', 'externalData': None, 'quantized': True,
                               'inputs': _IN, 'outputs': _HEADS}]},
}

TEXTS: list[tuple[str, str]] = [
    ('english', 'BGE M3 is an embedding model supporting dense retrieval, lexical matching and '
                'multi-vector interaction.'),
    ('query', 'What is BGE M3?'),
    ('repeated', 'the cat and the dog and the cat and the bird and the cat'),
    ('japanese', '東京は日本の首都です。今日はいい天気ですね。'),
    ('chinese', '我们今天去公园散步。你好，谢谢！'),
    ('emoji', 'I love pizza 🍕🎉 and coffee ☕!'),
    ('punctuation', 'Hello, world!!! (yes) -- "quoted"; done... #1 @home 50%'),
    ('accents', 'Café déjà vu: naïve façade, Größe und Straße; señor, mañana.'),
    ('fullwidth', 'ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ and   extra    spaces'),
    ('long', 'BM25 is a bag-of-words retrieval function that ranks a set of documents based on the query '
             'terms appearing in each document. Dense retrieval maps each text to one vector, while '
             'multi-vector interaction keeps one vector per token and sparse lexical matching keeps one '
             'weight per token; a hybrid search fuses all three scores for every query and passage.'),
    ('unknown', 'rare ꙮ glyph'),
    ('whitespace', '  \t \n  '),
    ('empty', ''),
]


def _r(x) -> list:
    """Round to 8 significant digits (far below every tolerance) to keep the file small."""
    a = np.asarray(x, dtype=np.float64)
    return json.loads(json.dumps(np.vectorize(lambda v: float(f'{v:.8g}'))(a).tolist())) if a.size else a.tolist()


def _outputs(ref: Reference, ids: list[int]) -> dict:
    h = ref.hidden(ids)
    o = ref.heads(ids, h)
    return {
        'dense': _r(o['dense']),
        'tokenWeights': _r(o['tokenWeights']),
        'sparse': {'ids': o['sparse']['ids'], 'weights': _r(o['sparse']['weights'])},
        'colbert': _r(o['colbert']) if len(ids) > 1 else [],
        '_hidden': h,
    }


def build(shape: Shape, weights: dict, model_proto: bytes, seed: int, tolerances: dict) -> dict:
    sp = T.processor(model_proto)
    fp = Reference(shape, weights)
    q8 = Reference(shape, weights, quant_mode=True)
    cases = []
    hidden = []
    for max_len in MAX_LENGTHS:
        for name, text in TEXTS:
            sp_ids = T.encode(sp, text, max_len)
            hf_ids = T.hf_encode(model_proto, text, max_len)
            variants = [('sentencepiece', sp_ids)] + ([('tokenizer.json', hf_ids)] if hf_ids != sp_ids else [])
            for source, ids in variants:
                o = _outputs(fp, ids)
                h = o.pop('_hidden')
                i8 = _outputs(q8, ids)
                i8.pop('_hidden')
                cases.append({
                    'name': name, 'text': text, 'maxLength': max_len, 'idsFrom': source,
                    'inputIds': ids, 'tokenizerJsonIds': hf_ids, **o, 'int8': i8,
                })
                if name in LAST_HIDDEN_FOR and source == 'sentencepiece':
                    hidden.append({'name': name, 'maxLength': max_len, 'inputIds': ids, 'values': _r(h)})
    return {
        'schemaVersion': SCHEMA_VERSION,
        'generator': 'tools/make_tiny_models.py',
        'seed': seed,
        'shape': {
            'hiddenSize': shape.hidden, 'numLayers': shape.layers, 'numHeads': shape.heads,
            'intermediateSize': shape.ffn, 'vocabSize': shape.vocab, 'maxPositionEmbeddings': shape.max_positions,
            'layerNormEps': shape.eps, 'padTokenId': shape.pad_id,
        },
        'specialIds': {'cls': T.CLS, 'pad': T.PAD, 'eos': T.EOS, 'unk': T.UNK, 'mask': shape.vocab - 1},
        'unusedSparseIds': [T.CLS, T.PAD, T.EOS, T.UNK],
        'tolerances': tolerances,
        'layouts': LAYOUTS,
        'cases': cases,
        'lastHiddenState': hidden,
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(',', ':')) + '\n'
