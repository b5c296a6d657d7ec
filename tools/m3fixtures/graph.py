"""ONNX graphs (opset 17) of the XLM-R backbone plus optional BGE-M3 heads.

Initializers are kept as lazy producers (iterators of row chunks) so the writer
can stream a multi-GB model into its external-data file without materialising it.
"""

from __future__ import annotations

import math
import os
from typing import Callable, Iterable, Iterator

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import quant
from .weights import Shape, Weights, layer_names

OPSET = 17
IR_VERSION = 8
NEG_MIN = float(np.finfo(np.float32).min)
INT64_MAX = np.iinfo(np.int64).max

Producer = Callable[[], Iterable[np.ndarray]]


class Graph:
    def __init__(self, shape: Shape, weights: Weights, quantized: bool) -> None:
        self.s = shape
        self.w = weights
        self.q = quantized
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[tuple[str, int, tuple[int, ...], Producer]] = []
        self.consts: list[onnx.TensorProto] = []
        self._n = 0
        self._dql: dict[str, tuple[str, str, str]] = {}

    # ---- plumbing -------------------------------------------------------
    def _name(self, base: str) -> str:
        self._n += 1
        return f'{base}_{self._n}'

    def op(self, op_type: str, inputs: list[str], n_out: int = 1, name: str | None = None, **attrs):
        outs = [self._name(op_type.lower()) for _ in range(n_out)] if name is None else [name]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self._name('n_' + op_type), **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, value, dtype) -> str:
        arr = np.asarray(value, dtype=dtype)
        name = self._name('const')
        self.consts.append(numpy_helper.from_array(arr, name))
        return name

    def init(self, name: str, dtype: int, shape: tuple[int, ...], producer: Producer) -> str:
        self.inits.append((name, dtype, tuple(shape), producer))
        return name

    # ---- layers ---------------------------------------------------------
    def linear(self, x: str, base: str) -> str:
        """x @ W^T + b for a torch-layout Linear called ``base``."""
        w_name, b_name = base + '.weight', base + '.bias'
        out_f, in_f = self.w.tensor_shape(w_name)
        bias = self.init(b_name, TensorProto.FLOAT, (out_f,), lambda: [self.w.get(b_name)])
        if not self.q:
            wt = self.init(w_name + '.T', TensorProto.FLOAT, (in_f, out_f),
                           lambda: [np.ascontiguousarray(self.w.get(w_name).T)])
            return self.op('Add', [self.op('MatMul', [x, wt]), bias])
        cache: dict[str, tuple[np.ndarray, np.float32]] = {}

        def qw() -> tuple[np.ndarray, np.float32]:
            if 'v' not in cache:
                cache['v'] = quant.quantize_weight(np.ascontiguousarray(self.w.get(w_name).T))
            return cache['v']

        wq = self.init(w_name + '_quantized', TensorProto.INT8, (in_f, out_f), lambda: [qw()[0]])
        ws = self.init(w_name + '_scale', TensorProto.FLOAT, (), lambda: [np.asarray(qw()[1], np.float32)])
        wzp = self.init(w_name + '_zero_point', TensorProto.INT8, (), lambda: [np.asarray(0, np.int8)])
        if x not in self._dql:
            self._dql[x] = tuple(self.op('DynamicQuantizeLinear', [x], n_out=3))
        xq, xs, xzp = self._dql[x]
        acc = self.op('MatMulInteger', [xq, wq, xzp, wzp])
        scale = self.op('Mul', [xs, ws])
        y = self.op('Mul', [self.op('Cast', [acc], to=TensorProto.FLOAT), scale])
        return self.op('Add', [y, bias])

    def embedding(self, table: str, ids: str) -> str:
        rows, cols = self.w.tensor_shape(table)
        if not self.q:
            t = self.init(table, TensorProto.FLOAT, (rows, cols), lambda: self.w.chunks(table))
            return self.op('Gather', [t, ids], axis=0)
        params: dict[str, tuple[np.float32, np.uint8]] = {}

        def qp() -> tuple[np.float32, np.uint8]:
            if 'p' not in params:
                lo, hi = math.inf, -math.inf
                for c in self.w.chunks(table):
                    lo, hi = min(lo, float(c.min())), max(hi, float(c.max()))
                params['p'] = quant.table_params(lo, hi)
            return params['p']

        def q_chunks() -> Iterator[np.ndarray]:
            scale, zp = qp()
            for c in self.w.chunks(table):
                yield quant.quantize_table(c, scale, zp)

        tq = self.init(table + '_quantized', TensorProto.UINT8, (rows, cols), q_chunks)
        ts = self.init(table + '_scale', TensorProto.FLOAT, (), lambda: [np.asarray(qp()[0], np.float32)])
        tzp = self.init(table + '_zero_point', TensorProto.UINT8, (), lambda: [np.asarray(qp()[1], np.uint8)])
        g = self.op('Gather', [tq, ids], axis=0)
        return self.op('DequantizeLinear', [g, ts, tzp])

    def layer_norm(self, x: str, base: str) -> str:
        h = self.s.hidden
        g = self.init(base + '.weight', TensorProto.FLOAT, (h,), lambda: [self.w.get(base + '.weight')])
        b = self.init(base + '.bias', TensorProto.FLOAT, (h,), lambda: [self.w.get(base + '.bias')])
        return self.op('LayerNormalization', [x, g, b], axis=-1, epsilon=self.s.eps)

    def gelu(self, x: str) -> str:
        erf = self.op('Erf', [self.op('Div', [x, self.const(math.sqrt(2.0), np.float32)])])
        one_plus = self.op('Add', [erf, self.const(1.0, np.float32)])
        return self.op('Mul', [self.op('Mul', [x, self.const(0.5, np.float32)]), one_plus])

    def l2_normalize(self, x: str, name: str | None = None) -> str:
        norm = self.op('ReduceL2', [x], axes=[-1], keepdims=1)
        return self.op('Div', [x, self.op('Max', [norm, self.const(1e-12, np.float32)])], name=name)

    # ---- model ----------------------------------------------------------
    def backbone(self) -> tuple[str, str]:
        """Returns (last hidden state [B,T,H], attention mask as float [B,T])."""
        s = self.s
        ids, mask = 'input_ids', 'attention_mask'
        not_pad = self.op('Cast', [self.op('Not', [self.op('Equal', [ids, self.const(s.pad_id, np.int64)])])],
                          to=TensorProto.INT64)
        cum = self.op('CumSum', [not_pad, self.const(1, np.int64)])
        pos = self.op('Add', [self.op('Mul', [cum, not_pad]), self.const(s.pad_id, np.int64)])
        word = self.embedding('embeddings.word_embeddings.weight', ids)
        posv = self.embedding('embeddings.position_embeddings.weight', pos)
        tt_name = 'embeddings.token_type_embeddings.weight'
        tt = self.init(tt_name, TensorProto.FLOAT, (1, s.hidden), lambda: [self.w.get(tt_name)])
        x = self.op('Add', [self.op('Add', [word, posv]), tt])
        x = self.layer_norm(x, 'embeddings.LayerNorm')
        mask_f = self.op('Cast', [mask], to=TensorProto.FLOAT)
        ext = self.op('Mul', [self.op('Sub', [self.const(1.0, np.float32), mask_f]), self.const(NEG_MIN, np.float32)])
        ext = self.op('Unsqueeze', [ext, self.const([1, 2], np.int64)])
        nh, hd = s.heads, s.head_dim
        split = self.const([0, 0, nh, hd], np.int64)
        merge = self.const([0, 0, s.hidden], np.int64)
        inv = self.const(1.0 / math.sqrt(hd), np.float32)
        for i in range(s.layers):
            n = layer_names(i)
            q = self.op('Transpose', [self.op('Reshape', [self.linear(x, n['q']), split])], perm=[0, 2, 1, 3])
            k = self.op('Transpose', [self.op('Reshape', [self.linear(x, n['k']), split])], perm=[0, 2, 3, 1])
            v = self.op('Transpose', [self.op('Reshape', [self.linear(x, n['v']), split])], perm=[0, 2, 1, 3])
            scores = self.op('Add', [self.op('Mul', [self.op('MatMul', [q, k]), inv]), ext])
            probs = self.op('Softmax', [scores], axis=-1)
            ctx = self.op('Transpose', [self.op('MatMul', [probs, v])], perm=[0, 2, 1, 3])
            ctx = self.op('Reshape', [ctx, merge])
            x = self.layer_norm(self.op('Add', [x, self.linear(ctx, n['o'])]), n['ln1'])
            f = self.linear(self.gelu(self.linear(x, n['f1'])), n['f2'])
            x = self.layer_norm(self.op('Add', [x, f]), n['ln2'])
        return x, mask_f

    def cls(self, h: str) -> str:
        return self.op('Gather', [h, self.const(0, np.int64)], axis=1)

    def m3_heads(self, h: str, mask_f: str, names: tuple[str, str, str]) -> None:
        dense_n, sparse_n, colbert_n = names
        self.l2_normalize(self.cls(h), name=dense_n)
        self.op('Relu', [self.linear(h, 'sparse_linear')], name=sparse_n)
        one, end, ax = self.const([1], np.int64), self.const([INT64_MAX], np.int64), self.const([1], np.int64)
        rest = self.op('Slice', [h, one, end, ax])
        col = self.linear(rest, 'colbert_linear')
        m = self.op('Unsqueeze', [self.op('Slice', [mask_f, one, end, ax]), self.const([2], np.int64)])
        self.l2_normalize(self.op('Mul', [col, m]), name=colbert_n)


LAYOUT_OUTPUTS = {
    'backbone': [('last_hidden_state', ['batch_size', 'sequence_length', 'H'])],
    'xenova': [('token_embeddings', ['batch_size', 'sequence_length', 'H']),
               ('sentence_embedding', ['batch_size', 'H'])],
    'm3heads': [('dense_vecs', ['batch_size', 'H']), ('sparse_vecs', ['batch_size', 'sequence_length', 1]),
                ('colbert_vecs', ['batch_size', 'sequence_length_minus_1', 'H'])],
}


def build(shape: Shape, weights: Weights, outputs: str, quantized: bool) -> Graph:
    g = Graph(shape, weights, quantized)
    h, mask_f = g.backbone()
    if outputs == 'backbone':
        g.op('Identity', [h], name='last_hidden_state')
    elif outputs == 'xenova':
        g.op('Identity', [h], name='token_embeddings')
        g.l2_normalize(g.cls(h), name='sentence_embedding')
    elif outputs == 'm3heads':
        g.m3_heads(h, mask_f, ('dense_vecs', 'sparse_vecs', 'colbert_vecs'))
    else:
        raise ValueError(outputs)
    g.outputs = outputs
    return g


def _align(f, boundary: int) -> int:
    pos = f.tell()
    pad = (-pos) % boundary
    if pad:
        f.write(b'\0' * pad)
    return pos + pad


def save(g: Graph, path: str, external: str | None = None, threshold: int = 1024) -> None:
    """Write ``g`` to ``path``; tensors of at least ``threshold`` bytes go to ``external`` (a file name
    next to ``path``) when given. Re-writing always truncates the data file first."""
    inits: list[onnx.TensorProto] = []
    data_f = open(os.path.join(os.path.dirname(path), external), 'wb') if external else None
    try:
        for name, dtype, shape, producer in g.inits:
            np_dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[dtype]
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(np_dtype).itemsize
            if data_f is not None and nbytes >= threshold:
                offset = _align(data_f, 65536 if nbytes >= (1 << 20) else 64)
                written = 0
                for chunk in producer():
                    b = np.ascontiguousarray(chunk, dtype=np_dtype).tobytes()
                    data_f.write(b)
                    written += len(b)
                if written != nbytes:
                    raise RuntimeError(f'{name}: wrote {written} bytes, expected {nbytes}')
                t = TensorProto(name=name, data_type=dtype, dims=list(shape), data_location=TensorProto.EXTERNAL)
                for k, v in (('location', external), ('offset', str(offset)), ('length', str(nbytes))):
                    e = t.external_data.add()
                    e.key, e.value = k, v
            else:
                parts = [np.asarray(c, dtype=np_dtype) for c in producer()]
                arr = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)
                t = numpy_helper.from_array(arr.reshape(shape), name)
            inits.append(t)
    finally:
        if data_f is not None:
            data_f.close()
    int64 = TensorProto.INT64
    inputs = [helper.make_tensor_value_info('input_ids', int64, ['batch_size', 'sequence_length']),
              helper.make_tensor_value_info('attention_mask', int64, ['batch_size', 'sequence_length'])]
    outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [g.s.hidden if d == 'H' else d for d in dims])
            for n, dims in LAYOUT_OUTPUTS[g.outputs]]
    graph = helper.make_graph(g.nodes, 'bge_m3_tiny' if g.s.hidden < 1024 else 'bge_m3_random', inputs, outs,
                              initializer=g.consts + inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)],
                              producer_name='trident-make_tiny_models', producer_version='1')
    model.ir_version = IR_VERSION
    with open(path, 'wb') as f:
        f.write(model.SerializeToString())
