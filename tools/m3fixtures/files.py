"""Non-ONNX artifacts: config.json, torch heads (.pt), safetensors heads."""

from __future__ import annotations

import json
import struct

import numpy as np

from .weights import Shape


def config_json(shape: Shape) -> str:
    doc = {
        'architectures': ['XLMRobertaModel'],
        'attention_probs_dropout_prob': 0.1,
        'bos_token_id': 0,
        'classifier_dropout': None,
        'eos_token_id': 2,
        'hidden_act': 'gelu',
        'hidden_dropout_prob': 0.1,
        'hidden_size': shape.hidden,
        'initializer_range': 0.02,
        'intermediate_size': shape.ffn,
        'layer_norm_eps': shape.eps,
        'max_position_embeddings': shape.max_positions,
        'model_type': 'xlm-roberta',
        'num_attention_heads': shape.heads,
        'num_hidden_layers': shape.layers,
        'output_past': True,
        'pad_token_id': shape.pad_id,
        'position_embedding_type': 'absolute',
        'torch_dtype': 'float32',
        'type_vocab_size': 1,
        'use_cache': True,
        'vocab_size': shape.vocab,
    }
    return json.dumps(doc, indent=2) + '\n'


def save_torch_linear(path: str, weight: np.ndarray, bias: np.ndarray) -> None:
    """``torch.save(nn.Linear(...).state_dict())`` exactly as FlagEmbedding saves its heads (zip format)."""
    import torch

    out_f, in_f = weight.shape
    lin = torch.nn.Linear(in_f, out_f)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float32)))
        lin.bias.copy_(torch.from_numpy(np.ascontiguousarray(bias, dtype=np.float32)))
    torch.save(lin.state_dict(), path, _use_new_zipfile_serialization=True)


def save_safetensors(path: str, tensors: dict[str, np.ndarray]) -> None:
    """safetensors: u64 LE header length, JSON header (dtype/shape/data_offsets), raw LE data."""
    header: dict = {'__metadata__': {'format': 'pt'}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype='<f4')
        b = arr.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hjson = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hjson += b' ' * ((-len(hjson)) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
