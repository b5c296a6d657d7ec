"""Writers for the four hub layouts (same weights, same tokenizer in each)."""

from __future__ import annotations

import os

from . import files, graph
from .weights import Shape, Weights

LAYOUTS = ('m3', 'aapot', 'xenova', 'int8')
DIR_NAMES = {'m3': 'tiny-m3', 'aapot': 'tiny-m3-aapot', 'xenova': 'tiny-m3-xenova', 'int8': 'tiny-m3-int8'}
# fp32 graphs bigger than this get external data even where the hub layout is a single file
INLINE_LIMIT = 1 << 30


def _write(path: str, text: str) -> None:
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)


def _common(d: str, shape: Shape, tok: dict[str, str]) -> None:
    os.makedirs(d, exist_ok=True)
    _write(os.path.join(d, 'config.json'), files.config_json(shape))
    for name, text in tok.items():
        _write(os.path.join(d, name), text)


def _fp32_bytes(shape: Shape) -> int:
    s = shape
    per_layer = 4 * s.hidden * s.hidden + 2 * s.hidden * s.ffn
    return 4 * ((s.vocab + s.max_positions) * s.hidden + s.layers * per_layer)


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def write_layout(kind: str, d: str, shape: Shape, weights: Weights, tok: dict[str, str], log=print) -> None:
    _common(d, shape, tok)
    if kind == 'm3':
        os.makedirs(os.path.join(d, 'onnx'), exist_ok=True)
        for head in ('sparse_linear', 'colbert_linear'):
            files.save_torch_linear(os.path.join(d, head + '.pt'), weights.get(head + '.weight'),
                                    weights.get(head + '.bias'))
        log(f'  {d}/onnx/model.onnx (+ model.onnx_data)')
        graph.save(graph.build(shape, weights, 'backbone', False), os.path.join(d, 'onnx', 'model.onnx'),
                   external='model.onnx_data')
    elif kind == 'aapot':
        log(f'  {d}/model.onnx (+ model.onnx.data)')
        graph.save(graph.build(shape, weights, 'm3heads', False), os.path.join(d, 'model.onnx'),
                   external='model.onnx.data')
    elif kind == 'xenova':
        os.makedirs(os.path.join(d, 'onnx'), exist_ok=True)
        for head in ('sparse_linear', 'colbert_linear'):
            files.save_safetensors(os.path.join(d, head + '.safetensors'),
                                   {'weight': weights.get(head + '.weight'), 'bias': weights.get(head + '.bias')})
        big = _fp32_bytes(shape) > INLINE_LIMIT
        log(f'  {d}/onnx/model.onnx' + (' (+ model.onnx_data)' if big else ''))
        _remove(os.path.join(d, 'onnx', 'model.onnx_data'))
        graph.save(graph.build(shape, weights, 'xenova', False), os.path.join(d, 'onnx', 'model.onnx'),
                   external='model.onnx_data' if big else None)
        log(f'  {d}/onnx/model_quantized.onnx')
        graph.save(graph.build(shape, weights, 'xenova', True), os.path.join(d, 'onnx', 'model_quantized.onnx'))
    elif kind == 'int8':
        log(f'  {d}/model_quantized.onnx')
        graph.save(graph.build(shape, weights, 'm3heads', True), os.path.join(d, 'model_quantized.onnx'))
    else:
        raise ValueError(f'unknown layout {kind!r}; expected one of {LAYOUTS}')
