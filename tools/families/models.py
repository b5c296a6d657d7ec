"""Tiny torch models in the exact architectures of the families (exported to ONNX),
with seeded random weights. The numpy reference forward passes live in reference.py and
share nothing with these modules but the weight dictionary.

- Encoder: BERT (absolute positions, token types, LayerNorm eps 1e-12), XLM-R (positions
  from padding_idx + 1, eps 1e-5, one token type) or RoFormer (rotary q/k, interleaved pairs,
  no position table). Optional heads: MLM (SPLADE), last-layer attentions (BM42),
  sequence classification (XLM-R cross-encoder).
- Decoder: Mistral (RMSNorm, rotate-half rotary, grouped-query attention, SwiGLU, causal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

NEG = float(np.finfo(np.float32).min)


@dataclass
class EncShape:
    vocab: int
    hidden: int = 32
    layers: int = 2
    heads: int = 4
    ffn: int = 64
    max_pos: int = 128
    type_vocab: int = 2
    eps: float = 1e-12
    pos: str = 'absolute'  # absolute | roberta | rotary
    pad_id: int = 0


def enc_weights(s: EncShape, seed: int, extra: dict[str, tuple[int, ...]] | None = None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def r(*shape: int, scale: float = 0.2) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    h, f = s.hidden, s.ffn
    w = {'emb.word': r(s.vocab, h, scale=0.5), 'emb.type': r(s.type_vocab, h, scale=0.1),
         'emb.ln.g': 1 + r(h, scale=0.1), 'emb.ln.b': r(h, scale=0.1)}
    if s.pos != 'rotary':
        w['emb.pos'] = r(s.max_pos, h, scale=0.1)
    for i in range(s.layers):
        for n in ('q', 'k', 'v', 'o'):
            w[f'l{i}.{n}.w'] = r(h, h, scale=1 / math.sqrt(h))
            w[f'l{i}.{n}.b'] = r(h, scale=0.05)
        w[f'l{i}.f1.w'], w[f'l{i}.f1.b'] = r(f, h, scale=1 / math.sqrt(h)), r(f, scale=0.05)
        w[f'l{i}.f2.w'], w[f'l{i}.f2.b'] = r(h, f, scale=1 / math.sqrt(f)), r(h, scale=0.05)
        for n in ('ln1', 'ln2'):
            w[f'l{i}.{n}.g'], w[f'l{i}.{n}.b'] = 1 + r(h, scale=0.1), r(h, scale=0.1)
    for name, shape in (extra or {}).items():
        w[name] = r(*shape, scale=1 / math.sqrt(shape[-1]) if len(shape) > 1 else 0.1)
    return w


def positions(ids: torch.Tensor) -> torch.Tensor:
    """0..T-1 computed from the input (stays dynamic in the exported graph)."""
    return torch.cumsum(torch.ones_like(ids[0]), 0) - 1


def rotary_tables(pos: torch.Tensor, d: int, interleaved: bool, base: float = 10000.0) -> tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    ang = pos.to(torch.float32)[:, None] * inv[None, :]
    # duplicate each angle: interleaved (θ0 θ0 θ1 θ1 …) or halves (θ0 θ1 … θ0 θ1 …), as a matmul
    e = torch.zeros(d // 2, d)
    for j in range(d // 2):
        if interleaved:
            e[j, 2 * j] = e[j, 2 * j + 1] = 1.0
        else:
            e[j, j] = e[j, j + d // 2] = 1.0
    ang = ang @ e
    return torch.cos(ang), torch.sin(ang)


class Encoder(nn.Module):
    def __init__(self, s: EncShape, w: dict[str, np.ndarray], head: str) -> None:
        super().__init__()
        self.s, self.head = s, head
        self.p = nn.ParameterDict({k.replace('.', '_'): nn.Parameter(torch.from_numpy(v.copy())) for k, v in w.items()})

    def g(self, k: str) -> torch.Tensor:
        return self.p[k.replace('.', '_')]

    def lin(self, x: torch.Tensor, n: str) -> torch.Tensor:
        return x @ self.g(n + '.w').T + self.g(n + '.b')

    def ln(self, x: torch.Tensor, n: str) -> torch.Tensor:
        return nn.functional.layer_norm(x, (self.s.hidden,), self.g(n + '.g'), self.g(n + '.b'), self.s.eps)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None):
        s = self.s
        B, T = input_ids.shape
        x = self.g('emb.word')[input_ids]
        if s.pos == 'absolute':
            x = x + self.g('emb.pos')[positions(input_ids)][None]
        elif s.pos == 'roberta':
            not_pad = (input_ids != s.pad_id).long()
            pos = torch.cumsum(not_pad, dim=1) * not_pad + s.pad_id
            x = x + self.g('emb.pos')[pos]
        x = x + (self.g('emb.type')[token_type_ids] if token_type_ids is not None else self.g('emb.type')[0])
        x = self.ln(x, 'emb.ln')
        ext = (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * NEG
        nh, hd = s.heads, s.hidden // s.heads
        cos = sin = None
        if s.pos == 'rotary':
            cos, sin = rotary_tables(positions(input_ids), hd, interleaved=True)
        probs = None
        for i in range(s.layers):
            def split(t: torch.Tensor) -> torch.Tensor:
                return t.reshape(B, T, nh, hd).transpose(1, 2)
            q, k, v = split(self.lin(x, f'l{i}.q')), split(self.lin(x, f'l{i}.k')), split(self.lin(x, f'l{i}.v'))
            if cos is not None:
                def rot(t: torch.Tensor) -> torch.Tensor:
                    # rotate-every-two as a constant matrix: out[2j] = -t[2j+1], out[2j+1] = t[2j]
                    rm = torch.zeros(hd, hd)
                    for j in range(hd // 2):
                        rm[2 * j + 1, 2 * j] = -1.0
                        rm[2 * j, 2 * j + 1] = 1.0
                    swapped = t @ rm
                    return t * cos + swapped * sin
                q, k = rot(q), rot(k)
            scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + ext
            probs = torch.softmax(scores, dim=-1)
            ctx = (probs @ v).transpose(1, 2).reshape(B, T, s.hidden)
            x = self.ln(x + self.lin(ctx, f'l{i}.o'), f'l{i}.ln1')
            f = self.lin(nn.functional.gelu(self.lin(x, f'l{i}.f1')), f'l{i}.f2')
            x = self.ln(x + f, f'l{i}.ln2')
        if self.head == 'hidden':
            return x
        if self.head == 'mlm':
            t = nn.functional.layer_norm(nn.functional.gelu(self.lin(x, 'mlm.dense')), (s.hidden,), self.g('mlm.ln.g'),
                                         self.g('mlm.ln.b'), s.eps)
            return t @ self.g('emb.word').T + self.g('mlm.bias')
        if self.head == 'attentions':
            return x, probs
        if self.head == 'classifier':
            c = torch.tanh(self.lin(x[:, 0], 'cls.dense'))
            return self.lin(c, 'cls.out')
        raise ValueError(self.head)


@dataclass
class DecShape:
    vocab: int
    hidden: int = 32
    layers: int = 2
    heads: int = 4
    kv_heads: int = 2
    ffn: int = 64
    eps: float = 1e-5
    theta: float = 10000.0
    max_pos: int = 4096


def dec_weights(s: DecShape, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def r(*shape: int, scale: float) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    h, hd = s.hidden, s.hidden // s.heads
    w = {'embed': r(s.vocab, h, scale=0.5), 'norm': 1 + r(h, scale=0.1)}
    for i in range(s.layers):
        w[f'l{i}.q'] = r(s.heads * hd, h, scale=1 / math.sqrt(h))
        w[f'l{i}.k'] = r(s.kv_heads * hd, h, scale=1 / math.sqrt(h))
        w[f'l{i}.v'] = r(s.kv_heads * hd, h, scale=1 / math.sqrt(h))
        w[f'l{i}.o'] = r(h, s.heads * hd, scale=1 / math.sqrt(h))
        w[f'l{i}.gate'] = r(s.ffn, h, scale=1 / math.sqrt(h))
        w[f'l{i}.up'] = r(s.ffn, h, scale=1 / math.sqrt(h))
        w[f'l{i}.down'] = r(h, s.ffn, scale=1 / math.sqrt(s.ffn))
        w[f'l{i}.in_norm'] = 1 + r(h, scale=0.1)
        w[f'l{i}.post_norm'] = 1 + r(h, scale=0.1)
    return w


class Decoder(nn.Module):
    def __init__(self, s: DecShape, w: dict[str, np.ndarray], causal: bool = True) -> None:
        super().__init__()
        self.s = s
        self.causal = causal
        self.p = nn.ParameterDict({k.replace('.', '_'): nn.Parameter(torch.from_numpy(v.copy())) for k, v in w.items()})

    def g(self, k: str) -> torch.Tensor:
        return self.p[k.replace('.', '_')]

    def rms(self, x: torch.Tensor, n: str) -> torch.Tensor:
        var = (x * x).mean(-1, keepdim=True)
        return x * torch.rsqrt(var + self.s.eps) * self.g(n)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor):
        s = self.s
        B, T = input_ids.shape
        hd = s.hidden // s.heads
        x = self.g('embed')[input_ids]
        inv = 1.0 / (s.theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        ang = position_ids.to(torch.float32)[..., None] * inv
        ang = torch.cat([ang, ang], dim=-1)
        cos, sin = torch.cos(ang)[:, None], torch.sin(ang)[:, None]
        p = positions(input_ids)
        causal = p[None, :] <= p[:, None] if self.causal else torch.ones(T, T, dtype=torch.bool)
        allowed = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros(()), torch.full((), NEG))

        def rot(t: torch.Tensor) -> torch.Tensor:
            half = hd // 2
            return t * cos + torch.cat([-t[..., half:], t[..., :half]], dim=-1) * sin

        rep = s.heads // s.kv_heads
        for i in range(s.layers):
            y = self.rms(x, f'l{i}.in_norm')
            q = (y @ self.g(f'l{i}.q').T).reshape(B, T, s.heads, hd).transpose(1, 2)
            k = (y @ self.g(f'l{i}.k').T).reshape(B, T, s.kv_heads, hd).transpose(1, 2)
            v = (y @ self.g(f'l{i}.v').T).reshape(B, T, s.kv_heads, hd).transpose(1, 2)
            q, k = rot(q), rot(k)
            group = torch.tensor([h // rep for h in range(s.heads)])  # query head h reads kv head h // rep
            k = k.index_select(1, group)
            v = v.index_select(1, group)
            a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, dim=-1)
            ctx = (a @ v).transpose(1, 2).reshape(B, T, s.heads * hd)
            x = x + ctx @ self.g(f'l{i}.o').T
            y = self.rms(x, f'l{i}.post_norm')
            m = nn.functional.silu(y @ self.g(f'l{i}.gate').T) * (y @ self.g(f'l{i}.up').T)
            x = x + m @ self.g(f'l{i}.down').T
        return self.rms(x, 'norm')


def latent_weights(h: int, r: int, f: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def m(*shape: int, scale: float) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    return {'latents': m(r, h, scale=1.0), 'wq': m(h, h, scale=1 / math.sqrt(h)), 'wk': m(h, h, scale=1 / math.sqrt(h)),
            'wv': m(h, h, scale=1 / math.sqrt(h)), 'wo': m(h, h, scale=1 / math.sqrt(h)),
            'ff1': m(f, h, scale=1 / math.sqrt(h)), 'ff2': m(h, f, scale=1 / math.sqrt(f))}


class NVEmbedStyle(nn.Module):
    """NV-Embed-style embedder: a bidirectional decoder, then latent attention (the hidden states
    attend to r trainable latents, single head, residual), a GELU MLP (residual) and a mean over
    the attention mask, exported as `sentence_embedding` beside `last_hidden_state`."""

    def __init__(self, s: DecShape, w: dict[str, np.ndarray], lw: dict[str, np.ndarray]) -> None:
        super().__init__()
        self.dec = Decoder(s, w, causal=False)
        self.lw = nn.ParameterDict({k: nn.Parameter(torch.from_numpy(v.copy())) for k, v in lw.items()})

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor):
        hid = self.dec(input_ids, attention_mask, position_ids)
        p = self.lw
        q = hid @ p['wq'].T
        k = p['latents'] @ p['wk'].T
        v = p['latents'] @ p['wv'].T
        a = torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), dim=-1)
        y = hid + (a @ v) @ p['wo'].T
        y = y + nn.functional.gelu(y @ p['ff1'].T) @ p['ff2'].T
        m = attention_mask.to(torch.float32)[..., None]
        pooled = (y * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return hid, pooled


def export(model: nn.Module, path: str, inputs: dict[str, torch.Tensor], outputs: list[str], dyn_out: dict) -> None:
    import os
    os.makedirs(os.path.dirname(path), exist_ok=True)
    axes = {k: {0: 'batch_size', 1: 'sequence_length'} for k in inputs}
    axes.update(dyn_out)
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, tuple(inputs.values()), path, input_names=list(inputs), output_names=outputs,
                          dynamic_axes=axes, opset_version=14, do_constant_folding=True)
