"""Independent float64 numpy forward passes of the tiny family models, one unpadded
sequence at a time (padding and batching are the runtime's business; goldens describe the
model as a function of a single text). Shares only the weight dictionary with models.py."""

from __future__ import annotations

import math

import numpy as np

_erf = np.vectorize(math.erf)


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


class EncoderRef:
    """BERT / XLM-R / RoFormer encoder (see models.EncShape)."""

    def __init__(self, s, w: dict[str, np.ndarray]) -> None:
        self.s = s
        self.w = {k: v.astype(np.float64) for k, v in w.items()}

    def lin(self, x: np.ndarray, n: str) -> np.ndarray:
        return x @ self.w[n + '.w'].T + self.w[n + '.b']

    def run(self, ids: list[int], types: list[int] | None = None, mask: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Returns (last hidden state [T,H], last-layer attention probabilities [heads,T,T]).
        `mask` (default all ones) hides keys whose mask is 0 (ColBERT's [MASK] query expansion)."""
        s, w = self.s, self.w
        T = len(ids)
        x = w['emb.word'][ids].copy()
        if s.pos == 'absolute':
            x += w['emb.pos'][:T]
        elif s.pos == 'roberta':
            x += w['emb.pos'][[s.pad_id + 1 + t for t in range(T)]]
        x += w['emb.type'][types if types is not None else [0] * T]
        x = layer_norm(x, w['emb.ln.g'], w['emb.ln.b'], s.eps)
        nh, hd = s.heads, s.hidden // s.heads
        probs = None
        for i in range(s.layers):
            q = self.lin(x, f'l{i}.q').reshape(T, nh, hd).transpose(1, 0, 2)
            k = self.lin(x, f'l{i}.k').reshape(T, nh, hd).transpose(1, 0, 2)
            v = self.lin(x, f'l{i}.v').reshape(T, nh, hd).transpose(1, 0, 2)
            if s.pos == 'rotary':
                q, k = self._rope(q), self._rope(k)
            sc = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            if mask is not None:
                sc[:, :, np.asarray(mask) == 0] = -np.inf
            probs = softmax(sc)
            ctx = (probs @ v).transpose(1, 0, 2).reshape(T, s.hidden)
            x = layer_norm(x + self.lin(ctx, f'l{i}.o'), w[f'l{i}.ln1.g'], w[f'l{i}.ln1.b'], s.eps)
            f = self.lin(gelu(self.lin(x, f'l{i}.f1')), f'l{i}.f2')
            x = layer_norm(x + f, w[f'l{i}.ln2.g'], w[f'l{i}.ln2.b'], s.eps)
        return x, probs

    def _rope(self, t: np.ndarray) -> np.ndarray:
        """RoFormer rotary: pair (2j, 2j+1) at position p rotated by p / 10000^(2j/d)."""
        out = t.copy()
        _, T, d = t.shape
        for p in range(T):
            for j in range(d // 2):
                a = p / (10000.0 ** (2 * j / d))
                c, s_ = math.cos(a), math.sin(a)
                x0, x1 = t[:, p, 2 * j], t[:, p, 2 * j + 1]
                out[:, p, 2 * j] = x0 * c - x1 * s_
                out[:, p, 2 * j + 1] = x1 * c + x0 * s_
        return out

    def mlm_logits(self, h: np.ndarray) -> np.ndarray:
        w = self.w
        t = layer_norm(gelu(self.lin(h, 'mlm.dense')), w['mlm.ln.g'], w['mlm.ln.b'], self.s.eps)
        return t @ w['emb.word'].T + w['mlm.bias']

    def classify(self, h: np.ndarray) -> float:
        c = np.tanh(self.lin(h[0], 'cls.dense'))
        return float(self.lin(c, 'cls.out')[0])


class DecoderRef:
    """Mistral decoder (see models.DecShape); ids are the unpadded sequence, positions 0..T-1."""

    def __init__(self, s, w: dict[str, np.ndarray], causal: bool = True) -> None:
        self.s = s
        self.w = {k: v.astype(np.float64) for k, v in w.items()}
        self.causal = causal

    def rms(self, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.s.eps) * g

    def run(self, ids: list[int]) -> np.ndarray:
        s, w = self.s, self.w
        T = len(ids)
        hd = s.hidden // s.heads
        half = hd // 2
        x = w['embed'][ids].copy()
        pos = np.arange(T, dtype=np.float64)
        inv = s.theta ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
        ang = pos[:, None] * inv[None, :]
        cos, sin = np.cos(ang), np.sin(ang)

        def rope(t: np.ndarray) -> np.ndarray:  # [heads, T, hd]; pairs (j, j + hd/2)
            a, b = t[..., :half], t[..., half:]
            return np.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)

        future = np.triu(np.ones((T, T), dtype=bool), 1) if self.causal else np.zeros((T, T), dtype=bool)
        group = s.heads // s.kv_heads
        for i in range(s.layers):
            y = self.rms(x, w[f'l{i}.in_norm'])
            q = rope((y @ w[f'l{i}.q'].T).reshape(T, s.heads, hd).transpose(1, 0, 2))
            k = rope((y @ w[f'l{i}.k'].T).reshape(T, s.kv_heads, hd).transpose(1, 0, 2))
            v = (y @ w[f'l{i}.v'].T).reshape(T, s.kv_heads, hd).transpose(1, 0, 2)
            ctx = np.zeros((s.heads, T, hd))
            for h in range(s.heads):
                sc = q[h] @ k[h // group].T / math.sqrt(hd)
                sc[future] = -np.inf
                ctx[h] = softmax(sc) @ v[h // group]
            x = x + ctx.transpose(1, 0, 2).reshape(T, s.heads * hd) @ w[f'l{i}.o'].T
            y = self.rms(x, w[f'l{i}.post_norm'])
            g = y @ w[f'l{i}.gate'].T
            x = x + ((g / (1 + np.exp(-g))) * (y @ w[f'l{i}.up'].T)) @ w[f'l{i}.down'].T
        return self.rms(x, w['norm'])


def nv_embed_pool(h: np.ndarray, lw: dict[str, np.ndarray]) -> np.ndarray:
    """NV-Embed-style latent attention + GELU MLP + mean over the (unpadded) tokens, float64."""
    w = {k: v.astype(np.float64) for k, v in lw.items()}
    q = h @ w['wq'].T
    k = w['latents'] @ w['wk'].T
    v = w['latents'] @ w['wv'].T
    a = softmax(q @ k.T / math.sqrt(q.shape[-1]))
    y = h + (a @ v) @ w['wo'].T
    z = y @ w['ff1'].T
    gelu = 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    y = y + gelu @ w['ff2'].T
    return y.mean(0)
