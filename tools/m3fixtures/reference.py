"""Independent float64 numpy forward pass of the XLM-R backbone and the BGE-M3 heads.

Written from the model definition (XLMRobertaModel + BGE-M3 heads), not from the
ONNX graph, so it serves as the oracle for every exported layout. ``quant=True``
replays the dynamic-int8 arithmetic (quant.py) of the ``*_quantized.onnx`` files.
"""

from __future__ import annotations

import math

import numpy as np

from . import quant
from .weights import Shape, layer_names

UNUSED_IDS = (0, 1, 2, 3)
_erf = np.vectorize(math.erf, otypes=[np.float64])


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=-1, keepdims=True)


class Reference:
    def __init__(self, shape: Shape, weights: dict[str, np.ndarray], quant_mode: bool = False) -> None:
        self.s = shape
        self.quant = quant_mode
        self.w = {k: v.astype(np.float64) for k, v in weights.items()}
        self.qw: dict[str, tuple[np.ndarray, np.float32]] = {}
        if quant_mode:
            for k, v in weights.items():
                if k.endswith('.weight') and 'LayerNorm' not in k and not k.startswith('embeddings.'):
                    self.qw[k] = quant.quantize_weight(np.ascontiguousarray(v.T))
            for k in ('embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight'):
                v = weights[k]
                scale, zp = quant.table_params(float(v.min()), float(v.max()))
                self.w[k] = quant.dequantize(quant.quantize_table(v, scale, zp), scale, int(zp))

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        b = self.w[name + '.bias']
        if self.quant:
            wq, ws = self.qw[name + '.weight']
            return quant.quantized_linear(x, wq, ws, b)
        return x @ self.w[name + '.weight'].T + b

    def hidden(self, ids: list[int]) -> np.ndarray:
        """Last hidden state [T, H] for one unpadded sequence."""
        s, w = self.s, self.w
        ids_a = np.asarray(ids, dtype=np.int64)
        not_pad = (ids_a != s.pad_id).astype(np.int64)
        pos = np.cumsum(not_pad) * not_pad + s.pad_id
        x = (w['embeddings.word_embeddings.weight'][ids_a] + w['embeddings.position_embeddings.weight'][pos]
             + w['embeddings.token_type_embeddings.weight'][0])
        x = _layer_norm(x, w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias'], s.eps)
        t, nh, hd = len(ids), s.heads, s.head_dim
        for i in range(s.layers):
            n = layer_names(i)
            q = self.linear(x, n['q']).reshape(t, nh, hd).transpose(1, 0, 2)
            k = self.linear(x, n['k']).reshape(t, nh, hd).transpose(1, 0, 2)
            v = self.linear(x, n['v']).reshape(t, nh, hd).transpose(1, 0, 2)
            att = _softmax(q @ k.transpose(0, 2, 1) / math.sqrt(hd))
            ctx = (att @ v).transpose(1, 0, 2).reshape(t, s.hidden)
            x = _layer_norm(x + self.linear(ctx, n['o']), w[n['ln1'] + '.weight'], w[n['ln1'] + '.bias'], s.eps)
            f = self.linear(_gelu(self.linear(x, n['f1'])), n['f2'])
            x = _layer_norm(x + f, w[n['ln2'] + '.weight'], w[n['ln2'] + '.bias'], s.eps)
        return x

    def heads(self, ids: list[int], h: np.ndarray) -> dict:
        """BGE-M3 outputs for one sequence: raw head outputs and the pooled client-side forms."""
        dense = h[0] / max(np.linalg.norm(h[0]), 1e-12)
        token_w = np.maximum(self.linear(h, 'sparse_linear')[:, 0], 0.0)
        col = self.linear(h[1:], 'colbert_linear')
        norms = np.maximum(np.linalg.norm(col, axis=1, keepdims=True), 1e-12)
        col = col / norms
        best: dict[int, float] = {}
        for tid, wt in zip(ids, token_w):
            if tid in UNUSED_IDS or wt <= 0:
                continue
            if wt > best.get(tid, 0.0):
                best[tid] = float(wt)
        sparse_ids = sorted(best)
        return {
            'dense': dense,
            'tokenWeights': token_w,
            'sparse': {'ids': sparse_ids, 'weights': [best[i] for i in sparse_ids]},
            'colbert': col,
        }
