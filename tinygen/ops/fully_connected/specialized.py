"""FULLY_CONNECTED on the specialized backend: tg_gemm_s8 (kernels/tg_gemm.h) inlined with the layer's sizes.

The offline half of that kernel lives here, shared with pointwise CONV_2D: the bias with the input offset
folded in, and the weights packed into the words and order its inner loop reads.
"""
from __future__ import annotations

import numpy as np

from ..common import Const, Layer, const

KERNEL = "tg_gemm_s8"
TEMPLATE = "fully_connected/gemm.c.j2"


def folded_bias(bias: np.ndarray, weights: np.ndarray, input_offset: int) -> np.ndarray | None:
    """bias + input_offset * (row sums of weights), or None where it leaves int32 (the kernel would differ)."""
    sums = bias.astype(np.int64) + input_offset * weights.astype(np.int64).sum(axis=1)
    if np.any(sums < -2**31) or np.any(sums >= 2**31):
        return None
    return sums.astype(np.int32)


def packed_weights(weights: np.ndarray) -> np.ndarray:
    """[channels, depth] int8 → int32 words: rows zero-padded to whole words, channels 2i and 2i+1 interleaved
    word by word, an odd last channel's words after them (the order tg_gemm_s8 reads them)."""
    channels, depth = weights.shape
    words = (depth + 3) // 4
    padded = np.zeros((channels, 4 * words), np.uint8)
    padded[:, :depth] = weights.view(np.uint8)
    # Byte j of a word is bits 8j..8j+7, whatever the target's byte order (the kernel reads words as numbers).
    rows = (padded.reshape(channels, words, 4).astype(np.uint32) << (8 * np.arange(4, dtype=np.uint32))).sum(
        axis=2, dtype=np.uint32).view(np.int32)
    pairs = channels // 2 * 2
    interleaved = rows[:pairs].reshape(-1, 2, words).transpose(0, 2, 1).reshape(-1)
    return np.concatenate([interleaved, rows[pairs:].reshape(-1)])


def scratch_bytes(depth: int, arch: str) -> int:
    """Two pixels' extended rows on the DSP path (4 words per input word); the plain C path needs none."""
    return 16 * ((depth + 3) // 4) if arch == "dsp" else 0


def gemm_layer(layer: Layer, weights: np.ndarray, input_offset: int, arch: str) -> Layer | None:
    """The layer as a tg_gemm_s8 call over its [channels, depth] weights, or None where the folded bias
    would overflow."""
    bias = folded_bias(layer.const("bias").values, weights, input_offset)
    if bias is None:
        return None
    kept = tuple(c for c in layer.consts if c.role not in ("weights", "bias"))
    consts: tuple[Const, ...] = (const("weights", "int32_t", packed_weights(weights)),
                                 const("bias", "int32_t", bias)) + kept
    return layer.replace(kernel=KERNEL, template=TEMPLATE, consts=consts, inplace=(),
                         scratch_bytes=scratch_bytes(weights.shape[1], arch))


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    return gemm_layer(layer, layer.const("weights").values, p.input_offset, arch)
