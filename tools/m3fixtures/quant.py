"""Dynamic int8 quantisation arithmetic in onnxruntime's ``quantize_dynamic`` style.

- MatMul weights: int8, symmetric per tensor, range [-127, 127], zero point 0,
  scale = max|w| / 127.
- Gather tables (embeddings): uint8, asymmetric per tensor (activation type),
  range always includes 0, scale = (max - min) / 255, zero point = round(-min / scale).
- Activations: ONNX DynamicQuantizeLinear (uint8, asymmetric, per tensor).
Rounding is half-to-even everywhere, as numpy and onnxruntime do.
"""

from __future__ import annotations

import numpy as np


def quantize_weight(w: np.ndarray) -> tuple[np.ndarray, np.float32]:
    """Symmetric int8 quantisation of a MatMul weight; returns (q int8, scale float32)."""
    absmax = float(np.max(np.abs(w))) if w.size else 0.0
    scale = np.float32(absmax / 127.0) if absmax > 0 else np.float32(1.0)
    q = np.clip(np.rint(w.astype(np.float32) / scale), -127, 127).astype(np.int8)
    return q, scale


def table_params(vmin: float, vmax: float) -> tuple[np.float32, np.uint8]:
    """Scale and zero point of an asymmetric uint8 quantisation for a value range."""
    rmin = min(0.0, vmin)
    rmax = max(0.0, vmax)
    scale = np.float32((rmax - rmin) / 255.0) if rmax > rmin else np.float32(1.0)
    zp = np.uint8(np.clip(np.rint(0.0 - rmin / float(scale)), 0, 255))
    return scale, zp


def quantize_table(chunk: np.ndarray, scale: np.float32, zp: np.uint8) -> np.ndarray:
    return np.clip(np.rint(chunk.astype(np.float32) / scale) + int(zp), 0, 255).astype(np.uint8)


def dequantize(q: np.ndarray, scale: np.float32, zp: int) -> np.ndarray:
    return (q.astype(np.float64) - float(zp)) * float(scale)


def dynamic_quantize_linear(x: np.ndarray) -> tuple[np.ndarray, np.float32, int]:
    """ONNX DynamicQuantizeLinear: returns (uint8 values as int64, scale float32, zero point)."""
    xmin = min(0.0, float(np.min(x)))
    xmax = max(0.0, float(np.max(x)))
    scale = np.float32((np.float32(xmax) - np.float32(xmin)) / np.float32(255.0))
    if scale == 0:
        return np.zeros(x.shape, dtype=np.int64), scale, 0
    zp = int(np.clip(np.rint(np.float32(0.0 - xmin) / scale), 0, 255))
    q = np.clip(np.rint(x / float(scale)) + zp, 0, 255).astype(np.int64)
    return q, scale, zp


def quantized_linear(x: np.ndarray, wq: np.ndarray, wscale: np.float32, bias: np.ndarray) -> np.ndarray:
    """x @ W + b through DynamicQuantizeLinear + MatMulInteger + scale multiply (float64 result)."""
    xq, xs, xzp = dynamic_quantize_linear(x)
    acc = (xq - xzp) @ wq.astype(np.int64)
    scale = np.float32(xs * wscale)
    return acc.astype(np.float64) * float(scale) + bias.astype(np.float64)
