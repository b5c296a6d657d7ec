"""Model shape and seeded random weights, generated tensor by tensor.

Each tensor is a pure function of (seed, tensor name, chunk index), so a tensor
can be regenerated at any time without holding the whole model in memory (the
BGE-M3-sized bench model streams its 2.3 GB this way).
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Iterator

import numpy as np

CHUNK_ELEMS = 1 << 22  # rows per chunk are chosen so one chunk holds at most ~4M floats


@dataclasses.dataclass(frozen=True)
class Shape:
    hidden: int = 32
    layers: int = 2
    heads: int = 4
    ffn: int = 64
    vocab: int = 3002
    max_positions: int = 514
    eps: float = 1e-5
    pad_id: int = 1

    def __post_init__(self) -> None:
        if self.hidden % self.heads != 0:
            raise ValueError(f'hidden {self.hidden} is not divisible by heads {self.heads}')

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


BGE_M3 = Shape(hidden=1024, layers=24, heads=16, ffn=4096, vocab=250002, max_positions=8194)


def layer_names(i: int) -> dict[str, str]:
    p = f'encoder.layer.{i}.'
    return {
        'q': p + 'attention.self.query', 'k': p + 'attention.self.key', 'v': p + 'attention.self.value',
        'o': p + 'attention.output.dense', 'ln1': p + 'attention.output.LayerNorm',
        'f1': p + 'intermediate.dense', 'f2': p + 'output.dense', 'ln2': p + 'output.LayerNorm',
    }


class Weights:
    """Seeded weights in torch layout (Linear weight is [out, in])."""

    def __init__(self, shape: Shape, seed: int) -> None:
        self.shape = shape
        self.seed = seed

    def _rng(self, name: str, chunk: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode()), chunk])

    def tensor_shape(self, name: str) -> tuple[int, ...]:
        s = self.shape
        if name == 'embeddings.word_embeddings.weight':
            return (s.vocab, s.hidden)
        if name == 'embeddings.position_embeddings.weight':
            return (s.max_positions, s.hidden)
        if name == 'embeddings.token_type_embeddings.weight':
            return (1, s.hidden)
        if name == 'sparse_linear.weight':
            return (1, s.hidden)
        if name == 'sparse_linear.bias':
            return (1,)
        if 'LayerNorm' in name or name == 'colbert_linear.bias':
            return (s.hidden,)
        if name == 'colbert_linear.weight':
            return (s.hidden, s.hidden)
        if '.intermediate.dense.' in name:
            return (s.ffn, s.hidden) if name.endswith('weight') else (s.ffn,)
        if '.output.dense.' in name and 'attention' not in name:
            return (s.hidden, s.ffn) if name.endswith('weight') else (s.hidden,)
        if name.endswith('.weight'):
            return (s.hidden, s.hidden)
        if name.endswith('.bias'):
            return (s.hidden,)
        raise KeyError(name)

    def chunks(self, name: str) -> Iterator[np.ndarray]:
        """Row chunks (float32) of one tensor; concatenated they form the tensor."""
        shape = self.tensor_shape(name)
        rows = shape[0]
        per_row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        step = max(1, CHUNK_ELEMS // per_row) if len(shape) > 1 else rows
        for ci, start in enumerate(range(0, rows, step)):
            n = min(step, rows - start)
            rng = self._rng(name, ci)
            z = rng.standard_normal((n,) + shape[1:], dtype=np.float32)
            yield self._scale(name, z, start)

    def _scale(self, name: str, z: np.ndarray, start: int) -> np.ndarray:
        s = self.shape
        if name.endswith('LayerNorm.weight'):
            return (1.0 + 0.1 * z).astype(np.float32)
        if name.endswith('LayerNorm.bias'):
            return (0.05 * z).astype(np.float32)
        if name.startswith('embeddings.'):
            out = (0.5 * z).astype(np.float32)
            if name != 'embeddings.token_type_embeddings.weight':
                pad = s.pad_id - start  # XLM-R keeps the padding_idx row at zero
                if 0 <= pad < out.shape[0]:
                    out[pad] = 0.0
            return out
        if name.endswith('.bias'):
            return (0.02 * z).astype(np.float32)
        fan_in = self.tensor_shape(name)[1]
        return (z / np.sqrt(fan_in)).astype(np.float32)

    def get(self, name: str) -> np.ndarray:
        parts = list(self.chunks(name))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)

    def names(self, heads: bool = True) -> list[str]:
        out = [
            'embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight',
            'embeddings.token_type_embeddings.weight', 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias',
        ]
        for i in range(self.shape.layers):
            for base in layer_names(i).values():
                out += [base + '.weight', base + '.bias']
        if heads:
            out += ['sparse_linear.weight', 'sparse_linear.bias', 'colbert_linear.weight', 'colbert_linear.bias']
        return out

    def all(self) -> dict[str, np.ndarray]:
        return {n: self.get(n) for n in self.names()}
